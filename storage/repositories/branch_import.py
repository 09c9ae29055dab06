"""Many branches and their first invitations in a few statements (``branchbot branch import``).

The same checks as :meth:`BranchRepository.add` and :meth:`InvitationRepository.create`, but one multi-row
``INSERT ... RETURNING`` per table instead of a flush per branch: 10,000 branches take seconds, not minutes.
New branches have no invitation to revoke. Like every repository: it never commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.files import is_sha256
from storage.models import Branch, Invitation
from storage.repositories._checks import _require_aware
from storage.repositories.branches import _check_branch_field

BRANCH_FIELDS = ("org_name", "name", "form", "formal_members", "units")


class BranchImportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def names(self) -> dict[tuple[str, str], int]:
        """(org_name, name) -> id of every branch."""
        rows = await self.session.execute(select(Branch.org_name, Branch.name, Branch.id))
        return {(org, name): branch_id for org, name, branch_id in rows.all()}

    async def add_many(
        self,
        branches: Sequence[Mapping[str, object]],
        *,
        code_hashes: Sequence[str],
        created_by: int | None,
        at: datetime,
        expires_at: datetime,
    ) -> list[int]:
        """Insert ``branches`` (each with exactly the keys org_name, name, form, formal_members, units) and
        one open invitation each (``code_hashes``, same order). Returns the new ids in the same order.
        Invalid values raise :class:`ValueError` before anything is written."""
        _require_aware("at", at)
        _require_aware("expires_at", expires_at)
        if len(code_hashes) != len(branches) or not all(is_sha256(h) for h in code_hashes):
            raise ValueError("one SHA-256 hex digest per branch is needed")
        for values in branches:
            if set(values) != set(BRANCH_FIELDS):
                raise ValueError(f"a branch needs exactly the keys {BRANCH_FIELDS}")
            for field, value in values.items():
                _check_branch_field(field, value)
        if not branches:
            return []
        stamped = [{**values, "created_at": at, "updated_at": at} for values in branches]
        stmt = insert(Branch.__table__).returning(Branch.__table__.c.id, sort_by_parameter_order=True)
        ids = [row[0] for row in (await self.session.execute(stmt, stamped)).all()]
        invitations = [
            {
                "branch_id": branch_id,
                "code_hash": code_hash,
                "created_by": created_by,
                "created_at": at,
                "expires_at": expires_at,
            }
            for branch_id, code_hash in zip(ids, code_hashes, strict=True)
        ]
        await self.session.execute(insert(Invitation.__table__), invitations)
        return ids
