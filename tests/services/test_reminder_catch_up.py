"""After an outage, a late stage is merged into the next stage of its period when that one is near (review 13)."""

from __future__ import annotations

from datetime import timedelta

from handlers.services.clock import FixedClock
from handlers.services.reminders import ReminderPlanner
from tests.services.reminder_world import T0, FakeMessenger, FakeTime, add_branch, make_sender, sh


def planner(session_factory) -> ReminderPlanner:
    return ReminderPlanner(session_factory, FixedClock(T0))


async def test_a_restart_in_the_quiet_hours_sends_one_december_reminder_not_two(session_factory):
    """Down from 30 Nov 18:00 to Sunday 20 Dec 22:00: December's opening (1 Dec) would go at 08:00 on Monday
    and its nudge (21 Dec 09:00) an hour later, listing the same kinds. Only the nudge goes."""
    await add_branch(session_factory, "静默支部", 1001)
    p = planner(session_factory)
    time = FakeTime()
    messenger = FakeMessenger(time)
    sender = make_sender(session_factory, messenger, time)
    at = sh(2026, 12, 20, 22)
    while at <= sh(2026, 12, 21, 10):
        await p.plan(at)
        await sender.send_due(at)
        at += timedelta(minutes=30)
    monthly = [s[2:] for s in messenger.stages() if s[1] == "monthly"]
    assert monthly == [("2026-12", "nudge")]
    # The year's opening and the quarter's nudge are days away from their next stage: they still go.
    assert {s[1:] for s in messenger.stages()} >= {
        ("yearly", "2026", "open"),
        ("quarterly", "2026-Q4", "nudge"),
    }


async def test_a_late_stage_outside_the_quiet_hours_waits_for_the_next_one_that_day(session_factory):
    a = await add_branch(session_factory, "甲支部", 1001)
    p = planner(session_factory)
    assert [d for d in await p.plan(sh(2026, 12, 21, 8, 30)) if d.cadence == "monthly"] == []
    got = [
        (d.target_id, d.period, str(d.stage))
        for d in await p.plan(sh(2026, 12, 21, 9))
        if d.cadence == "monthly"
    ]
    assert got == [(a, "2026-12", "nudge")]


async def test_a_late_stage_far_from_the_next_one_is_still_caught_up(session_factory):
    a = await add_branch(session_factory, "甲支部", 1001)
    got = [(d.target_id, str(d.stage)) for d in await planner(session_factory).plan(sh(2026, 12, 10, 10))]
    assert (a, "open") in got


async def test_stages_on_time_are_never_merged_however_close(session_factory):
    """February 2026: the Spring Festival moves the nudge to the 24th, the last call is on the 25th."""
    a = await add_branch(session_factory, "甲支部", 1001)
    p = planner(session_factory)
    nudge = [str(d.stage) for d in await p.plan(sh(2026, 2, 24, 9, 1)) if d.cadence == "monthly"]
    last = [str(d.stage) for d in await p.plan(sh(2026, 2, 25, 9, 1)) if d.cadence == "monthly"]
    assert (nudge, last) == (["nudge"], ["last"]) and a
