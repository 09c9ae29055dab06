"""What the reminders read and set besides their deliveries (``deliveries.py``): the branches, the kinds
recorded or returned in a period, mutes, and the reminder columns of branches (the chosen hour, the secretary's
reachability). Like every repository: flush, never commit.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import ActivityRecord, Branch, ReminderMute
from storage.repositories._checks import _check_text, _chunks, _require_aware
from storage.repositories.deliveries import DeliveryRepository

__all__ = ["DeliveryRepository", "ReminderRepository"]


class ReminderRepository:
    """What the planner reads (branches, recorded kinds, mutes) and the branch's reminder settings."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def branches(
        self, branch_ids: Collection[int] | None = None, *, closed: bool = False
    ) -> list[Branch]:
        """All open branches (or those of ``branch_ids``), by id: a closed one (``closed_at``, revision 0008) is
        never reminded, and a reminder planned before it closed is skipped as its branch's. With ``closed``, the
        closed ones too (the digest reports a period a branch closed after: ``reminders/digest.py``)."""
        open_ = Branch.closed_at.is_(None) if not closed else true()
        if branch_ids is None:
            return list(await self.session.scalars(select(Branch).where(open_).order_by(Branch.id)))
        found: list[Branch] = []
        for chunk in _chunks(sorted(set(branch_ids))):
            found.extend(await self.session.scalars(select(Branch).where(Branch.id.in_(chunk), open_)))
        return sorted(found, key=lambda b: b.id)

    async def recorded(
        self, period: str, kinds: Collection[str], branch_ids: Collection[int] | None = None
    ) -> set[tuple[int, str]]:
        """(branch_id, kind) of the active records of ``period`` among ``kinds``; a record returned by a reviewer
        does not count (it is missing until it passes again, as in the status matrix)."""
        stmt = (
            select(ActivityRecord.branch_id, ActivityRecord.kind)
            .where(
                ActivityRecord.period == period,
                ActivityRecord.status == "active",
                ActivityRecord.review_state != "returned",
                ActivityRecord.kind.in_(list(kinds)),
            )
            .distinct()
        )
        if branch_ids is None:
            return {(b, k) for b, k in (await self.session.execute(stmt)).all()}
        found: set[tuple[int, str]] = set()
        for chunk in _chunks(sorted(set(branch_ids))):
            rows = await self.session.execute(stmt.where(ActivityRecord.branch_id.in_(chunk)))
            found.update((b, k) for b, k in rows.all())
        return found

    async def returned(
        self, period: str, kinds: Collection[str], branch_ids: Collection[int] | None = None
    ) -> dict[tuple[int, str], int]:
        """(branch_id, kind) -> the latest (highest id) active record of ``period`` a reviewer returned, for the
        kinds among ``kinds`` that have no other active record not returned (what the secretary should amend and
        resubmit rather than record anew)."""
        other = aliased(ActivityRecord)
        kept = (
            select(other.id)
            .where(
                other.branch_id == ActivityRecord.branch_id,
                other.kind == ActivityRecord.kind,
                other.period == ActivityRecord.period,
                other.status == "active",
                other.review_state != "returned",
            )
            .exists()
        )
        stmt = (
            select(ActivityRecord.branch_id, ActivityRecord.kind, func.max(ActivityRecord.id))
            .where(
                ActivityRecord.period == period,
                ActivityRecord.status == "active",
                ActivityRecord.review_state == "returned",
                ActivityRecord.kind.in_(list(kinds)),
                ~kept,
            )
            .group_by(ActivityRecord.branch_id, ActivityRecord.kind)
        )
        if branch_ids is None:
            return {(b, k): rid for b, k, rid in (await self.session.execute(stmt)).all()}
        found: dict[tuple[int, str], int] = {}
        for chunk in _chunks(sorted(set(branch_ids))):
            rows = await self.session.execute(stmt.where(ActivityRecord.branch_id.in_(chunk)))
            found.update(((b, k), rid) for b, k, rid in rows.all())
        return found

    async def waiting(
        self, period: str, kinds: Collection[str], branch_ids: Collection[int] | None = None
    ) -> set[tuple[int, str]]:
        """(branch_id, kind) of ``period`` (of all branches, or of ``branch_ids``) whose active records still wait
        for review, none passed yet (a returned one besides does not count either way)."""
        stmt = (
            select(ActivityRecord.branch_id, ActivityRecord.kind, ActivityRecord.review_state)
            .where(
                ActivityRecord.period == period,
                ActivityRecord.status == "active",
                ActivityRecord.review_state.in_(["pending_review", "passed"]),
                ActivityRecord.kind.in_(list(kinds)),
            )
            .distinct()
        )
        if branch_ids is None:
            rows = list((await self.session.execute(stmt)).all())
        else:
            rows = []
            for chunk in _chunks(sorted(set(branch_ids))):
                rows.extend(
                    (await self.session.execute(stmt.where(ActivityRecord.branch_id.in_(chunk)))).all()
                )
        passed = {(b, k) for b, k, state in rows if state == "passed"}
        return {(b, k) for b, k, state in rows if state == "pending_review"} - passed

    async def mutes(
        self, period: str, kinds: Collection[str], branch_ids: Collection[int] | None = None
    ) -> dict[tuple[int, str], ReminderMute]:
        """(branch_id, kind) -> the current mute in force for ``period`` (one for that period, or until unmuted)."""
        stmt = select(ReminderMute).where(
            ReminderMute.ended_at.is_(None),
            ReminderMute.kind.in_(list(kinds)),
            or_(ReminderMute.period.is_(None), ReminderMute.period == period),
        )
        found: list[ReminderMute] = []
        if branch_ids is None:
            found.extend(await self.session.scalars(stmt))
        else:
            for chunk in _chunks(sorted(set(branch_ids))):
                found.extend(await self.session.scalars(stmt.where(ReminderMute.branch_id.in_(chunk))))
        return {(m.branch_id, m.kind): m for m in found}

    async def mutes_of(self, branch_id: int) -> list[ReminderMute]:
        """The branch's current mutes (not lifted or replaced), oldest first."""
        stmt = (
            select(ReminderMute)
            .where(ReminderMute.branch_id == branch_id, ReminderMute.ended_at.is_(None))
            .order_by(ReminderMute.id)
        )
        return list(await self.session.scalars(stmt))

    async def mute_history(self, branch_ids: Collection[int] | None = None) -> list[ReminderMute]:
        """Every mute of the branches (``None``: all), current and ended, oldest first (what reports read)."""
        stmt = select(ReminderMute).order_by(ReminderMute.id)
        if branch_ids is None:
            return list(await self.session.scalars(stmt))
        found: list[ReminderMute] = []
        for chunk in _chunks(sorted(set(branch_ids))):
            found.extend(await self.session.scalars(stmt.where(ReminderMute.branch_id.in_(chunk))))
        return sorted(found, key=lambda m: m.id)

    async def mute(
        self, *, branch_id: int, kind: str, reason: str, period: str | None, created_by: int, at: datetime
    ) -> ReminderMute:
        """Mute ``kind`` for ``period`` (None: until unmuted); the branch's current mute of it ends ``at``."""
        _require_aware("at", at)
        _check_text("kind", kind, 32)
        _check_text("reason", reason, 200)
        _check_text("period", period, 16, optional=True)
        await self._end_mute(branch_id, kind, at)
        row = ReminderMute(
            branch_id=branch_id, kind=kind, reason=reason, period=period, created_by=created_by, created_at=at
        )
        self.session.add(row)
        await self.session.flush()
        return row

    async def unmute(self, branch_id: int, kind: str, *, at: datetime) -> bool:
        """End the branch's current mute of ``kind`` at ``at`` (kept as history); False if there was none."""
        _require_aware("at", at)
        return await self._end_mute(branch_id, kind, at)

    async def _end_mute(self, branch_id: int, kind: str, at: datetime) -> bool:
        result = await self.session.execute(
            update(ReminderMute)
            .where(
                ReminderMute.branch_id == branch_id,
                ReminderMute.kind == kind,
                ReminderMute.ended_at.is_(None),
            )
            .values(ended_at=at, in_force=None)
            .execution_options(synchronize_session="fetch")
        )
        await self.session.flush()
        return result.rowcount > 0  # type: ignore[attr-defined]

    async def set_hour(self, branch_id: int, hour: int | None) -> bool:
        """The branch's reminder hour (8 to 20; None: the default). False if there is no such branch."""
        if hour is not None and (isinstance(hour, bool) or not isinstance(hour, int) or not 8 <= hour <= 20):
            raise ValueError(f"hour must be an integer from 8 to 20, got {hour!r}")
        stmt = update(Branch).where(Branch.id == branch_id).values(reminder_hour=hour)
        result = await self.session.execute(stmt.execution_options(synchronize_session="fetch"))
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def mark_unreachable(self, branch_id: int, *, secretary_user_id: int, at: datetime) -> bool:
        """Flag the branch's secretary unreachable, if ``secretary_user_id`` is still its secretary."""
        _require_aware("at", at)
        stmt = (
            update(Branch)
            .where(
                Branch.id == branch_id,
                Branch.secretary_user_id == secretary_user_id,
                Branch.secretary_unreachable_at.is_(None),
            )
            .values(secretary_unreachable_at=at)
            .execution_options(synchronize_session="fetch")
        )
        return (await self.session.execute(stmt)).rowcount == 1  # type: ignore[attr-defined]

    async def mark_reachable(self, secretary_user_id: int) -> bool:
        """Clear the flag on the branch ``secretary_user_id`` is secretary of; True if it was set."""
        stmt = (
            update(Branch)
            .where(
                Branch.secretary_user_id == secretary_user_id, Branch.secretary_unreachable_at.is_not(None)
            )
            .values(secretary_unreachable_at=None)
            .execution_options(synchronize_session="fetch")
        )
        return (await self.session.execute(stmt)).rowcount == 1  # type: ignore[attr-defined]
