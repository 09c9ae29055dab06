"""The ledger export's reads: records of a period in pages (keyset), with their files, return comments and the
submitters' names."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ActivityRecord, RecordEvent, RecordFile

Cursor = tuple[int, date, int]  # (branch_id, held_on, id) of the last record of a page


class LedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _where(
        self,
        kind: str,
        periods: Collection[str],
        branch_ids: Collection[int] | None,
        held_between: tuple[date, date] | None,
    ) -> list:
        conditions = [
            ActivityRecord.status == "active",
            ActivityRecord.kind == kind,
            ActivityRecord.period.in_(sorted(periods)),
        ]
        if branch_ids is not None:
            conditions.append(ActivityRecord.branch_id.in_(sorted(branch_ids)))
        if held_between is not None:
            conditions.append(ActivityRecord.held_on.between(*held_between))
        return conditions

    async def count(
        self,
        kind: str,
        periods: Collection[str],
        branch_ids: Collection[int] | None,
        held_between: tuple[date, date] | None = None,
    ) -> int:
        """Active records of ``kind`` in ``periods`` (and held within ``held_between``, if given)."""
        stmt = select(func.count()).where(*self._where(kind, periods, branch_ids, held_between))
        return int(await self.session.scalar(stmt) or 0)

    async def page(
        self,
        kind: str,
        periods: Collection[str],
        branch_ids: Collection[int] | None,
        after: Cursor | None,
        size: int = 500,
        held_between: tuple[date, date] | None = None,
    ) -> list[ActivityRecord]:
        """The next ``size`` active records of ``kind`` in ``periods``, by branch, date and id, after ``after``."""
        if not periods:
            return []
        stmt = select(ActivityRecord).where(*self._where(kind, periods, branch_ids, held_between))
        if after is not None:
            key = tuple_(ActivityRecord.branch_id, ActivityRecord.held_on, ActivityRecord.id)
            stmt = stmt.where(key > tuple_(*after))
        stmt = stmt.order_by(ActivityRecord.branch_id, ActivityRecord.held_on, ActivityRecord.id).limit(size)
        return list(await self.session.scalars(stmt))

    async def files_of(self, record_ids: Iterable[int]) -> dict[int, list[RecordFile]]:
        ids = sorted(set(record_ids))
        if not ids:
            return {}
        stmt = (
            select(RecordFile)
            .where(RecordFile.record_id.in_(ids))
            .order_by(RecordFile.record_id, RecordFile.role, RecordFile.position, RecordFile.id)
        )
        files: dict[int, list[RecordFile]] = {}
        for row in await self.session.scalars(stmt):
            files.setdefault(row.record_id, []).append(row)
        return files

    async def last_comments(self, record_ids: Iterable[int]) -> dict[int, str]:
        """The latest return comment of each record that was ever returned."""
        ids = sorted(set(record_ids))
        if not ids:
            return {}
        stmt = (
            select(RecordEvent.record_id, RecordEvent.comment)
            .where(RecordEvent.record_id.in_(ids), RecordEvent.action == "returned")
            .order_by(RecordEvent.record_id, RecordEvent.at, RecordEvent.id)
        )
        return {record_id: comment or "" for record_id, comment in await self.session.execute(stmt)}
