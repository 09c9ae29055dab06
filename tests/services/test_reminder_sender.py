"""The sender through a fake Messenger, on SQLite and PostgreSQL: once each, at the rate, through 429, 403,
5xx and time-outs, across a crash and with two senders at once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from handlers.services.clock import FixedClock
from handlers.services.reminders import (
    Audience,
    Blocked,
    ReminderPlanner,
    ReminderSender,
    ReminderService,
    RetryAfter,
    SenderOptions,
    Transient,
)
from storage.db import make_engine, make_session_factory
from storage.models import Branch, ReminderDelivery
from tests.services.reminder_world import (
    T0,
    Call,
    FakeMessenger,
    FakeTime,
    add_branch,
    add_branches,
    make_sender,
    record,
    sh,
)
from tests.services.test_reminder_limiter import max_in_any_window

JUNE_1 = sh(2026, 6, 1, 9)  # June's opening; Q2's nudge (15 May) is the quarter's latest stage: 2 rows each


async def statuses(session_factory) -> Counter[str]:
    async with session_factory() as session:
        return Counter(r.status for r in await session.scalars(select(ReminderDelivery)))


async def test_every_row_once_within_the_rate(session_factory):
    await add_branches(session_factory, 30)
    time = FakeTime()
    messenger = FakeMessenger(time)
    await ReminderPlanner(session_factory, FixedClock(T0)).plan(JUNE_1)
    report = await make_sender(session_factory, messenger, time).send_due(JUNE_1, rate=25)
    assert (report.sent, report.failed, report.skipped) == (60, 0, 0)
    assert [c.view.id for c in messenger.calls] == sorted({c.view.id for c in messenger.calls})  # each once
    assert max_in_any_window([c.at for c in messenger.calls]) <= 25
    # Two messages to the same chat are a second apart at least.
    by_chat: dict[int, list[float]] = {}
    for call in messenger.calls:
        by_chat.setdefault(call.chat_id, []).append(call.at)
    assert all(b - a >= 1.0 for times in by_chat.values() for a, b in zip(times, times[1:], strict=False))
    assert 20 <= report.rate_achieved <= 25
    assert await statuses(session_factory) == {"sent": 60}
    async with session_factory() as session:
        row = (await session.scalars(select(ReminderDelivery).order_by(ReminderDelivery.id))).first()
        assert row.message_id and row.sent_at and row.attempts == 1 and row.lease_until is None
    view = messenger.calls[0].view
    assert (view.kinds, view.kind_names[0], view.period_label, view.deadline) == (
        ("theme_day", "committee", "group_meeting", "joint_study"),
        "主题党日",
        "2026年6月",
        date(2026, 6, 30),
    )
    assert view.cites == (
        "每月开展一次“主题党日”活动",
        "认真落实“三会一课”",
        "每月至少组织1次党组织班子成员和企业管理人员集体学习",
    )
    again = await make_sender(session_factory, messenger, time).send_due(JUNE_1 + timedelta(minutes=1))
    assert (again.sent, len(messenger.calls)) == (0, 60)


async def test_429_pauses_the_whole_broadcast_then_resumes(session_factory):
    await add_branches(session_factory, 20)
    time = FakeTime()
    messenger = FakeMessenger(time, script=lambda n, chat, view: RetryAfter(5) if n == 12 else None)
    await ReminderPlanner(session_factory, FixedClock(T0)).plan(JUNE_1)
    report = await make_sender(session_factory, messenger, time, concurrency=1).send_due(JUNE_1, rate=25)
    assert (report.sent, report.failed, report.paused_seconds) == (40, 0, 5.0)
    limited = messenger.calls[11]
    after = [c.at for c in messenger.calls[12:]]
    assert min(after) >= limited.at + 5.0  # nothing at all during the pause
    assert Counter(c.view.id for c in messenger.delivered) == Counter(
        {c.view.id: 1 for c in messenger.delivered}
    )
    assert limited.view.id in {c.view.id for c in messenger.delivered}  # not dropped
    assert await statuses(session_factory) == {"sent": 40}
    async with session_factory() as session:
        row = await session.get(ReminderDelivery, limited.view.id)
        assert row.attempts == 1  # a 429 is not the row's failure
    assert max_in_any_window([c.at for c in messenger.calls]) <= 25


async def test_403_marks_unreachable_until_start_again(session_factory):
    ids = await add_branches(session_factory, 3)
    blocked_chat = 10_001
    time = FakeTime()
    messenger = FakeMessenger(
        time, script=lambda n, chat, view: Blocked("403 Forbidden") if chat == blocked_chat else None
    )
    planner = ReminderPlanner(session_factory, FixedClock(T0))
    await planner.plan(JUNE_1)
    report = await make_sender(session_factory, messenger, time).send_due(JUNE_1)
    assert (report.sent, report.failed, report.skipped) == (4, 1, 1)
    assert [c.chat_id for c in messenger.calls].count(blocked_chat) == 1  # knocked once, not twice
    async with session_factory() as session:
        branch = await session.get(Branch, ids[1])
        assert branch.secretary_unreachable_at is not None
        rows = list(
            await session.scalars(select(ReminderDelivery).where(ReminderDelivery.branch_id == ids[1]))
        )
        assert sorted((r.status, r.last_error) for r in rows) == [
            ("failed", "403 Forbidden"),
            ("skipped", "secretary unreachable"),
        ]
    assert {d.target_id for d in await planner.plan(sh(2026, 6, 22, 9))} == {ids[0], ids[2]}
    assert await ReminderService(session_factory, FixedClock(T0)).mark_reachable(blocked_chat)
    assert {d.target_id for d in await planner.plan(sh(2026, 6, 22, 10))} == {ids[1]}


async def test_transient_errors_are_retried_with_backoff_then_dead(session_factory):
    ids = await add_branches(session_factory, 3)
    flaky, broken = 10_000, 10_002
    time = FakeTime()

    def script(n, chat, view):
        if chat == broken and view.cadence == "monthly":
            return Transient("502 Bad Gateway") if n % 2 else ValueError("a bug in rendering")
        if chat == flaky and view.cadence == "monthly" and view.attempt == 1:
            return Transient("timeout")
        return None

    messenger = FakeMessenger(time, script=script)
    await ReminderPlanner(session_factory, FixedClock(T0)).plan(JUNE_1)
    sender = make_sender(session_factory, messenger, time)
    report = await sender.send_due(JUNE_1)
    # The time-out was retried 10 s later within the same run (it waits up to 15 s for an almost-due retry);
    # the broken row was retried once too (10 s) and then waits a minute.
    assert (report.sent, report.retrying, report.failed) == (6 - 1, 3, 0)
    assert [
        c.view.attempt for c in messenger.calls if c.chat_id == flaky and c.view.cadence == "monthly"
    ] == [1, 2]
    for minutes in (2, 10, 60):  # 1 min, 5 min, then dead at the fifth attempt
        report = await sender.send_due(JUNE_1 + timedelta(minutes=minutes))
    assert (report.dead, report.failed) == (1, 1)
    assert [
        c.view.attempt for c in messenger.calls if c.chat_id == broken and c.view.cadence == "monthly"
    ] == [
        1,
        2,
        3,
        4,
        5,
    ]
    dead = await ReminderService(session_factory, FixedClock(T0)).dead()
    assert [(d.branch_id, d.attempts, d.stage) for d in dead] == [(ids[2], 5, "open")]
    assert dead[0].last_error in ("502 Bad Gateway", "unexpected ValueError")
    assert await statuses(session_factory) == {"sent": 5, "dead": 1}


class Crash(BaseException):
    """The process dies: nothing runs after it, not even error handling."""


class DyingMessenger(FakeMessenger):
    """Dies at call ``crash_at``: what was in flight then reached Telegram, but was never recorded."""

    crash_at: int = 0
    dead: bool = False

    async def send_reminder(self, chat_id, delivery):
        if self.dead:
            raise Crash
        call = Call(chat_id, delivery, self.time.now)
        self.calls.append(call)
        number = len(self.calls)  # this call's number (others start while it is in flight)
        await asyncio.sleep(0)
        call.delivered = True  # Telegram has it
        if number == self.crash_at:
            self.dead = True
        if self.dead:
            raise Crash
        return 100_000 + len(self.calls)


async def test_a_crash_mid_broadcast_sends_nothing_twice_but_what_was_in_flight(session_factory):
    await add_branches(session_factory, 40)
    await ReminderPlanner(session_factory, FixedClock(T0)).plan(JUNE_1)
    time = FakeTime()
    dying = DyingMessenger(time)
    dying.crash_at = 33

    def dying_factory():
        if dying.dead:
            raise Crash
        return session_factory()

    with pytest.raises(Crash):
        await make_sender(dying_factory, dying, time, concurrency=4).send_due(JUNE_1)
    recorded = await statuses(session_factory)
    assert 20 < recorded["sent"] < 33 and recorded["sending"] > 0 and recorded["pending"] > 0
    async with session_factory() as session:
        sent_ids = {
            r.id
            for r in await session.scalars(select(ReminderDelivery).where(ReminderDelivery.status == "sent"))
        }
    # Restart at once: the unclaimed rows go; the claimed ones wait for their lease (2 minutes), then go.
    messenger = FakeMessenger(time, calls=dying.calls)
    restarted = make_sender(session_factory, messenger, time, worker="w2")
    first = await restarted.send_due(JUNE_1 + timedelta(seconds=30))
    assert await statuses(session_factory) == {
        "sent": 80 - recorded["sending"],
        "sending": recorded["sending"],
    }
    second = await restarted.send_due(JUNE_1 + timedelta(minutes=3))
    assert (first.skipped, second.skipped, first.failed + second.failed) == (0, 0, 0)
    assert await statuses(session_factory) == {"sent": 80}
    delivered = Counter(c.view.id for c in dying.calls if c.delivered)
    assert len(delivered) == 80  # nothing skipped
    assert all(delivered[i] == 1 for i in sent_ids)  # nothing recorded as sent went again
    duplicates = sum(n - 1 for n in delivered.values())
    assert 1 <= duplicates <= 4  # only what was in flight at the crash: at most the concurrency


async def test_rows_no_longer_worth_sending_are_skipped(session_factory):
    a = await add_branch(session_factory, "甲支部", 1001)
    b = await add_branch(session_factory, "乙支部", 1002)
    planner = ReminderPlanner(session_factory, FixedClock(T0))
    await planner.plan(sh(2026, 6, 22, 9))  # nudges of June for both (and Q2 nudges)
    # Before the sender runs: b records every monthly kind, and a's monthly nudge is overtaken by the last call.
    for kind in ("theme_day", "committee", "group_meeting", "joint_study"):
        await record(session_factory, b, kind, date(2026, 6, 22))
    await planner.plan(sh(2026, 6, 26, 9))
    time = FakeTime()
    messenger = FakeMessenger(time)
    report = await make_sender(session_factory, messenger, time).send_due(sh(2026, 6, 26, 9))
    sent = sorted((c.view.branch_id, str(c.view.cadence), str(c.view.stage)) for c in messenger.calls)
    assert sent == [(a, "monthly", "last"), (a, "quarterly", "last"), (b, "quarterly", "last")]
    # The two monthly nudges: overtaken by the last call (a), recorded meanwhile (b). The quarter's nudges, due
    # 15 May, were never planned on the 22nd: a catch-up the last call (the 23rd, 24 hours on) says anyway.
    assert report.skipped == 2
    # A period that closed before the sender came back: skipped, never sent.
    await planner.plan(sh(2026, 6, 30, 20))  # nothing new
    c = await add_branch(session_factory, "丙支部", 1003)
    await planner.plan(sh(2026, 6, 30, 20))
    report = await make_sender(session_factory, messenger, time).send_due(sh(2026, 7, 1, 8))
    assert (report.sent, report.skipped) == (0, 2)
    assert c


async def test_quiet_hours_nothing_is_sent_before_eight(session_factory):
    await add_branch(session_factory, "甲支部", 1001)
    planner = ReminderPlanner(session_factory, FixedClock(T0))
    await planner.plan(sh(2026, 6, 1, 22))
    time = FakeTime()
    messenger = FakeMessenger(time)
    sender = make_sender(session_factory, messenger, time)
    assert (await sender.send_due(sh(2026, 6, 1, 22))).sent == 0
    assert (await sender.send_due(sh(2026, 6, 2, 7, 59))).sent == 0
    assert (await sender.send_due(sh(2026, 6, 2, 8))).sent == 2


async def test_the_digest_reaches_the_administrators(session_factory):
    await add_branch(session_factory, "甲支部", 1001)
    planner = ReminderPlanner(session_factory, FixedClock(T0), admin_ids={900})
    at = sh(2026, 7, 1, 9)
    await planner.plan(at)
    time = FakeTime()
    messenger = FakeMessenger(time)
    await make_sender(session_factory, messenger, time).send_due(at)
    (digest,) = [c.view for c in messenger.calls if c.view.audience is Audience.ADMIN]
    assert (digest.chat_id, digest.period, digest.stage, digest.branch_id, digest.kinds) == (
        900,
        "2026-06",
        "digest",
        None,
        (),
    )
    assert [(str(p.cadence), p.period, p.total, p.complete) for p in digest.digest.periods] == [
        ("monthly", "2026-06", 1, 0),
        ("quarterly", "2026-Q2", 1, 0),
    ]


async def test_two_senders_on_postgresql_never_send_a_row_twice(db_url, session_factory):
    if db_url.startswith("sqlite"):
        pytest.skip("on SQLite one sender process is assumed")
    await add_branches(session_factory, 100)
    await ReminderPlanner(session_factory, FixedClock(T0)).plan(JUNE_1)
    messenger = FakeMessenger()
    engines = [make_engine(db_url), make_engine(db_url)]
    try:
        senders = [
            ReminderSender(
                make_session_factory(engine),
                FixedClock(T0),
                messenger,
                options=SenderOptions(batch_size=8, linger=0.0),
                worker_id=f"sender{i}",
            )
            for i, engine in enumerate(engines)
        ]
        reports = await asyncio.gather(*(s.send_due(JUNE_1, rate=1000) for s in senders))
    finally:
        for engine in engines:
            await engine.dispose()
    assert sum(r.sent for r in reports) == 200 and all(r.sent > 0 for r in reports)
    assert Counter(Counter(c.view.id for c in messenger.calls).values()) == {1: 200}
    async with session_factory() as session:
        claimers = Counter(r.claimed_by for r in await session.scalars(select(ReminderDelivery)))
    assert set(claimers) == {"sender0", "sender1"}


async def test_a_row_that_keeps_crashing_its_sender_ends_dead(session_factory):
    await add_branch(session_factory, "甲支部", 1001)
    await ReminderPlanner(session_factory, FixedClock(T0)).plan(sh(2026, 6, 2, 9))
    from storage.repositories import DeliveryRepository

    for k in range(5):  # five senders claimed it and died
        async with session_factory() as session, session.begin():
            await DeliveryRepository(session).claim(
                now=sh(2026, 6, 2, 9) + timedelta(minutes=3 * k),
                limit=10,
                worker="dying",
                lease=timedelta(minutes=2),
            )
    time = FakeTime()
    messenger = FakeMessenger(time)
    report = await make_sender(session_factory, messenger, time).send_due(sh(2026, 6, 2, 10))
    assert (report.sent, report.dead, messenger.calls) == (0, 2, [])
