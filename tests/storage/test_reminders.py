"""Reminder deliveries, mutes and the reminder columns of branches, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from storage.db import make_engine, make_session_factory
from storage.models import Branch, ReminderDelivery, ReminderMute
from storage.repositories import DeliveryRepository, RecordRepository, ReminderRepository, ReviewRepository
from storage.repositories.deliveries import UNDELIVERED
from tests.storage.builders import LATER, T0, add_branch, add_record

LEASE = timedelta(minutes=2)


def row(target: int, stage: str = "open", **kwargs) -> dict[str, object]:
    values: dict[str, object] = {
        "audience": "branch",
        "target_id": target,
        "branch_id": target,
        "chat_id": 5000 + target,
        "cadence": "monthly",
        "period": "2026-11",
        "stage": stage,
        "kinds": ["theme_day", "committee"],
    }
    values.update(kwargs)
    return values


async def branches(session_factory, n: int) -> list[int]:
    async with session_factory() as session, session.begin():
        return [(await add_branch(session, f"第{i}支部")).id for i in range(n)]


async def plan(session_factory, rows, at=T0) -> set:
    async with session_factory() as session, session.begin():
        return await DeliveryRepository(session).insert_new(rows, at=at, next_attempt_at=at)


async def claim(session_factory, now=T0, limit=100, worker="w1") -> list[ReminderDelivery]:
    async with session_factory() as session, session.begin():
        return await DeliveryRepository(session).claim(now=now, limit=limit, worker=worker, lease=LEASE)


async def test_insert_is_idempotent_under_the_unique_key(session_factory):
    ids = await branches(session_factory, 2)
    first = await plan(session_factory, [row(ids[0]), row(ids[1])])
    assert first == {(ids[0], "monthly", "2026-11", "open"), (ids[1], "monthly", "2026-11", "open")}
    again = await plan(session_factory, [row(ids[0]), row(ids[0], "nudge")])
    assert again == {(ids[0], "monthly", "2026-11", "nudge")}
    # An administrator's digest with the same number as a branch id is another row.
    digest = row(ids[0], "digest", audience="admin", branch_id=None, kinds=[], payload={"month": "2026-11"})
    assert await plan(session_factory, [digest]) == {(ids[0], "monthly", "2026-11", "digest")}
    async with session_factory() as session:
        repo = DeliveryRepository(session)
        assert await repo.counts() == {"pending": 4}
        assert await repo.statuses("branch", "monthly", "2026-11", "open") == {
            ids[0]: "pending",
            ids[1]: "pending",
        }
        got = (await repo.for_branch(ids[0]))[0]
        assert (got.kinds, got.attempts, got.next_attempt_at, got.payload) == (
            ["theme_day", "committee"],
            0,
            T0,
            None,
        )
    with pytest.raises(ValueError):
        await plan(session_factory, [{**row(ids[0]), "extra": 1}])
    with pytest.raises(ValueError):
        await plan(session_factory, [row(ids[0], audience="group")])


async def test_check_constraints(session_factory):
    (branch,) = await branches(session_factory, 1)
    with pytest.raises(IntegrityError):
        await plan(session_factory, [row(branch, "later")])


async def test_claim_due_rows_with_a_lease(session_factory):
    ids = await branches(session_factory, 3)
    await plan(session_factory, [row(ids[0]), row(ids[1])])
    await plan(session_factory, [row(ids[2])], at=LATER)  # due an hour later
    got = await claim(session_factory, limit=10)
    assert [r.target_id for r in got] == ids[:2]
    assert all(
        (r.status, r.attempts, r.claimed_by, r.lease_until) == ("sending", 1, "w1", T0 + LEASE) for r in got
    )
    assert await claim(session_factory, worker="w2") == []  # held by w1's lease
    # The lease expires: claimable again (a crashed sender), attempts counted again.
    again = await claim(session_factory, now=T0 + LEASE, worker="w2")
    assert [(r.target_id, r.claimed_by, r.attempts) for r in again] == [(ids[0], "w2", 2), (ids[1], "w2", 2)]
    # An hour later the third row is due, and w2's leases have expired too: oldest first.
    later = await claim(session_factory, now=LATER)
    assert [(r.target_id, r.attempts) for r in later] == [(ids[0], 3), (ids[1], 3), (ids[2], 1)]
    assert len(await claim(session_factory, now=LATER + LEASE, limit=1)) == 1


async def test_outcomes(session_factory):
    ids = await branches(session_factory, 4)
    await plan(session_factory, [row(i) for i in ids])
    got = await claim(session_factory)
    a, b, c, d = (r.id for r in got)
    async with session_factory() as session, session.begin():
        repo = DeliveryRepository(session)
        assert await repo.mark_sent(a, at=LATER, message_id=77, chat_id=9001)
        assert not await repo.mark_sent(a, at=LATER, message_id=78, chat_id=9001)  # already sent
        retry_at = LATER + timedelta(seconds=10)
        assert await repo.reschedule([b], at=LATER, next_attempt_at=retry_at, error="timeout " * 60) == 1
        assert (
            await repo.reschedule([c], at=LATER, next_attempt_at=retry_at, error=None, refund_attempt=True)
            == 1
        )
        assert await repo.finish([d], "dead", at=LATER, error="500") == 1
        assert await repo.finish([a], "skipped", at=LATER, error="x") == 0  # a sent row stays sent
        with pytest.raises(ValueError):
            await repo.finish([d], "sent", at=LATER, error=None)
        assert await repo.next_pending_at() == retry_at
    async with session_factory() as session:
        rows = {r.id: r for r in await session.scalars(select(ReminderDelivery))}
        assert (rows[a].status, rows[a].sent_at, rows[a].message_id, rows[a].chat_id) == (
            "sent",
            LATER,
            77,
            9001,
        )
        assert (rows[b].status, rows[b].attempts, rows[b].lease_until) == ("pending", 1, None)
        assert len(rows[b].last_error) == 200 and rows[b].last_error.endswith("…")
        assert (rows[c].status, rows[c].attempts) == ("pending", 0)  # the attempt was given back
        assert (rows[d].status, rows[d].last_error) == ("dead", "500")
        assert [r.id for r in await DeliveryRepository(session).with_status("dead")] == [d]


async def test_skip_pending_of_branch(session_factory):
    ids = await branches(session_factory, 2)
    await plan(
        session_factory, [row(ids[0]), row(ids[0], cadence="quarterly", period="2026-Q4"), row(ids[1])]
    )
    async with session_factory() as session, session.begin():
        assert (
            await DeliveryRepository(session).skip_pending_of_branch(ids[0], at=LATER, error="unreachable")
            == 2
        )
    async with session_factory() as session:
        assert await DeliveryRepository(session).counts() == {"pending": 1, "skipped": 2}


async def test_rearm_only_an_undelivered_row_for_another_chat(session_factory):
    """A row that never reached its chat is planned again for a new chat, as new (no attempt counted); a sent
    row, a row still pending, and an undelivered row for the same chat are left alone."""
    ids = await branches(session_factory, 4)
    await plan(session_factory, [row(i) for i in ids])
    got = await claim(session_factory)
    sent, dead, failed, pending = (r.id for r in got)
    async with session_factory() as session, session.begin():
        repo = DeliveryRepository(session)
        assert await repo.mark_sent(sent, at=LATER, message_id=1, chat_id=5000 + ids[0])
        assert await repo.finish([dead], "dead", at=LATER, error="500") == 1
        assert await repo.finish([failed], "failed", at=LATER, error="blocked") == 1
        assert await repo.reschedule([pending], at=LATER, next_attempt_at=LATER, error=None) == 1
        states = await repo.states("branch", "monthly", "2026-11", "open")
        assert {t: chat for t, (status, chat) in states.items() if status in UNDELIVERED} == {
            ids[1]: 5000 + ids[1],
            ids[2]: 5000 + ids[2],
        }
        again = [row(i, chat_id=7000 + i, kinds=["theme_day"]) for i in ids]
        again[2] = row(ids[2])  # the same chat: it refused this very chat, so not again
        retry = LATER + timedelta(hours=1)
        assert await repo.rearm(again, at=LATER, next_attempt_at=retry) == {
            (ids[1], "monthly", "2026-11", "open")
        }
        assert await repo.rearm(again, at=LATER, next_attempt_at=retry) == set()  # once
    async with session_factory() as session:
        rows = {r.id: r for r in await session.scalars(select(ReminderDelivery))}
        assert (rows[dead].status, rows[dead].chat_id, rows[dead].kinds) == (
            "pending",
            7000 + ids[1],
            ["theme_day"],
        )
        assert (rows[dead].attempts, rows[dead].next_attempt_at, rows[dead].last_error) == (0, retry, None)
        assert (rows[sent].status, rows[sent].chat_id) == ("sent", 5000 + ids[0])
        assert (rows[failed].status, rows[failed].chat_id) == ("failed", 5000 + ids[2])
        assert (rows[pending].status, rows[pending].chat_id) == ("pending", 5000 + ids[3])


async def test_mutes(session_factory):
    (branch,) = await branches(session_factory, 1)
    async with session_factory() as session, session.begin():
        repo = ReminderRepository(session)
        await repo.mute(
            branch_id=branch, kind="group_meeting", reason="与第二支部合开", period=None, created_by=1, at=T0
        )
        await repo.mute(
            branch_id=branch, kind="theme_day", reason="本月停工", period="2026-11", created_by=1, at=T0
        )
        # A new mute of the same kind replaces the old one.
        await repo.mute(
            branch_id=branch, kind="theme_day", reason="本月放假", period="2026-11", created_by=1, at=LATER
        )
        with pytest.raises(ValueError):
            await repo.mute(branch_id=branch, kind="theme_day", reason=" ", period=None, created_by=1, at=T0)
    async with session_factory() as session, session.begin():
        repo = ReminderRepository(session)
        kinds = ("theme_day", "group_meeting", "committee")
        november = await repo.mutes("2026-11", kinds)
        assert {k: m.reason for k, m in november.items()} == {
            (branch, "group_meeting"): "与第二支部合开",
            (branch, "theme_day"): "本月放假",
        }
        assert set(await repo.mutes("2026-12", kinds, [branch])) == {(branch, "group_meeting")}
        assert await repo.unmute(branch, "group_meeting", at=LATER)
        assert not await repo.unmute(branch, "group_meeting", at=LATER)
        assert [m.kind for m in await repo.mutes_of(branch)] == ["theme_day"]
        assert set(await repo.mutes("2026-12", kinds, [branch])) == set()


async def test_mutes_are_kept_as_history(session_factory):
    """Replacing or lifting a mute ends it (``ended_at``) instead of deleting it; one current row per kind."""
    (branch,) = await branches(session_factory, 1)
    async with session_factory() as session, session.begin():
        repo = ReminderRepository(session)
        await repo.mute(
            branch_id=branch, kind="lecture", reason="暂无授课人", period=None, created_by=1, at=T0
        )
        await repo.mute(
            branch_id=branch, kind="lecture", reason="本季度停产", period="2026-Q4", created_by=1, at=LATER
        )
        assert await repo.unmute(branch, "lecture", at=LATER + timedelta(days=1))
        with pytest.raises(ValueError):
            await repo.unmute(branch, "lecture", at=datetime(2026, 11, 1))  # naive
    async with session_factory() as session:
        history = await ReminderRepository(session).mute_history([branch])
        assert [(m.reason, m.created_at, m.ended_at) for m in history] == [
            ("暂无授课人", T0, LATER),
            ("本季度停产", LATER, LATER + timedelta(days=1)),
        ]
        assert await ReminderRepository(session).mutes_of(branch) == []
        assert await ReminderRepository(session).mute_history([branch + 1]) == []


async def test_recorded_kinds(session_factory):
    ids = await branches(session_factory, 2)
    async with session_factory() as session, session.begin():
        await add_record(session, ids[0])  # theme_day 2026-11
        withdrawn = await add_record(session, ids[1])
        await add_record(session, ids[1], kind="committee", period="2026-10", held_on=date(2026, 10, 9))
        await RecordRepository(session).withdraw(withdrawn.id, LATER)
    async with session_factory() as session:
        repo = ReminderRepository(session)
        assert await repo.recorded("2026-11", ["theme_day", "committee"]) == {(ids[0], "theme_day")}
        assert await repo.recorded("2026-10", ["committee"], [ids[0]]) == set()
        assert await repo.recorded("2026-10", ["committee"], [ids[1]]) == {(ids[1], "committee")}


async def returned_by_review(session, record_id: int) -> None:
    repo = ReviewRepository(session)
    moved = await repo.move(
        record_id, expected=("pending_review",), state="returned", action="returned", actor_id=1, at=LATER
    )
    assert moved is not None


async def test_returned_kinds_point_at_the_latest_returned_record(session_factory):
    ids = await branches(session_factory, 3)
    async with session_factory() as session, session.begin():
        # Branch 0: two returned theme_day records (the later one is named), a returned committee record beside
        # a withdrawn one, and a returned record of another period.
        first = await add_record(session, ids[0])
        latest = await add_record(session, ids[0], held_on=date(2026, 11, 5))
        committee = await add_record(session, ids[0], kind="committee")
        withdrawn = await add_record(session, ids[0], kind="committee")
        october = await add_record(session, ids[0], period="2026-10", held_on=date(2026, 10, 9))
        # Branch 1: its returned record has a sibling still waiting for review, so nothing is to amend.
        shadowed = await add_record(session, ids[1])
        await add_record(session, ids[1])
        # Branch 2: a returned record that was then withdrawn is no longer to amend.
        gone = await add_record(session, ids[2])
        for record in (first, latest, committee, october, shadowed, gone):
            await returned_by_review(session, record.id)
        await RecordRepository(session).withdraw(withdrawn.id, LATER)
        await RecordRepository(session).withdraw(gone.id, LATER)
    async with session_factory() as session:
        repo = ReminderRepository(session)
        kinds = ["theme_day", "committee"]
        assert await repo.returned("2026-11", kinds) == {
            (ids[0], "theme_day"): latest.id,
            (ids[0], "committee"): committee.id,
        }
        assert await repo.returned("2026-11", ["committee"], [ids[0], ids[1]]) == {
            (ids[0], "committee"): committee.id
        }
        assert await repo.returned("2026-11", kinds, [ids[1], ids[2]]) == {}
        assert await repo.returned("2026-10", kinds, [ids[0]]) == {(ids[0], "theme_day"): october.id}
        # Still owed: a returned record is not recorded.
        assert await repo.recorded("2026-11", kinds, [ids[0]]) == set()


async def test_waiting_kinds_of_some_branches(session_factory):
    ids = await branches(session_factory, 3)
    async with session_factory() as session, session.begin():
        await add_record(session, ids[0])  # theme_day waits for review
        passed = await add_record(session, ids[0], kind="committee")
        await add_record(session, ids[0], kind="committee")  # waits, but another one passed
        await add_record(session, ids[1])
        await add_record(session, ids[2], period="2026-10", held_on=date(2026, 10, 9))
        await ReviewRepository(session).move(
            passed.id, expected=("pending_review",), state="passed", action="passed", actor_id=1, at=LATER
        )
    async with session_factory() as session:
        repo = ReminderRepository(session)
        kinds = ["theme_day", "committee"]
        assert await repo.waiting("2026-11", kinds) == {(ids[0], "theme_day"), (ids[1], "theme_day")}
        assert await repo.waiting("2026-11", kinds, [ids[0]]) == {(ids[0], "theme_day")}
        assert await repo.waiting("2026-11", kinds, [ids[2]]) == set()
        assert await repo.waiting("2026-10", kinds, [ids[1], ids[2]]) == {(ids[2], "theme_day")}


async def test_hour_and_reachability(session_factory):
    (branch,) = await branches(session_factory, 1)
    async with session_factory() as session, session.begin():
        repo = ReminderRepository(session)
        assert await repo.set_hour(branch, 20)
        assert not await repo.set_hour(branch + 99, 9)
        for bad in (7, 21, True):
            with pytest.raises(ValueError):
                await repo.set_hour(branch, bad)
        # Nobody to flag without a secretary; then the secretary's flag is set and cleared.
        assert not await repo.mark_unreachable(branch, secretary_user_id=42, at=T0)
        b = await session.get(Branch, branch)
        b.secretary_user_id = 42
        await session.flush()
        assert await repo.mark_unreachable(branch, secretary_user_id=42, at=T0)
        assert not await repo.mark_unreachable(branch, secretary_user_id=42, at=LATER)  # already flagged
        assert [x.secretary_unreachable_at for x in await repo.branches([branch])] == [T0]
        assert await repo.mark_reachable(42)
        assert not await repo.mark_reachable(42)
        assert (await repo.branches())[0].reminder_hour == 20


async def test_deleting_a_branch_deletes_its_deliveries_and_mutes(session_factory):
    (branch,) = await branches(session_factory, 1)
    await plan(session_factory, [row(branch)])
    async with session_factory() as session, session.begin():
        await ReminderRepository(session).mute(
            branch_id=branch, kind="theme_day", reason="停工", period=None, created_by=1, at=T0
        )
    async with session_factory() as session, session.begin():
        await session.execute(delete(Branch).where(Branch.id == branch))
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(ReminderDelivery)) == 0
        assert await session.scalar(select(func.count()).select_from(ReminderMute)) == 0


async def test_concurrent_claims_never_share_a_row(db_url, session_factory):
    """Many claimers at once (separate connections): every row is claimed exactly once (PostgreSQL:
    FOR UPDATE SKIP LOCKED; SQLite serialises writers)."""
    ids = await branches(session_factory, 60)
    await plan(session_factory, [row(i) for i in ids])
    engines = [make_engine(db_url) for _ in range(4)]
    try:
        factories = [make_session_factory(e) for e in engines]

        async def claimer(name: str, factory) -> list[int]:
            got: list[int] = []
            while True:
                try:
                    rows = await claim(factory, limit=7, worker=name)
                except Exception as exc:  # SQLite: "database is locked" under contention; try again
                    if "locked" not in str(exc):
                        raise
                    await asyncio.sleep(0.01)
                    continue
                if not rows:
                    return got
                got.extend(r.id for r in rows)

        results = await asyncio.gather(*(claimer(f"w{i}", f) for i, f in enumerate(factories)))
    finally:
        for engine in engines:
            await engine.dispose()
    claimed = [i for r in results for i in r]
    assert len(claimed) == len(set(claimed)) == 60
