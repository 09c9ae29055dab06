"""One-time invitation codes and their redemption, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from storage.models import Invitation
from storage.repositories import BranchRepository, InvitationRepository, RedeemResult
from tests.storage.builders import LATER, T0, add_branch, code_hash


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
