"""A fresh install sends no digest of a month before its first branch, nor with no branch at all (review 13)."""

from __future__ import annotations

from handlers.services.clock import FixedClock
from handlers.services.reminders import Audience, ReminderPlanner
from tests.services.reminder_world import T0, add_branch, sh

ADMIN = 900


def digests(deliveries) -> list[str]:
    return [d.period for d in deliveries if d.audience is Audience.ADMIN]


async def test_no_digest_without_branches(session_factory):
    p = ReminderPlanner(session_factory, FixedClock(T0), admin_ids=(ADMIN,))
    assert digests(await p.plan(sh(2026, 9, 28, 8))) == []
    assert digests(await p.plan(sh(2026, 10, 8, 9))) == []


async def test_no_digest_of_a_month_before_the_first_branch(session_factory):
    """Installed Monday 28 September 2026 at 07:00: August's digest is not sent; September's is (8 October,
    after the National Day holiday), since the branches existed by its end."""
    await add_branch(session_factory, "甲支部", 1001, created=sh(2026, 9, 28, 7))
    p = ReminderPlanner(session_factory, FixedClock(T0), admin_ids=(ADMIN,))
    assert digests(await p.plan(sh(2026, 9, 28, 8))) == []
    assert digests(await p.plan(sh(2026, 9, 28, 9))) == []
    assert digests(await p.plan(sh(2026, 10, 8, 9))) == ["2026-09"]
