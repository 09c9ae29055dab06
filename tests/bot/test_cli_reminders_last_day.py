"""`branchbot reminders plan` shows what will really happen (an earlier reviewer's finding: at night on a period's
last day it listed reminders as due that would wait for 08:00, when their period was over, and be skipped)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from tests.bot.test_cli_reminders import cli, import_good, redeem

LAPSES = "不发送：本期在今晚静默时段（21:00–08:00）内结束"


def test_plan_says_when_each_reminder_goes_or_that_it_will_not(tmp_path: Path) -> None:
    rows = import_good(tmp_path)
    asyncio.run(redeem(tmp_path, [(rows[0][2], 7001)]))
    night = cli(tmp_path, "reminders", "plan", "--at", "2026-12-31T22:00")
    assert night.returncode == 0, night.stderr
    lines = [line.split("\t") for line in night.stdout.splitlines()]
    assert sorted((line[2], line[3], line[-1]) for line in lines) == [
        ("2026", "last", LAPSES),
        ("2026-12", "last", LAPSES),
        ("2026-Q4", "last", LAPSES),
    ]
    assert "共 0 条待发送；另有 3 条不再发送" in night.stderr
    as_json = cli(tmp_path, "reminders", "plan", "--at", "2026-12-31T22:00", "--json")
    assert {json.loads(line)["send_at"] for line in as_json.stdout.splitlines()} == {None}
    # The night before, they wait for 08:00, still in December; that evening they go at once.
    before = cli(tmp_path, "reminders", "plan", "--at", "2026-12-30T22:00").stdout.splitlines()
    assert {line.split("\t")[-1] for line in before} == {"12-31 08:00 发送"}
    evening = cli(tmp_path, "reminders", "plan", "--at", "2026-12-31T20:30").stdout.splitlines()
    assert {line.split("\t")[-1] for line in evening} == {"立即发送"}


def test_a_catch_up_digest_is_named_in_the_plan() -> None:
    from bot.cli_reminders import _line
    from handlers.services.reminders import Audience, Digest, DigestPeriod, PlannedDelivery
    from knowledge.activities import Cadence
    from knowledge.schedule import Stage
    from tests.services.reminder_world import sh

    periods = (
        DigestPeriod(Cadence.MONTHLY, "2026-12", "2026年12月", 1, 1, ()),
        DigestPeriod(Cadence.QUARTERLY, "2026-Q4", "2026年第四季度", 1, 1, ()),
    )
    moment = sh(2027, 2, 5, 9)
    delivery = PlannedDelivery(
        Audience.ADMIN, 900, None, 900, Cadence.MONTHLY, "2026-12", "2026年12月", Stage.DIGEST, (),
        moment, digest=Digest("2026-12", periods, (), catch_up=True), send_at=moment,
    )  # fmt: skip
    line = _line(delivery, moment, moment.tzinfo).split("\t")
    assert line == ["管理员 900", "2026-12", "digest", "补发汇总（2026年12月、2026年第四季度）", "立即发送"]
