"""`branchbot reminders send` in the quiet hours says how many reminders wait for 08:00 (operator review item 15)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from tests.bot.test_cli_reminders import GOOD, redeem, run_cli
from tests.emulator import BotApiEmulator


async def test_send_in_the_quiet_hours_counts_what_waits_for_8(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    (tmp_path / "branches.csv").write_text(GOOD, encoding="utf-8")
    imported = await run_cli(tmp_path, emulator, "branch", "import", "branches.csv")
    codes = [row[2] for row in csv.reader(io.StringIO(imported[1]))]
    emulator.user(7001)
    await redeem(tmp_path, [(codes[0], 7001)])

    code, out, err = await run_cli(tmp_path, emulator, "reminders", "send", "--at", "2026-06-01T23:00")
    assert code == 0, err
    assert out.splitlines()[-1].startswith("sent 0 failed 0 ")
    planned = int(re.search(r"已计划 (\d+) 条新提醒", err).group(1))
    assert planned > 0
    assert f"{planned} 条等到 06-02 08:00 发送（21:00 至次日 08:00 不发送）" in err, err

    code, out, err = await run_cli(tmp_path, emulator, "reminders", "send", "--at", "2026-06-02T01:00")
    assert code == 0 and "已计划 0 条新提醒" in err
    assert "现在是静默时段（21:00 至次日 08:00 不发送）" in err and "08:00" in err, err

    code, out, err = await run_cli(tmp_path, emulator, "reminders", "send", "--at", "2026-06-02T08:00")
    assert out.splitlines()[-1].startswith(f"sent {planned} ") and "静默" not in err, err
