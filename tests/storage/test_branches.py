"""Branches and their secretaries, on SQLite and PostgreSQL (see ``tests/fixtures_db.py``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from storage.models import ActivityRecord, Branch, Invitation, RecordAmendment, RecordFile
from storage.repositories import (
    BranchRepository,
    DraftRepository,
    InvitationRepository,
    NotFoundError,
    RecordRepository,
)
from tests.storage.builders import LATER, T0, add_branch, add_record, code_hash, photo

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


async def test_names_outlive_the_post(session_factory):
    """A secretary who hands the post over (or loses it) stays named; a reviewer's name is kept; the newest name
    wins, except over a name already kept when the one leaving is remembered."""
    async with session_factory() as session, session.begin():
        repo = BranchRepository(session)
        a = (await add_branch(session, "A")).id
        await repo.set_secretary(a, 42, "王书记", T0)
        await repo.set_secretary(a, 7, "李书记", LATER)  # hand-over
        await repo.remember_name(820, "赵督导", T0)
        await repo.remember_name(820, "赵督导员", LATER)
        await repo.remember_name(821, "  ", LATER)  # nothing to keep
        assert await repo.secretary_names([42, 7, 820, 821, 999]) == {
            42: "王书记",
            7: "李书记",
            820: "赵督导员",
        }

    async with session_factory() as session, session.begin():
        repo = BranchRepository(session)
        await repo.remember_name(7, "李四", LATER)  # 李书记 renamed themselves on Telegram and reviewed
        await repo.set_secretary(a, None, None, LATER)  # the post is cleared: the kept newer name stays
        assert await repo.secretary_names([7, 42]) == {7: "李四", 42: "王书记"}
        assert await repo.secretary_names([]) == {}


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
