"""Branches, invitations, activity records, drafts and PTB state, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from storage.models import ActivityRecord, Branch, Invitation, PtbState, RecordAmendment, RecordFile
from storage.repositories import (
    BranchRepository,
    DraftRepository,
    InvitationRepository,
    NotFoundError,
    PtbStateRepository,
    RecordRepository,
    RedeemResult,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 3, 9, 0, tzinfo=SHANGHAI)
LATER = T0 + timedelta(hours=1)


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


async def add_branch(session, name: str = "第一支部", **kwargs) -> Branch:
    values = {"org_name": "某科技有限公司", "name": name, "form": "single", "formal_members": 5, "at": T0}
    values.update(kwargs)
    return await BranchRepository(session).add(**values)


def photo(position: int, unique: str | None = None, role: str = "photo") -> dict[str, object]:
    return {
        "role": role,
        "sha256": hashlib.sha256(f"{role}{position}".encode()).hexdigest(),
        "size": 1000 + position,
        "mime": "image/jpeg" if role == "photo" else "application/pdf",
        "telegram_file_id": f"AgACAgUAAxkBAAI{position}",
        "telegram_file_unique_id": unique or f"AQAD{role}{position}",
        "position": position,
    }


async def add_record(session, branch_id: int, **kwargs) -> ActivityRecord:
    values: dict[str, object] = {
        "branch_id": branch_id,
        "kind": "theme_day",
        "period": "2026-11",
        "held_on": date(2026, 11, 2),
        "topic": "学习党的二十届四中全会精神",
        "submitted_by": 1001,
        "at": T0,
    }
    values.update(kwargs)
    return await RecordRepository(session).add(**values)


# --- Branches ---------------------------------------------------------------------------------------


async def test_branch_add_get_list(session_factory):
    async with session_factory() as session, session.begin():
        repo = BranchRepository(session)
        second = await add_branch(session, "第二支部", form="joint", formal_members=2, units=3)
        first = await add_branch(session, "第一支部")
        ids = (second.id, first.id)

    async with session_factory() as session:
        repo = BranchRepository(session)
        branches = await repo.list_all()
        assert [b.id for b in branches] == sorted(ids)
        got = await repo.get(ids[0])
        assert got is not None
        assert (got.org_name, got.name, got.form, got.formal_members, got.units) == (
            "某科技有限公司",
            "第二支部",
            "joint",
            2,
            3,
        )
        assert (got.secretary_user_id, got.secretary_name) == (None, None)
        assert got.created_at == got.updated_at == T0
        assert got.created_at.tzinfo is not None
        assert await repo.get(max(ids) + 100) is None


BAD_BRANCH_VALUES = [
    {"form": "merged"},
    {"formal_members": -1},
    {"formal_members": True},
    {"formal_members": "3"},
    {"units": -2},
    {"name": "  "},
    {"org_name": "x" * 201},
]


async def test_branch_add_validation(session_factory):
    async with session_factory() as session:
        for bad in BAD_BRANCH_VALUES:
            with pytest.raises(ValueError):
                await add_branch(session, **bad)
        assert await BranchRepository(session).list_all() == []


async def test_branch_update(session_factory):
    async with session_factory() as session, session.begin():
        branch_id = (await add_branch(session)).id

    async with session_factory() as session, session.begin():
        repo = BranchRepository(session)
        updated = await repo.update(
            branch_id, LATER, form="attached", formal_members=2, units=None, name="新名"
        )
        assert (updated.form, updated.formal_members, updated.name) == ("attached", 2, "新名")
        assert updated.updated_at == LATER
        # Nothing changes: updated_at stays.
        same = await repo.update(branch_id, LATER + timedelta(days=1), form="attached")
        assert same.updated_at == LATER

        for bad in (
            {"form": "x"},
            {"formal_members": -1},
            {"units": -1},
            {"secretary_user_id": 5},
            {"id": 9},
        ):
            with pytest.raises(ValueError):
                await repo.update(branch_id, LATER, **bad)
        with pytest.raises(NotFoundError):
            await repo.update(branch_id + 100, LATER, name="x")

    async with session_factory() as session:
        got = await BranchRepository(session).get(branch_id)
        assert got is not None
        assert (got.form, got.formal_members, got.units, got.name, got.org_name) == (
            "attached",
            2,
            None,
            "新名",
            "某科技有限公司",
        )
        assert got.created_at == T0 and got.updated_at == LATER


async def test_branch_check_constraints_guard_the_columns(session_factory):
    """The database itself refuses what the repository would, when bypassed."""
    for bad in ({"form": "merged"}, {"formal_members": -1}):
        async with session_factory() as session:
            values = {"org_name": "o", "name": "n", "form": "single", "formal_members": 1}
            values.update(bad)
            session.add(Branch(**values, created_at=T0, updated_at=T0))
            with pytest.raises(IntegrityError):
                await session.flush()
            await session.rollback()


async def test_one_user_one_branch(session_factory):
    async with session_factory() as session, session.begin():
        repo = BranchRepository(session)
        a = (await add_branch(session, "A")).id
        b = (await add_branch(session, "B")).id
        # Higher id first, so a naive single flush would update A before releasing B.
        await repo.set_secretary(b, 42, "张三", T0)
        await repo.set_secretary(b, 7, "王五", T0)  # replaces 42 on B
        await repo.set_secretary(a, 42, "张三", T0)
        moved = await repo.set_secretary(b, 42, "张三", LATER)  # moves 42 from A to B
        assert moved.id == b and moved.secretary_user_id == 42

    async with session_factory() as session:
        repo = BranchRepository(session)
        branch_a, branch_b = await repo.get(a), await repo.get(b)
        assert branch_a is not None and branch_b is not None
        assert (branch_a.secretary_user_id, branch_a.secretary_name, branch_a.updated_at) == (
            None,
            None,
            LATER,
        )
        assert (branch_b.secretary_user_id, branch_b.secretary_name) == (42, "张三")
        assert (await repo.by_secretary(42)).id == b
        assert await repo.by_secretary(7) is None  # 王五 was replaced on B
        assert await repo.by_secretary(99) is None

    async with session_factory() as session, session.begin():
        repo = BranchRepository(session)
        with pytest.raises(NotFoundError):
            await repo.set_secretary(b + 100, 42, "x", T0)
        cleared = await repo.set_secretary(b, None, "ignored", LATER)
        assert (cleared.secretary_user_id, cleared.secretary_name) == (None, None)
        assert await repo.by_secretary(42) is None


async def test_secretary_unique_constraint_in_database(session_factory):
    async with session_factory() as session:
        session.add_all(
            Branch(
                org_name="o",
                name=name,
                form="single",
                formal_members=3,
                secretary_user_id=5,
                created_at=T0,
                updated_at=T0,
            )
            for name in ("A", "B")
        )
        with pytest.raises(IntegrityError):
            await session.flush()
        await session.rollback()


# --- Invitations ------------------------------------------------------------------------------------


async def test_create_revokes_older_open_invitations(session_factory):
    async with session_factory() as session, session.begin():
        repo = InvitationRepository(session)
        branch_id = (await add_branch(session)).id
        other_branch = (await add_branch(session, "other")).id
        expired = await repo.create(
            branch_id=branch_id,
            code_hash=code_hash("old"),
            created_by=1,
            at=T0 - timedelta(days=30),
            expires_at=T0,
        )
        first = await repo.create(
            branch_id=branch_id,
            code_hash=code_hash("one"),
            created_by=1,
            at=T0,
            expires_at=T0 + timedelta(days=7),
        )
        other = await repo.create(
            branch_id=other_branch,
            code_hash=code_hash("x"),
            created_by=1,
            at=T0,
            expires_at=T0 + timedelta(days=7),
        )
        second = await repo.create(
            branch_id=branch_id,
            code_hash=code_hash("two"),
            created_by=2,
            at=LATER,
            expires_at=LATER + timedelta(days=7),
        )
        assert first.revoked_at == LATER  # the session's copy is synchronised
        ids = (expired.id, first.id, other.id, second.id)

    async with session_factory() as session:
        rows = {r.id: r for r in await session.scalars(select(Invitation))}
        expired, first, other, second = (rows[i] for i in ids)
        assert expired.revoked_at is None  # already expired: left alone, still reports "expired"
        assert first.revoked_at == LATER
        assert other.revoked_at is None  # another branch
        assert second.revoked_at is None and second.created_by == 2
        assert second.code_hash == code_hash("two")
        # The code itself is stored nowhere.
        assert all("two" not in str(value) for value in vars(second).values() if isinstance(value, str))
        found = await InvitationRepository(session).find(code_hash("two"))
        assert found is not None and found.id == second.id
        assert await InvitationRepository(session).find(code_hash("nope")) is None


async def test_create_validation(session_factory):
    async with session_factory() as session:
        repo = InvitationRepository(session)
        branch_id = (await add_branch(session)).id
        with pytest.raises(ValueError, match="hex"):
            await repo.create(
                branch_id=branch_id, code_hash="secret-code", created_by=1, at=T0, expires_at=LATER
            )
        with pytest.raises(ValueError, match="later"):
            await repo.create(
                branch_id=branch_id, code_hash=code_hash("c"), created_by=1, at=T0, expires_at=T0
            )
        with pytest.raises(ValueError, match="aware"):
            await repo.create(
                branch_id=branch_id,
                code_hash=code_hash("c"),
                created_by=1,
                at=datetime(2026, 1, 1),
                expires_at=LATER,
            )
        await session.rollback()


async def test_redeem_outcomes(session_factory):
    week = timedelta(days=7)
    async with session_factory() as session, session.begin():
        repo = InvitationRepository(session)
        branch_id = (await add_branch(session)).id
        other_id = (await add_branch(session, "旧支部")).id
        await BranchRepository(session).set_secretary(other_id, 500, "李四", T0)
        await repo.create(
            branch_id=branch_id, code_hash=code_hash("revoked"), created_by=1, at=T0, expires_at=T0 + week
        )
        await repo.create(
            branch_id=branch_id, code_hash=code_hash("good"), created_by=1, at=T0, expires_at=T0 + week
        )

    async with session_factory() as session, session.begin():
        repo = InvitationRepository(session)
        assert (
            await repo.redeem(code_hash("nope"), user_id=500, name="李四", at=LATER) == RedeemResult.UNKNOWN
        )
        assert await repo.redeem(code_hash("revoked"), user_id=500, name="李四", at=LATER) == "revoked"
        # Exactly at expiry the code no longer works.
        assert await repo.redeem(code_hash("good"), user_id=500, name="李四", at=T0 + week) == "expired"
        result = await repo.redeem(code_hash("good"), user_id=500, name="李四", at=LATER)
        assert result is RedeemResult.OK and result == "ok" and str(result) == "ok"
        assert await repo.redeem(code_hash("good"), user_id=501, name="x", at=LATER) == "used"
        # Used wins over expired.
        assert await repo.redeem(code_hash("good"), user_id=501, name="x", at=T0 + 2 * week) == "used"

    async with session_factory() as session:
        invitation = await InvitationRepository(session).find(code_hash("good"))
        assert invitation is not None
        assert (invitation.used_at, invitation.used_by) == (LATER, 500)
        branch = await BranchRepository(session).by_secretary(500)
        assert branch is not None and branch.id == branch_id
        assert branch.secretary_name == "李四"
        old = await BranchRepository(session).get(other_id)
        assert old is not None and old.secretary_user_id is None  # moved, not duplicated


async def test_redeem_rolled_back_leaves_invitation_open(session_factory):
    async with session_factory() as session, session.begin():
        branch_id = (await add_branch(session)).id
        await InvitationRepository(session).create(
            branch_id=branch_id,
            code_hash=code_hash("c"),
            created_by=None,
            at=T0,
            expires_at=T0 + timedelta(days=1),
        )
    async with session_factory() as session:
        assert await InvitationRepository(session).redeem(code_hash("c"), user_id=1, at=LATER) == "ok"
        await session.rollback()
    async with session_factory() as session, session.begin():
        assert await InvitationRepository(session).redeem(code_hash("c"), user_id=2, at=LATER) == "ok"
        branch = await BranchRepository(session).by_secretary(2)
        assert branch is not None and branch.secretary_name is None


async def test_concurrent_double_redeem(session_factory, db_url):
    async with session_factory() as session, session.begin():
        branch_id = (await add_branch(session)).id
        await InvitationRepository(session).create(
            branch_id=branch_id,
            code_hash=code_hash("race"),
            created_by=1,
            at=T0,
            expires_at=T0 + timedelta(days=1),
        )

    async def attempt(user_id: int) -> str:
        async with session_factory() as session, session.begin():
            result = await InvitationRepository(session).redeem(
                code_hash("race"), user_id=user_id, name=f"u{user_id}", at=LATER
            )
            await asyncio.sleep(0.05)  # hold the transaction open while the other one runs
            return str(result)

    results = await asyncio.gather(attempt(1), attempt(2))
    assert sorted(results) == ["ok", "used"]
    winner = 1 if results[0] == "ok" else 2

    async with session_factory() as session:
        invitation = await InvitationRepository(session).find(code_hash("race"))
        assert invitation is not None and invitation.used_by == winner
        branch = await BranchRepository(session).get(branch_id)
        assert branch is not None and branch.secretary_user_id == winner
        assert await BranchRepository(session).by_secretary(3 - winner) is None


async def test_deleting_branch_cascades(session_factory):
    async with session_factory() as session, session.begin():
        branch_id = (await add_branch(session)).id
        kept_id = (await add_branch(session, "kept")).id
        await InvitationRepository(session).create(
            branch_id=branch_id, code_hash=code_hash("c"), created_by=1, at=T0, expires_at=LATER
        )
        record = await add_record(session, branch_id, files=[photo(0)])
        await RecordRepository(session).amend(record.id, by=1, at=LATER, reason="r", changes={"topic": "新"})
        await DraftRepository(session).save(user_id=1, branch_id=branch_id, step="topic", data={}, at=T0)
        await add_record(session, kept_id, files=[photo(0)])

    async with session_factory() as session, session.begin():
        await session.execute(delete(Branch).where(Branch.id == branch_id))

    async with session_factory() as session:
        for model in (Invitation, RecordAmendment):
            assert await session.scalar(select(func.count()).select_from(model)) == 0
        assert await session.scalar(select(func.count()).select_from(ActivityRecord)) == 1
        assert await session.scalar(select(func.count()).select_from(RecordFile)) == 1
        assert await DraftRepository(session).get(1) is None


# --- Activity records -------------------------------------------------------------------------------


async def test_record_add_with_files(session_factory):
    files = [photo(1), photo(0), photo(0, role="minutes")]
    async with session_factory() as session, session.begin():
        branch_id = (await add_branch(session)).id
        record = await add_record(
            session,
            branch_id,
            place="会议室",
            expected=10,
            actual=8,
            absentees=[{"name": "张三", "reason": "出差"}, {"name": "李四", "reason": "病假"}],
            details={"six_items": ["学习讨论", "志愿服务"], "x_items": None, "nested": {"a": [1, [2, "三"]]}},
            minutes_text="会议记录：……",
            files=files,
        )
        record_id = record.id
        assert record.id is not None and all(f.record_id == record_id for f in record.files)

    async with session_factory() as session:
        repo = RecordRepository(session)
        got = await repo.get(record_id)
        assert got is not None
        assert (got.kind, got.period, got.held_on, got.topic, got.place) == (
            "theme_day",
            "2026-11",
            date(2026, 11, 2),
            "学习党的二十届四中全会精神",
            "会议室",
        )
        assert (got.expected, got.actual, got.status, got.submitted_by) == (10, 8, "active", 1001)
        assert got.absentees == [{"name": "张三", "reason": "出差"}, {"name": "李四", "reason": "病假"}]
        assert got.details == {
            "six_items": ["学习讨论", "志愿服务"],
            "x_items": None,
            "nested": {"a": [1, [2, "三"]]},
        }
        assert got.minutes_text == "会议记录：……"
        assert (got.created_at, got.updated_at, got.withdrawn_at) == (T0, T0, None)
        stored = await repo.files(record_id)
        assert [(f.role, f.position) for f in stored] == [("minutes", 0), ("photo", 0), ("photo", 1)]
        assert stored[1].sha256 == files[1]["sha256"] and stored[1].size == 1000
        assert stored[0].mime == "application/pdf"


async def test_record_defaults(session_factory):
    async with session_factory() as session, session.begin():
        branch_id = (await add_branch(session)).id
        record_id = (await add_record(session, branch_id)).id
    async with session_factory() as session:
        got = await RecordRepository(session).get(record_id)
        assert got is not None
        assert (got.absentees, got.details, got.place, got.expected, got.minutes_text) == (
            [],
            {},
            None,
            None,
            None,
        )
        assert await RecordRepository(session).files(record_id) == []


async def test_record_and_files_roll_back_together(session_factory):
    async with session_factory() as session, session.begin():
        branch_id = (await add_branch(session)).id

    async with session_factory() as session:
        await add_record(session, branch_id, files=[photo(0), photo(1)])
        await session.rollback()

    # A failing file row (duplicate Telegram file in one record) takes the record down with it.
    async with session_factory() as session:
        with pytest.raises(IntegrityError):
            async with session.begin():
                await add_record(session, branch_id, files=[photo(0, unique="same"), photo(1, unique="same")])

    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(ActivityRecord)) == 0
        assert await session.scalar(select(func.count()).select_from(RecordFile)) == 0


BAD_RECORD_VALUES = [
    {"held_on": datetime(2026, 11, 2, tzinfo=UTC)},
    {"held_on": "2026-11-02"},
    {"topic": ""},
    {"kind": "k" * 33},
    {"expected": -1},
    {"actual": 1.5},
    {"absentees": [{"reason": "no name"}]},
    {"absentees": "张三"},
    {"details": ["not", "a", "dict"]},
    {"at": datetime(2026, 11, 2)},
    {"files": [{**photo(0), "role": "video"}]},
    {"files": [{**photo(0), "sha256": "../../etc/passwd"}]},
    {"files": [{k: v for k, v in photo(0).items() if k != "position"}]},
    {"files": [{**photo(0), "filename": "x.jpg"}]},
]


async def test_record_add_validation(session_factory):
    async with session_factory() as session:
        branch_id = (await add_branch(session)).id
        for bad in BAD_RECORD_VALUES:
            with pytest.raises(ValueError):
                await add_record(session, branch_id, **bad)
        assert await RecordRepository(session).list_for_branch(branch_id, include_withdrawn=True) == []
        await session.rollback()


async def test_get_with_other_branch_returns_none(session_factory):
    async with session_factory() as session, session.begin():
        mine = (await add_branch(session, "mine")).id
        theirs = (await add_branch(session, "theirs")).id
        record_id = (await add_record(session, mine)).id

    async with session_factory() as session:
        repo = RecordRepository(session)
        assert (await repo.get(record_id, branch_id=mine)).id == record_id
        assert await repo.get(record_id, branch_id=theirs) is None
        assert (await repo.get(record_id)).id == record_id
        assert await repo.get(record_id + 100, branch_id=mine) is None


async def test_list_for_branch_since_and_withdrawn(session_factory):
    async with session_factory() as session, session.begin():
        branch_id = (await add_branch(session)).id
        other_id = (await add_branch(session, "other")).id
        ids = {}
        for day in (5, 20, 1, 12):
            ids[day] = (
                await add_record(session, branch_id, held_on=date(2026, 10, day), period="2026-10")
            ).id
        await add_record(session, other_id, held_on=date(2026, 10, 15))
        withdrawn = await RecordRepository(session).withdraw(ids[12], LATER)
        assert (withdrawn.status, withdrawn.withdrawn_at, withdrawn.updated_at) == ("withdrawn", LATER, LATER)
        again = await RecordRepository(session).withdraw(ids[12], LATER + timedelta(days=1))
        assert again.withdrawn_at == LATER  # idempotent
        with pytest.raises(NotFoundError):
            await RecordRepository(session).withdraw(ids[12] + 100, LATER)

    async with session_factory() as session:
        repo = RecordRepository(session)
        assert [r.id for r in await repo.list_for_branch(branch_id)] == [ids[20], ids[5], ids[1]]
        assert [r.id for r in await repo.list_for_branch(branch_id, include_withdrawn=True)] == [
            ids[20],
            ids[12],
            ids[5],
            ids[1],
        ]
        assert [r.id for r in await repo.list_for_branch(branch_id, since=date(2026, 10, 5))] == [
            ids[20],
            ids[5],
        ]
        assert [
            r.id
            for r in await repo.list_for_branch(branch_id, since=date(2026, 10, 6), include_withdrawn=True)
        ] == [ids[20], ids[12]]
        assert await repo.list_for_branch(branch_id + 100) == []
        assert await repo.count_active(branch_id, "theme_day", "2026-10") == 3
        assert await repo.count_active(branch_id, "theme_day", "2026-11") == 0
        assert await repo.count_active(branch_id, "committee", "2026-10") == 0
        assert await repo.count_active(other_id, "theme_day", "2026-11") == 1


async def test_amend_keeps_history(session_factory):
    async with session_factory() as session, session.begin():
        branch_id = (await add_branch(session)).id
        record_id = (
            await add_record(
                session,
                branch_id,
                expected=10,
                actual=8,
                absentees=[{"name": "张三", "reason": "出差"}],
                details={"six_items": ["学习讨论"]},
            )
        ).id

    t1, t2 = LATER, LATER + timedelta(days=1)
    async with session_factory() as session, session.begin():
        repo = RecordRepository(session)
        first = await repo.amend(
            record_id,
            by=1001,
            at=t1,
            reason="日期填错",
            changes={"held_on": date(2026, 11, 1), "actual": 9, "expected": 10},  # expected unchanged
        )
        assert first.changes == {"held_on": ["2026-11-02", "2026-11-01"], "actual": [8, 9]}

    async with session_factory() as session, session.begin():
        repo = RecordRepository(session)
        await repo.amend(
            record_id,
            by=1002,
            at=t2,
            reason="补充缺席人员",
            changes={
                "absentees": [{"name": "张三", "reason": "出差"}, {"name": "李四", "reason": "病假"}],
                "details": {"six_items": ["学习讨论", "志愿服务"], "nested": [[1, "二"]]},
                "place": "党员活动室",
            },
        )

    async with session_factory() as session:
        repo = RecordRepository(session)
        record = await repo.get(record_id)
        assert record is not None
        assert (record.held_on, record.actual, record.expected, record.place) == (
            date(2026, 11, 1),
            9,
            10,
            "党员活动室",
        )
        assert record.absentees == [{"name": "张三", "reason": "出差"}, {"name": "李四", "reason": "病假"}]
        assert record.details == {"six_items": ["学习讨论", "志愿服务"], "nested": [[1, "二"]]}
        assert (record.created_at, record.updated_at) == (T0, t2)
        history = await repo.history(record_id)
        assert [(h.amended_by, h.amended_at, h.reason) for h in history] == [
            (1001, t1, "日期填错"),
            (1002, t2, "补充缺席人员"),
        ]
        assert history[0].changes == {"held_on": ["2026-11-02", "2026-11-01"], "actual": [8, 9]}
        assert history[1].changes == {
            "absentees": [
                [{"name": "张三", "reason": "出差"}],
                [{"name": "张三", "reason": "出差"}, {"name": "李四", "reason": "病假"}],
            ],
            "details": [
                {"six_items": ["学习讨论"]},
                {"six_items": ["学习讨论", "志愿服务"], "nested": [[1, "二"]]},
            ],
            "place": [None, "党员活动室"],
        }
        assert await repo.history(record_id + 100) == []


async def test_amend_validation(session_factory):
    async with session_factory() as session:
        repo = RecordRepository(session)
        branch_id = (await add_branch(session)).id
        record_id = (await add_record(session, branch_id)).id
        for changes in ({"kind": "committee"}, {"status": "withdrawn"}, {"held_on": "2026-11-01"}, {}):
            with pytest.raises(ValueError):
                await repo.amend(record_id, by=1, at=LATER, reason="r", changes=changes)
        with pytest.raises(ValueError, match="nothing"):
            await repo.amend(
                record_id, by=1, at=LATER, reason="r", changes={"topic": "学习党的二十届四中全会精神"}
            )
        with pytest.raises(ValueError, match="reason"):
            await repo.amend(record_id, by=1, at=LATER, reason=" ", changes={"topic": "x"})
        with pytest.raises(NotFoundError):
            await repo.amend(record_id + 100, by=1, at=LATER, reason="r", changes={"topic": "x"})
        await repo.withdraw(record_id, LATER)
        with pytest.raises(ValueError, match="withdrawn"):
            await repo.amend(record_id, by=1, at=LATER, reason="r", changes={"topic": "x"})
        assert await repo.history(record_id) == []
        await session.rollback()


async def test_amend_does_not_alias_callers_values(session_factory):
    async with session_factory() as session, session.begin():
        branch_id = (await add_branch(session)).id
        record_id = (await add_record(session, branch_id)).id
        details = {"items": ["a"]}
        await RecordRepository(session).amend(
            record_id, by=1, at=LATER, reason="r", changes={"details": details}
        )
        details["items"].append("changed afterwards")
    async with session_factory() as session:
        record = await RecordRepository(session).get(record_id)
        assert record is not None and record.details == {"items": ["a"]}
        assert (await RecordRepository(session).history(record_id))[0].changes == {
            "details": [{}, {"items": ["a"]}]
        }


async def test_record_files_relationship_is_never_lazy_loaded(session_factory):
    async with session_factory() as session, session.begin():
        branch_id = (await add_branch(session)).id
        record_id = (await add_record(session, branch_id, files=[photo(0)])).id
    async with session_factory() as session:
        record = await RecordRepository(session).get(record_id)
        assert record is not None
        with pytest.raises(Exception, match="raise"):
            _ = record.files


# --- Drafts -----------------------------------------------------------------------------------------


async def test_draft_save_update_delete(session_factory):
    async with session_factory() as session, session.begin():
        branch_id = (await add_branch(session)).id
        other_branch = (await add_branch(session, "other")).id
        repo = DraftRepository(session)
        assert await repo.get(7) is None
        data = {"kind": "theme_day", "topic": "学习", "photos": [{"file_id": "x", "pos": 0}]}
        draft = await repo.save(user_id=7, branch_id=branch_id, step="topic", data=data, at=T0)
        assert (draft.step, draft.data, draft.created_at, draft.updated_at) == ("topic", data, T0, T0)
        data["topic"] = "mutated after save"  # the caller's dict is not the stored one

    async with session_factory() as session, session.begin():
        repo = DraftRepository(session)
        loaded = await repo.get(7)
        assert loaded is not None and loaded.data["topic"] == "学习"
        # Typical handler flow: read, change a copy, save again.
        new_data = {
            **loaded.data,
            "held_on": "2026-11-02",
            "photos": [*loaded.data["photos"], {"file_id": "y"}],
        }
        updated = await repo.save(user_id=7, branch_id=other_branch, step="photos", data=new_data, at=LATER)
        assert updated.id == loaded.id
        assert (updated.step, updated.branch_id, updated.created_at, updated.updated_at) == (
            "photos",
            other_branch,
            T0,
            LATER,
        )
        assert loaded.data == new_data  # the identity-map copy is refreshed
        await repo.save(user_id=8, branch_id=branch_id, step="kind", data={}, at=LATER)

    async with session_factory() as session, session.begin():
        repo = DraftRepository(session)
        got = await repo.get(7)
        assert got is not None
        assert got.data == {
            "kind": "theme_day",
            "topic": "学习",
            "photos": [{"file_id": "x", "pos": 0}, {"file_id": "y"}],
            "held_on": "2026-11-02",
        }
        assert (got.step, got.created_at, got.updated_at) == ("photos", T0, LATER)
        assert await repo.delete(7) is True
        assert await repo.delete(7) is False
        assert await repo.get(7) is None

    async with session_factory() as session:
        assert await DraftRepository(session).get(7) is None
        assert (await DraftRepository(session).get(8)).step == "kind"


async def test_draft_after_in_place_mutation_is_still_saved(session_factory):
    """Mutating a loaded draft's dict in place and passing it back to save() does persist."""
    async with session_factory() as session, session.begin():
        branch_id = (await add_branch(session)).id
        await DraftRepository(session).save(user_id=1, branch_id=branch_id, step="a", data={"n": 1}, at=T0)
    async with session_factory() as session, session.begin():
        repo = DraftRepository(session)
        draft = await repo.get(1)
        assert draft is not None
        draft.data["n"] = 2
        await repo.save(user_id=1, branch_id=branch_id, step="a", data=draft.data, at=LATER)
    async with session_factory() as session:
        assert (await DraftRepository(session).get(1)).data == {"n": 2}


