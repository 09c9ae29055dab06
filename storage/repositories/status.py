"""What the compliance matrix reads: record counts by branch, kind, period and review state; the mutes."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import models
from storage.models import ActivityRecord, Branch

# The reminders' mutes (``reminder_mutes``, revision 0003). Read through this one name so that the matrix still
# works (nothing is muted) where that table's model is absent.
MUTE_MODEL = getattr(models, "ReminderMute", None)


@dataclass(frozen=True, slots=True)
class CountRow:
    branch_id: int
    kind: str
    period: str
    review_state: str
    records: int


@dataclass(frozen=True, slots=True)
class MuteRow:
    branch_id: int
    kind: str
    period: str | None  # None: muted until unmuted
    reason: str


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

    async def mutes(self, branch_ids: Collection[int] | None) -> list[MuteRow]:
        """The reminders' mutes (``reminder_mutes``) of the branches in scope (none without ``MUTE_MODEL``)."""
        mute = MUTE_MODEL
        if mute is None:
            return []
        stmt = select(mute.branch_id, mute.kind, mute.period, mute.reason)
        if branch_ids is not None:
            stmt = stmt.where(mute.branch_id.in_(sorted(branch_ids)))
        return [MuteRow(*row) for row in await self.session.execute(stmt)]
