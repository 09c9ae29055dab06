"""The key-value rows behind the python-telegram-bot persistence."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import PtbState
from storage.repositories._checks import _require_aware, _upsert_insert


class PtbStateRepository:
    """The key-value rows behind the python-telegram-bot persistence (``data`` is any JSON value)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _check_key(kind: object, key: object) -> None:
        if not isinstance(kind, str) or not isinstance(key, str):
            raise TypeError(f"kind and key must be strings, got {kind!r}, {key!r}")

    async def load(self, kind: str) -> dict[str, Any]:
        """Every entry of ``kind`` as ``{key: data}``."""
        stmt = select(PtbState.key, PtbState.data).where(PtbState.kind == kind).order_by(PtbState.key)
        return {key: data for key, data in (await self.session.execute(stmt)).all()}

    async def put(self, kind: str, key: str, data: Any, at: datetime) -> None:
        """Insert or replace one entry (one atomic statement)."""
        self._check_key(kind, key)
        _require_aware("at", at)
        insert = _upsert_insert(self.session)
        stmt = insert(PtbState).values(kind=kind, key=key, data=data, updated_at=at)
        stmt = stmt.on_conflict_do_update(
            index_elements=[PtbState.kind, PtbState.key],
            set_={"data": stmt.excluded.data, "updated_at": stmt.excluded.updated_at},
        )
        await self.session.execute(stmt)

    async def delete(self, kind: str, key: str) -> bool:
        """Remove one entry; ``True`` if it existed."""
        self._check_key(kind, key)
        result = await self.session.execute(
            delete(PtbState).where(PtbState.kind == kind, PtbState.key == key)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
