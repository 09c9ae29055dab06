"""``plan_preview`` (``branchbot reminders plan``) says when a delivery waiting for a retry really goes: it listed
a row put back after a failure or a 429 as due at once (立即发送) while the sender would only claim it at its
``next_attempt_at``."""

from __future__ import annotations

from datetime import timedelta

from bot.cli_reminders import _line
from handlers.services.clock import FixedClock
from handlers.services.reminders import ReminderPlanner, RetryAfter, Transient
from knowledge.activities import Cadence, period_of
from knowledge.schedule import digest_due
from tests.services.reminder_world import SH, T0, FakeMessenger, FakeTime, add_branch, make_sender, sh


def failing(error):
    return lambda n, chat, view: error


async def test_a_retry_brought_to_the_last_call_is_listed_at_the_last_call(session_factory):
    """Telegram fails at 20:40 on 30 September; the retry comes at the last call, 20:58. At 20:45 ``plan``
    lists both reminders at 20:58 as retries, in the text and in the JSON's ``send_at``."""
    await add_branch(session_factory, "甲支部", 1001)
    planner = ReminderPlanner(session_factory, FixedClock(T0))
    time = FakeTime()
    sender = make_sender(
        session_factory, FakeMessenger(time, failing(Transient("502"))), time, backoff=(1800.0,)
    )
    back = sh(2026, 9, 30, 20, 40)
    await planner.plan(back)
    assert (await sender.send_due(back)).retrying == 2
    at = sh(2026, 9, 30, 20, 45)
    preview = await planner.plan_preview(at)
    assert {d.send_at for d in preview} == {sh(2026, 9, 30, 20, 58)}  # it said 20:45, at once
    assert sorted((d.period, d.send_at, d.retry) for d in preview) == [
        ("2026-09", sh(2026, 9, 30, 20, 58), True),
        ("2026-Q3", sh(2026, 9, 30, 20, 58), True),
    ]
    assert {_line(d, at, SH).split("\t")[-1] for d in preview} == {"09-30 20:58 重试"}
    assert {d.as_json()["send_at"] for d in preview} == {"2026-09-30T20:58:00+08:00"}
    # Once the retry is due it goes at once, as any due row.
    due = await planner.plan_preview(sh(2026, 9, 30, 20, 58))
    assert {_line(d, sh(2026, 9, 30, 20, 58), SH).split("\t")[-1] for d in due} == {"立即发送"}


async def test_a_row_held_back_by_a_429_is_listed_when_the_pause_ends(session_factory):
    await add_branch(session_factory, "甲支部", 1001)
    planner = ReminderPlanner(session_factory, FixedClock(T0))
    time = FakeTime()
    messenger = FakeMessenger(time, lambda n, chat, view: RetryAfter(300) if n == 1 else Transient("stop"))
    sender = make_sender(session_factory, messenger, time, concurrency=1, backoff=(600.0,))
    at = sh(2026, 6, 1, 9)  # June's opening and the second quarter's nudge
    await planner.plan(at)
    await sender.send_due(at)  # the 429 pauses 5 minutes, then both fail and wait 10 minutes more
    preview = await planner.plan_preview(at + timedelta(minutes=6))
    assert len(preview) == 2
    assert all(sh(2026, 6, 1, 9, 15) <= d.send_at < sh(2026, 6, 1, 9, 15, 5) and d.retry for d in preview)
    assert {_line(d, at, SH).split("\t")[-1] for d in preview} == {"06-01 09:15 重试"}


async def test_a_row_waiting_for_a_429_pause_alone_is_listed_when_it_ends(session_factory):
    """Planned but not yet tried, put back by the pause: listed at the pause's end as a plain send."""
    from handlers.services.reminders.sender import _Broadcast  # the pause alone, without a messenger

    await add_branch(session_factory, "甲支部", 1001)
    planner = ReminderPlanner(session_factory, FixedClock(T0))
    time = FakeTime()
    sender = make_sender(session_factory, FakeMessenger(time), time)
    at = sh(2026, 6, 1, 9)
    await planner.plan(at)
    run = _Broadcast(sender, at, 25.0)
    run.waiting.update((v.id, v) for v in await run._claim())
    run.pause = 120.0
    await run._wait_out_pause()
    preview = await planner.plan_preview(at)
    assert {d.send_at for d in preview} == {sh(2026, 6, 1, 9, 2)}
    assert {d.retry for d in preview} == {False}
    assert {_line(d, at, SH).split("\t")[-1] for d in preview} == {"06-01 09:02 发送"}


async def test_a_digest_waiting_for_a_retry_is_listed_at_its_retry(session_factory):
    await add_branch(session_factory, "甲支部", None)
    planner = ReminderPlanner(session_factory, FixedClock(T0), admin_ids=[900])
    time = FakeTime()
    sender = make_sender(
        session_factory, FakeMessenger(time, failing(Transient("502"))), time, backoff=(300.0,)
    )
    due = digest_due(period_of(Cadence.MONTHLY, sh(2026, 5, 1).date()))
    await planner.plan(due)
    assert (await sender.send_due(due)).retrying == 1
    preview = await planner.plan_preview(due + timedelta(minutes=1))
    assert [d.send_at for d in preview] == [due + timedelta(minutes=5)]
    assert [(d.period, d.send_at, d.retry) for d in preview] == [
        ("2026-05", due + timedelta(minutes=5), True)
    ]
    line = _line(preview[0], due + timedelta(minutes=1), SH).split("\t")
    assert line[-1] == f"{due + timedelta(minutes=5):%m-%d %H:%M} 重试"
