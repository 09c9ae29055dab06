"""The administrators' digest rows a catch-up reads and plans again, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import ReminderDelivery
from storage.repositories import DeliveryRepository
from tests.storage.builders import LATER, T0
from tests.storage.test_reminders import LEASE, plan


def digest(admin: int, period: str, **payload) -> dict[str, object]:
    return {
        "audience": "admin",
        "target_id": admin,
        "branch_id": None,
        "chat_id": admin,
        "cadence": "monthly",
        "period": period,
        "stage": "digest",
        "kinds": [],
        "payload": {"month": period, **payload},
    }


async def set_status(session_factory, status: str, admin: int, period: str) -> None:
    async with session_factory() as session, session.begin():
        row = await session.scalar(
            select(ReminderDelivery).where(
                ReminderDelivery.target_id == admin, ReminderDelivery.period == period
            )
        )
        row.status = status


async def test_the_latest_digest_each_administrator_got_or_was_tried_on(session_factory):
    await plan(
        session_factory, [digest(1, p) for p in ("2026-10", "2026-11", "2026-12")] + [digest(2, "2026-09")]
    )
    await set_status(session_factory, "sent", 1, "2026-10")
    await set_status(session_factory, "dead", 1, "2026-11")  # tried to the end: counts
    await set_status(session_factory, "skipped", 1, "2026-12")  # out of date, never sent: does not
    async with session_factory() as session:
        repo = DeliveryRepository(session)
        assert await repo.digests_attempted() == {1: "2026-11"}  # 2's only row still waits
        assert [(r.target_id, r.period) for r in await repo.digests_of({"2026-12", "2026-09"})] == [
            (1, "2026-12"),
            (2, "2026-09"),
        ]


async def test_replan_turns_only_a_digest_never_sent_nor_being_sent_into_the_catch_up(session_factory):
    await plan(
        session_factory,
        [digest(1, "2026-12"), digest(2, "2026-12"), digest(3, "2026-12"), digest(4, "2026-12")],
    )
    await set_status(session_factory, "skipped", 2, "2026-12")
    await set_status(session_factory, "sent", 3, "2026-12")
    async with session_factory() as session, session.begin():
        claimed = await DeliveryRepository(session).claim(now=T0, limit=10, worker="w", lease=LEASE)
        assert {r.target_id for r in claimed} == {1, 4}
    async with session_factory() as session, session.begin():
        await DeliveryRepository(session).reschedule(
            [r.id for r in claimed if r.target_id == 1], at=T0, next_attempt_at=T0, error="timeout"
        )
    rows = [digest(admin, "2026-12", catch_up=True) for admin in (1, 2, 3, 4)]
    async with session_factory() as session, session.begin():
        changed = await DeliveryRepository(session).replan_digests(rows, at=LATER, next_attempt_at=LATER)
    assert changed == {(1, "monthly", "2026-12", "digest"), (2, "monthly", "2026-12", "digest")}
    async with session_factory() as session:
        found = {r.target_id: r for r in await session.scalars(select(ReminderDelivery))}
    assert {a: (r.status, r.attempts, bool(r.payload.get("catch_up"))) for a, r in found.items()} == {
        1: ("pending", 0, True),
        2: ("pending", 0, True),
        3: ("sent", 0, False),  # sent: never again
        4: ("sending", 1, False),  # a sender holds it
    }
    assert found[1].next_attempt_at == LATER and found[1].last_error is None
