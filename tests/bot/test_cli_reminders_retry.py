"""`branchbot reminders plan` says when a delivery waiting for a retry really goes (it said 立即发送 for a row the
sender would claim only at its retry): 31 December, Telegram failed at 20:40, the retry comes at 20:58."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from handlers.services.clock import FixedClock
from handlers.services.reminders import ReminderPlanner, Transient
from storage.db import make_engine, make_session_factory
from tests.bot.test_cli_reminders import cli, import_good, redeem
from tests.services.reminder_world import FakeMessenger, FakeTime, make_sender, sh


async def fail_once(tmp_path: Path) -> int:
    """Plan and try at 20:40 on 31 December against a Telegram that answers 502: the retries wait."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    try:
        factory = make_session_factory(engine)
        at = sh(2026, 12, 31, 20, 40)
        await ReminderPlanner(factory, FixedClock(at)).plan(at)
        time = FakeTime()
        messenger = FakeMessenger(time, script=lambda n, chat, view: Transient("502"))
        sender = make_sender(factory, messenger, time, clock=FixedClock(at), backoff=(1800.0,))
        return (await sender.send_due(at)).retrying
    finally:
        await engine.dispose()


def test_plan_lists_a_waiting_retry_at_its_time(tmp_path: Path) -> None:
    rows = import_good(tmp_path)
    asyncio.run(redeem(tmp_path, [(rows[0][2], 7001)]))
    assert asyncio.run(fail_once(tmp_path)) == 3  # December, the fourth quarter, 2026
    text = cli(tmp_path, "reminders", "plan", "--at", "2026-12-31T20:45")
    assert text.returncode == 0, text.stderr
    assert {line.split("\t")[-1] for line in text.stdout.splitlines()} == {"12-31 20:58 重试"}
    assert "共 3 条待发送" in text.stderr
    as_json = cli(tmp_path, "reminders", "plan", "--at", "2026-12-31T20:45", "--json")
    assert {json.loads(line)["send_at"] for line in as_json.stdout.splitlines()} == {
        "2026-12-31T20:58:00+08:00"
    }
    due = cli(tmp_path, "reminders", "plan", "--at", "2026-12-31T20:58").stdout.splitlines()
    assert {line.split("\t")[-1] for line in due} == {"立即发送"}
