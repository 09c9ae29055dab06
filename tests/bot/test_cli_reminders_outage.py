"""`branchbot reminders send` during a Telegram 5xx outage (review 13, defect 3): the deliveries left for a retry
are counted, no traceback reaches stderr (one Chinese line per kind of failure), and the exit status is 1 when
nothing could be delivered."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.bot.test_cli_reminders import GOOD, redeem, run_cli
from tests.emulator import BotApiEmulator


async def test_send_during_an_outage_counts_the_retries_and_exits_1(tmp_path: Path, emulator: BotApiEmulator):
    (tmp_path / "branches.csv").write_text(GOOD, encoding="utf-8")
    imported = await run_cli(tmp_path, emulator, "branch", "import", "branches.csv")
    codes = [row[2] for row in csv.reader(io.StringIO(imported[1]))]
    for user_id in (7001, 7002):
        emulator.user(user_id)
    await redeem(tmp_path, [(codes[0], 7001), (codes[1], 7002)])

    emulator.fail_next("sendMessage", status=502, count=1000)
    code, out, err = await run_cli(tmp_path, emulator, "reminders", "send", "--at", "2026-06-01T09:00")
    assert code == 1, err
    assert out.splitlines()[-1].startswith("sent 0 failed 0 skipped 0 retrying 4 rate "), out
    for noise in ("Traceback", "JSONDecodeError", "<html>", "Bad Gateway", "ERROR"):
        assert noise not in err, err
    assert "error page" not in err, err
    assert "网络错误或 Telegram 服务器暂时故障" in err
    assert "4 条提醒等待重试" in err

    emulator.clear_faults()
    code, out, err = await run_cli(tmp_path, emulator, "reminders", "send", "--at", "2026-06-01T09:05")
    assert code == 0, err
    assert out.splitlines()[-1].startswith("sent 4 failed 0 skipped 0 retrying 0 rate "), out


def test_exit_status_1_only_when_an_outage_let_nothing_through() -> None:
    from bot.cli_reminders import outage
    from handlers.services.reminders import SendReport

    def report(sent=0, dead=0, waiting=0, failures=()):
        return SendReport(sent, dead, 0, 0.0, dead=dead, waiting_retry=waiting, failures=failures)

    assert outage(report(waiting=3, failures=(("network error or 5xx", 6),)))
    assert outage(report(dead=2, failures=(("timeout", 2),)))
    assert not outage(report(sent=1, waiting=3, failures=(("timeout", 3),)))  # some got through
    assert not outage(report(failures=(("403 Forbidden", 1),)))  # a blocked chat is no outage
    assert not outage(report())  # nothing due


def test_every_stored_reason_reads_in_chinese() -> None:
    from handlers.tg.render_dead import failure_reason

    for code in (
        "403 forbidden",
        "403 Forbidden",
        "400 chat not found",
        "timeout",
        "network error or 5xx",
        "attempts exhausted",
        "429 retry after 3 s",
        "telegram Conflict",
        "unexpected ValueError",
        None,
    ):
        text = failure_reason(code)
        assert text and not any("a" <= ch.lower() <= "z" for ch in text.replace("Telegram", "")), (code, text)
