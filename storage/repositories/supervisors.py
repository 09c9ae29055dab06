"""District supervisors: which branches a user oversees (``supervisor_scopes``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Branch, SupervisorScope
from storage.repositories._checks import _require_aware


class SupervisorRepository:
    """A user is a supervisor of the branches they have a scope row for (none: no supervisor)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def grant(self, user_id: int, branch_ids: Iterable[int], *, by: int, at: datetime) -> list[int]:
        """Add ``branch_ids`` to the user's scope; returns the ids that were new (existing ones are kept)."""
        _require_aware("at", at)
        have = await self.branches_of(user_id)
        added = sorted(set(branch_ids) - have)
        for branch_id in added:
            self.session.add(
                SupervisorScope(user_id=user_id, branch_id=branch_id, created_by=by, created_at=at)
            )
        await self.session.flush()
        return added

    async def revoke(self, user_id: int, branch_ids: Iterable[int] | None = None) -> int:
        """Remove ``branch_ids`` (``None``: all) from the user's scope; returns how many were removed."""
        stmt = delete(SupervisorScope).where(SupervisorScope.user_id == user_id)
        if branch_ids is not None:
            stmt = stmt.where(SupervisorScope.branch_id.in_(sorted(set(branch_ids))))
        result = await self.session.execute(stmt)
        return int(result.rowcount or 0)

    async def branches_of(self, user_id: int) -> frozenset[int]:
        stmt = select(SupervisorScope.branch_id).where(SupervisorScope.user_id == user_id)
        return frozenset(await self.session.scalars(stmt))

    async def supervisors_of(self, branch_id: int) -> list[int]:
        stmt = (
            select(SupervisorScope.user_id)
            .where(SupervisorScope.branch_id == branch_id)
            .order_by(SupervisorScope.user_id)
        )
        return list(await self.session.scalars(stmt))

    async def all_scopes(self) -> dict[int, list[Branch]]:
        """Every supervisor's branches, by user id then branch id."""
        stmt = (
            select(SupervisorScope.user_id, Branch)
            .join(Branch, Branch.id == SupervisorScope.branch_id)
            .order_by(SupervisorScope.user_id, Branch.id)
        )
        scopes: dict[int, list[Branch]] = {}
        for user_id, branch in await self.session.execute(stmt):
            scopes.setdefault(user_id, []).append(branch)
        return scopes

    async def existing_branches(self, branch_ids: Iterable[int]) -> frozenset[int]:
        ids = sorted(set(branch_ids))
        if not ids:
            return frozenset()
        return frozenset(await self.session.scalars(select(Branch.id).where(Branch.id.in_(ids))))
