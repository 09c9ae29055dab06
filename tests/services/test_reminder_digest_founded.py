"""The digest dates a branch created within a closed period (helper-85's review: one created on 30 June read as
failing all of June and the second quarter); one created before it carries no date."""

from __future__ import annotations

from datetime import date, datetime

from handlers.services.clock import SHANGHAI
from handlers.services.reminders.digest import build_digest
from knowledge.activities import Cadence, period_of
from knowledge.schedule import ScheduleConfig
from storage.repositories import ReminderRepository
from tests.services.reminder_world import add_branch


async def test_a_branch_created_within_the_period_is_dated(session_factory) -> None:
    old = await add_branch(session_factory, "甲支部", 1001)
    new = await add_branch(
        session_factory, "乙支部", 1002, created=datetime(2026, 6, 30, 15, tzinfo=SHANGHAI)
    )
    month = period_of(Cadence.MONTHLY, date(2026, 6, 1))
    async with session_factory() as session:
        repo = ReminderRepository(session)
        digest = await build_digest(repo, month, await repo.branches(), ScheduleConfig(tz=SHANGHAI))
    founded = {(p.period, b.branch_id): b.founded for p in digest.periods for b in p.branches}
    assert founded == {
        ("2026-06", old): None,
        ("2026-06", new): "2026-06-30",
        ("2026-Q2", old): None,
        ("2026-Q2", new): "2026-06-30",
    }
