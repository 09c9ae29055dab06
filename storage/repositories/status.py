"""What the compliance matrix reads: the branches and record counts by branch, kind, period and review state.

The mutes' history is read through ``ReminderRepository.mute_history`` (the reminders own that table)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ActivityRecord, Branch, BranchClosure, BranchProfileChange


@dataclass(frozen=True, slots=True)
class CountRow:
    branch_id: int
    kind: str
    period: str
    review_state: str
    records: int


class StatusRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def branches(self, branch_ids: Collection[int] | None) -> list[Branch]:
        """The branches in scope (``None``: all), by id."""
        stmt = select(Branch).order_by(Branch.id)
        if branch_ids is not None:
            stmt = stmt.where(Branch.id.in_(sorted(branch_ids)))
        return list(await self.session.scalars(stmt))

    async def counts(
        self, branch_ids: Collection[int] | None, periods: Mapping[str, Collection[str]]
    ) -> list[CountRow]:
        """Active records of each kind in ``periods`` (kind -> period codes), counted by branch, period and state."""
        codes = sorted({code for kind_codes in periods.values() for code in kind_codes})
        if not codes:
            return []
        stmt = (
            select(
                ActivityRecord.branch_id,
                ActivityRecord.kind,
                ActivityRecord.period,
                ActivityRecord.review_state,
                func.count(),
            )
            .where(
                ActivityRecord.status == "active",
                ActivityRecord.kind.in_(sorted(periods)),
                ActivityRecord.period.in_(codes),
            )
            .group_by(
                ActivityRecord.branch_id,
                ActivityRecord.kind,
                ActivityRecord.period,
                ActivityRecord.review_state,
            )
        )
        if branch_ids is not None:
            stmt = stmt.where(ActivityRecord.branch_id.in_(sorted(branch_ids)))
        rows = [CountRow(*row) for row in await self.session.execute(stmt)]
        return [row for row in rows if row.period in periods[row.kind]]

    async def profile_changes(self, branch_ids: Collection[int] | None) -> list[BranchProfileChange]:
        """The profile history of the branches in scope (``None``: all), oldest first."""
        stmt = select(BranchProfileChange).order_by(BranchProfileChange.changed_at, BranchProfileChange.id)
        if branch_ids is not None:
            stmt = stmt.where(BranchProfileChange.branch_id.in_(sorted(branch_ids)))
        return list(await self.session.scalars(stmt))

    async def closures(self, branch_ids: Collection[int] | None) -> list[BranchClosure]:
        """The closures a reopening ended (revision 0009) of the branches in scope (``None``: all), oldest first."""
        stmt = select(BranchClosure).order_by(BranchClosure.closed_at, BranchClosure.id)
        if branch_ids is not None:
            stmt = stmt.where(BranchClosure.branch_id.in_(sorted(branch_ids)))
        return list(await self.session.scalars(stmt))
