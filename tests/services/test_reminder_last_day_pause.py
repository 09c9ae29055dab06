"""A 429 on a period's last evening (the pause Telegram asks for is honoured, never shortened).

The rule (``sender.pause_time``, ``release_within`` with the pause's end as the earliest moment): a pause that
ends before 21:00 is waited out and the reminder goes at its end, even after the last call (20:58); one that
ends in the quiet hours waits for 08:00, unless the period ends in them: then nothing can go before it closes
without breaking the quiet hours (as for a reminder planned after 21:00 that day), and the row is skipped at
once, never sent, rather than left pending for 08:00 of the next period. 30 September 2026 ends September and
the third quarter: two reminders, one message each.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from handlers.services.clock import FixedClock
from handlers.services.reminders import ReminderPlanner, RetryAfter
from handlers.services.reminders.sender import LAPSED_IN_PAUSE
from storage.models import ReminderDelivery
from tests.services.reminder_world import T0, FakeMessenger, FakeTime, add_branch, make_sender, sh


async def rows(session_factory) -> list[tuple[str, str, datetime, str | None]]:
    async with session_factory() as session:
        found = await session.scalars(select(ReminderDelivery).order_by(ReminderDelivery.id))
        return [(r.period, r.status, r.next_attempt_at, r.last_error) for r in found]


def once(seconds: float):
    """The first request meets a 429 asking for ``seconds``; the others go through."""
    return lambda n, chat, view: RetryAfter(seconds) if n == 1 else None


async def run(session_factory, at: datetime, seconds: float):
    await add_branch(session_factory, "甲支部", 1001)
    time = FakeTime()
    messenger = FakeMessenger(time, script=once(seconds))
    sender = make_sender(session_factory, messenger, time, concurrency=1)
    planner = ReminderPlanner(session_factory, FixedClock(T0))
    await planner.plan(at)
    report = await sender.send_due(at)
    return planner, sender, messenger, report


async def test_a_pause_ending_before_21_is_waited_out_and_both_go_that_evening(session_factory):
    at = sh(2026, 9, 30, 20, 58, 30)
    _, _, messenger, report = await run(session_factory, at, 60)
    assert (report.sent, report.skipped, report.paused_seconds) == (2, 0, 60.0)
    first = messenger.calls[0].at
    assert all(c.at - first >= 60 for c in messenger.delivered)  # nothing during the pause
    assert all(c.at - first < 90 for c in messenger.delivered)  # before 21:00
    assert sorted(s[2] for s in messenger.stages()) == ["2026-09", "2026-Q3"]


async def test_a_pause_into_the_last_nights_quiet_hours_settles_the_rows_at_once(session_factory):
    """The 429 at 20:58:30 asks for 120 s: the pause ends at 21:00:30, in the quiet hours in which September
    and the third quarter end. Both rows are skipped then (they were left pending for 08:00 on 1 October, when
    ``plan`` still listed them and the sender skipped them as "period closed"); nothing is ever sent twice or
    late."""
    at = sh(2026, 9, 30, 20, 58, 30)
    planner, sender, messenger, report = await run(session_factory, at, 120)
    assert (report.sent, report.skipped) == (0, 2)
    assert [(r[0], r[1], r[3]) for r in await rows(session_factory)] == [
        ("2026-09", "skipped", LAPSED_IN_PAUSE),
        ("2026-Q3", "skipped", LAPSED_IN_PAUSE),
    ]
    assert await planner.plan_preview(sh(2026, 9, 30, 20, 59)) == []
    for later in (sh(2026, 10, 1, 8), sh(2026, 10, 1, 9)):
        await planner.plan(later)
        await sender.send_due(later)
    assert [c.view.period for c in messenger.delivered if c.view.period in ("2026-09", "2026-Q3")] == []


async def test_on_an_ordinary_day_a_pause_into_the_quiet_hours_waits_for_8(session_factory):
    """29 September: the pause ends at 21:00:30, the rows wait for 08:00 on the 30th, still in their periods."""
    at = sh(2026, 9, 29, 20, 58, 30)
    planner, sender, messenger, report = await run(session_factory, at, 120)
    assert (report.sent, report.skipped) == (0, 0)
    assert {(r[1], r[2]) for r in await rows(session_factory)} == {("pending", sh(2026, 9, 30, 8))}
    report = await sender.send_due(sh(2026, 9, 30, 8))
    assert report.sent == 2
