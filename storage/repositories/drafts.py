"""The record each user is filling in."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Draft
from storage.repositories._checks import _check_text, _json_dict, _require_aware, _upsert_insert


class DraftRepository:
    """The record each user is filling in (at most one per user)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int) -> Draft | None:
        stmt = select(Draft).where(Draft.user_id == user_id)
        result = await self.session.scalars(stmt, execution_options={"populate_existing": True})
        return result.one_or_none()

    async def save(
        self, *, user_id: int, branch_id: int, step: str, data: Mapping[str, Any], at: datetime
    ) -> Draft:
        """Insert or replace the user's draft in one statement (``created_at`` of an existing
        draft is kept, ``updated_at`` becomes ``at``). ``data`` is copied, so later changes to
        the caller's dict are not saved by accident; save again to store them."""
        _require_aware("at", at)
        _check_text("step", step, 32)
        data = _json_dict("data", data)
        insert = _upsert_insert(self.session)
        stmt = insert(Draft).values(
            user_id=user_id, branch_id=branch_id, step=step, data=data, created_at=at, updated_at=at
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[Draft.user_id],
            set_={
                "branch_id": stmt.excluded.branch_id,
                "step": stmt.excluded.step,
                "data": stmt.excluded.data,
                "updated_at": stmt.excluded.updated_at,
            },
        ).returning(Draft)
        result = await self.session.scalars(stmt, execution_options={"populate_existing": True})
        return result.one()

    async def delete(self, user_id: int) -> bool:
        """Remove the user's draft; ``True`` if there was one."""
        result = await self.session.execute(delete(Draft).where(Draft.user_id == user_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]
