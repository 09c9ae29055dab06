"""Quiet hours on a period's last day (an earlier reviewer's finding): a reminder planned in them waited for 08:00,
when its period was over, and was skipped, while ``plan`` listed it as due. Now it goes before 21:00 while it
can (a retry is brought forward to the last call, 20:58), and what cannot go is neither written nor listed as
going.

The working-day calendar (chinese-calendar) still places the stages: 30 September 2026 is a Wednesday before the
National Day holiday; September's last call fell on Thursday the 24th and the third quarter's on Wednesday the
23rd. 31 December 2026 is a Thursday; the year's, the fourth quarter's (24th) and December's (28th) last calls
are a week or days before.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from handlers.services.clock import FixedClock
from handlers.services.reminders import ReminderPlanner, Transient
from knowledge.activities import Cadence, period_of
from knowledge.schedule import stages_for
from storage.models import ReminderDelivery
from tests.services.reminder_world import T0, FakeMessenger, FakeTime, add_branch, make_sender, sh


def planner(session_factory) -> ReminderPlanner:
    return ReminderPlanner(session_factory, FixedClock(T0))


async def rows(session_factory) -> list[tuple[str, str, str, datetime]]:
    async with session_factory() as session:
        found = await session.scalars(select(ReminderDelivery).order_by(ReminderDelivery.id))
        return [(r.period, r.stage, r.status, r.next_attempt_at) for r in found]


def test_the_calendar_places_the_last_calls_before_the_last_day():
    september = period_of(Cadence.MONTHLY, sh(2026, 9, 1).date())
    quarter = period_of(Cadence.QUARTERLY, sh(2026, 9, 1).date())
    assert stages_for(Cadence.MONTHLY, september)[-1][1] == sh(2026, 9, 24, 9)
    assert stages_for(Cadence.QUARTERLY, quarter)[-1][1] == sh(2026, 9, 23, 9)


async def test_what_plan_lists_at_night_on_the_last_day_is_what_really_happens(session_factory):
    """Back at 22:00 on 31 December: the month's, the quarter's and the year's last calls are still owed, but
    they cannot go before their periods end without breaking the quiet hours. ``plan`` says they will not go;
    nothing is written; 08:00 sends nothing of 2026."""
    await add_branch(session_factory, "甲支部", 1001)
    p = planner(session_factory)
    night = sh(2026, 12, 31, 22)
    assert await p.plan(night) == []
    assert await rows(session_factory) == []  # they were written, and skipped at 08:00 as "period closed"
    preview = await p.plan_preview(night)
    assert sorted((d.period, str(d.stage), d.send_at) for d in preview) == [
        ("2026", "last", None),
        ("2026-12", "last", None),
        ("2026-Q4", "last", None),
    ]
    time = FakeTime()
    messenger = FakeMessenger(time)
    sender = make_sender(session_factory, messenger, time)
    for at in (night, sh(2027, 1, 1, 8), sh(2027, 1, 1, 9)):
        await p.plan(at)
        await sender.send_due(at)
    assert messenger.calls == []


async def test_earlier_that_evening_the_catch_up_goes_at_once(session_factory):
    await add_branch(session_factory, "甲支部", 1001)
    p = planner(session_factory)
    evening = sh(2026, 12, 31, 20, 30)
    assert {d.send_at for d in await p.plan_preview(evening)} == {evening}
    time = FakeTime()
    messenger = FakeMessenger(time)
    await p.plan(evening)
    await make_sender(session_factory, messenger, time).send_due(evening)
    assert sorted(s[2:] for s in messenger.stages()) == [
        ("2026", "last"),
        ("2026-12", "last"),
        ("2026-Q4", "last"),
    ]


async def test_a_retry_that_would_wait_past_the_last_day_comes_at_the_last_call(session_factory):
    """Back at 20:40 on 30 September; Telegram fails; the retry (30 minutes later) would fall in the quiet hours
    and wait for 08:00 on 1 October, when September and the third quarter are over. It comes at 20:58."""
    await add_branch(session_factory, "甲支部", 1001)
    p = planner(session_factory)
    time = FakeTime()
    failing = {"on": True}
    messenger = FakeMessenger(time, script=lambda n, chat, view: Transient("502") if failing["on"] else None)
    sender = make_sender(session_factory, messenger, time, backoff=(1800.0,))
    back = sh(2026, 9, 30, 20, 40)
    await p.plan(back)
    report = await sender.send_due(back)
    assert (report.sent, report.retrying) == (0, 2)
    assert {r[3] for r in await rows(session_factory)} == {sh(2026, 9, 30, 20, 58)}
    failing["on"] = False
    report = await sender.send_due(sh(2026, 9, 30, 20, 58))
    assert report.sent == 2
    assert sorted(s[2:] for s in messenger.stages()) == [("2026-09", "last"), ("2026-Q3", "last")]


@pytest.mark.parametrize(
    ("failed_at", "retry_at"),
    [
        (sh(2026, 9, 30, 20, 59), sh(2026, 10, 1, 8)),  # past the last call: nothing left in the period
        (sh(2026, 9, 29, 20, 50), sh(2026, 9, 30, 8)),  # not the last day: 08:00 is still September
    ],
)
async def test_a_retry_is_brought_forward_only_on_the_last_day_before_the_last_call(
    session_factory, failed_at, retry_at
):
    await add_branch(session_factory, "甲支部", 1001)
    time = FakeTime()
    messenger = FakeMessenger(time, script=lambda n, chat, view: Transient("502"))
    await planner(session_factory).plan(failed_at)
    await make_sender(session_factory, messenger, time, backoff=(1800.0,)).send_due(failed_at)
    assert {r[3] for r in await rows(session_factory)} == {retry_at}
