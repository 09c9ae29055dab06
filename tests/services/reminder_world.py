"""A small world for the reminder service tests: fake time, a fake Messenger, branches with secretaries."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.services.clock import FixedClock
from handlers.services.reminders import (
    DeliveryView,
    ReminderPlanner,
    ReminderSender,
    SenderOptions,
)
from knowledge.activities import activity_by_code, period_of
from storage.repositories import BranchRepository, RecordRepository, ReminderRepository

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 1, 1, 0, 0, tzinfo=SH)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


class FakeTime:
    """A monotonic clock that only moves when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)  # what was started before the sleep runs at the time it was started
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


@dataclass
class Call:
    chat_id: int
    view: DeliveryView
    at: float  # fake monotonic time the request started
    delivered: bool = False


@dataclass
class FakeMessenger:
    """Records every request; ``script(call_number, chat_id, view)`` may return an exception to raise."""

    time: FakeTime | None = None
    script: Callable[[int, int, DeliveryView], BaseException | None] | None = None
    calls: list[Call] = field(default_factory=list)

    async def send_reminder(self, chat_id: int, delivery: DeliveryView) -> int:
        call = Call(chat_id, delivery, self.time.now if self.time else 0.0)
        self.calls.append(call)
        await asyncio.sleep(0)  # let other sends start: requests overlap
        outcome = self.script(len(self.calls), chat_id, delivery) if self.script else None
        if outcome is not None:
            raise outcome
        call.delivered = True
        return 100_000 + len(self.calls)

    @property
    def delivered(self) -> list[Call]:
        return [c for c in self.calls if c.delivered]

    def per_chat(self) -> Counter[int]:
        return Counter(c.chat_id for c in self.delivered)

    def stages(self) -> list[tuple[int, str, str, str]]:
        """(chat, cadence, period, stage) of each delivered message, in order."""
        return [(c.chat_id, c.view.cadence, c.view.period, c.view.stage) for c in self.delivered]


def make_sender(
    session_factory,
    messenger,
    time: FakeTime,
    *,
    clock: FixedClock | None = None,
    worker: str = "w1",
    **options,
) -> ReminderSender:
    return ReminderSender(
        session_factory,
        clock or FixedClock(T0),
        messenger,
        options=SenderOptions(**options),
        worker_id=worker,
        monotonic=time.monotonic,
        sleep=time.sleep,
    )


async def add_branch(
    session_factory,
    name: str,
    secretary: int | None = None,
    *,
    hour: int | None = None,
    created: datetime = T0 - timedelta(days=400),
    members: int = 8,
) -> int:
    async with session_factory() as session, session.begin():
        branch = await BranchRepository(session).add(
            org_name="某科技有限公司", name=name, form="single", formal_members=members, at=created
        )
        if secretary is not None:
            await BranchRepository(session).set_secretary(branch.id, secretary, f"书记{secretary}", created)
        if hour is not None:
            await ReminderRepository(session).set_hour(branch.id, hour)
        return branch.id


async def add_branches(session_factory, n: int, first_secretary: int = 10_000) -> list[int]:
    return [await add_branch(session_factory, f"第{i}支部", first_secretary + i) for i in range(n)]


async def record(session_factory, branch_id: int, kind: str, held_on: date, by: int = 1) -> int:
    ak = activity_by_code(kind)
    assert ak is not None
    async with session_factory() as session, session.begin():
        row = await RecordRepository(session).add(
            branch_id=branch_id,
            kind=kind,
            period=period_of(ak.cadence, held_on).code,
            held_on=held_on,
            topic="测试活动",
            submitted_by=by,
            at=datetime(held_on.year, held_on.month, held_on.day, 12, tzinfo=SH),
        )
        return row.id


async def plan_and_send(planner: ReminderPlanner, sender: ReminderSender, at: datetime, rate: float = 25.0):
    await planner.plan(at)
    return await sender.send_due(at, rate)