# --- PTB state --------------------------------------------------------------------------------------


async def test_ptb_state_upsert_load_delete(session_factory):
    async with session_factory() as session, session.begin():
        repo = PtbStateRepository(session)
        assert await repo.load("user_data") == {}
        await repo.put("user_data", "42", {"lang": "zh", "名字": "张三"}, T0)
        await repo.put("user_data", "43", {"n": [1, [2, 3]]}, T0)
        await repo.put("chat_data", "42", {"other": True}, T0)
        await repo.put("conversations", "record", {"[42, 42]": 3}, T0)
        await repo.put("bot_data", "", None, T0)  # any JSON value, null included
        await repo.put("user_data", "42", {"lang": "en"}, LATER)  # replace

    async with session_factory() as session, session.begin():
        repo = PtbStateRepository(session)
        assert await repo.load("user_data") == {"42": {"lang": "en"}, "43": {"n": [1, [2, 3]]}}
        assert await repo.load("chat_data") == {"42": {"other": True}}
        assert await repo.load("bot_data") == {"": None}
        row = await session.get(PtbState, ("user_data", "42"))
        assert row is not None and row.updated_at == LATER
        assert await repo.delete("user_data", "42") is True
        assert await repo.delete("user_data", "42") is False
        with pytest.raises(TypeError):
            await repo.put("user_data", 42, {}, T0)  # type: ignore[arg-type]

    async with session_factory() as session:
        assert await PtbStateRepository(session).load("user_data") == {"43": {"n": [1, [2, 3]]}}


async def test_repositories_do_not_commit(session_factory):
    async with session_factory() as session:
        branch_id = (await add_branch(session)).id
        await add_record(session, branch_id, files=[photo(0)])
        await DraftRepository(session).save(user_id=1, branch_id=branch_id, step="s", data={}, at=T0)
        await PtbStateRepository(session).put("user_data", "1", {}, T0)
        await session.rollback()
    async with session_factory() as session:
        for model in (Branch, ActivityRecord, RecordFile, PtbState):
            assert await session.scalar(select(func.count()).select_from(model)) == 0
