"""Reminder deliveries (one row per target, cadence, period and stage), mutes, and the reminder columns of
branches (the chosen hour, the secretary's reachability). Like every repository: flush, never commit.

Claiming (:meth:`DeliveryRepository.claim`) is one ``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP
LOCKED) RETURNING``: on PostgreSQL two senders never get the same row (a row locked by one is skipped by the
other, and a row already claimed no longer matches), and a claim holds a lease; once it has expired (the sender
crashed) the row can be claimed again. SQLite ignores ``FOR UPDATE``; one sender process is assumed there (its
single writer lock still makes each claim atomic).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    DELIVERY_AUDIENCES,
    DELIVERY_STATUSES,
    ActivityRecord,
    Branch,
    ReminderDelivery,
    ReminderMute,
)
from storage.repositories._checks import _check_text, _require_aware, _upsert_insert

D = ReminderDelivery
FINAL_STATUSES = frozenset({"sent", "failed", "dead", "skipped"})
MAX_ERROR = 200
# Keys of a new delivery row (see DeliveryRepository.insert_new).
_NEW_KEYS = frozenset(
    {"audience", "target_id", "branch_id", "chat_id", "cadence", "period", "stage", "kinds"}
)
_CHUNK = 500  # ids per IN (...) list


def short_error(text: str) -> str:
    """An error text cut to the column's size (it must never carry a user's text)."""
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]


class DeliveryRepository:
    """Planned deliveries and their life: pending -> sending (leased) -> sent | failed | dead | skipped."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert_new(
        self, rows: Sequence[Mapping[str, Any]], *, at: datetime, next_attempt_at: datetime
    ) -> set[tuple[int, str, str, str]]:
        """Insert the rows not yet there (one statement per batch, ``ON CONFLICT DO NOTHING``).

        Each row has exactly the keys audience, target_id, branch_id, chat_id, cadence, period, stage, kinds
        and may add ``payload``. Returns the (target_id, cadence, period, stage) keys actually inserted.
        """
        _require_aware("at", at)
        _require_aware("next_attempt_at", next_attempt_at)
        if not rows:
            return set()
        values = []
        for row in rows:
            if not _NEW_KEYS <= set(row) <= _NEW_KEYS | {"payload"}:
                raise ValueError(f"a delivery row needs exactly the keys {sorted(_NEW_KEYS)} (+ payload)")
            if row["audience"] not in DELIVERY_AUDIENCES:
                raise ValueError(f"unknown audience {row['audience']!r}")
            values.append(
                {
                    "payload": None,
                    **row,
                    "kinds": list(row["kinds"]),
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": next_attempt_at,
                    "created_at": at,
                    "updated_at": at,
                }
            )
        table = D.__table__
        stmt = (
            _upsert_insert(self.session)(table)
            .on_conflict_do_nothing()
            .returning(table.c.target_id, table.c.cadence, table.c.period, table.c.stage)
        )
        result = await self.session.execute(stmt, values)
        return {tuple(r) for r in result.all()}  # type: ignore[misc]

    async def statuses(self, audience: str, cadence: str, period: str, stage: str) -> dict[int, str]:
        """target_id -> status of the rows of one (audience, cadence, period, stage)."""
        stmt = select(D.target_id, D.status).where(
            D.audience == audience, D.cadence == cadence, D.period == period, D.stage == stage
        )
        return {target: status for target, status in (await self.session.execute(stmt)).all()}

    async def get(self, delivery_id: int) -> ReminderDelivery | None:
        return await self.session.get(D, delivery_id, populate_existing=True)

    async def claim(
        self, *, now: datetime, limit: int, worker: str, lease: timedelta
    ) -> list[ReminderDelivery]:
        """Claim up to ``limit`` due rows for ``worker`` until ``now + lease``; each claim counts an attempt.

        Due: ``pending`` with ``next_attempt_at <= now``, or ``sending`` whose lease has expired. The caller
        commits at once, so the rows are locked only for this short transaction. Oldest first.
        """
        _require_aware("now", now)
        _check_text("worker", worker, 64)
        due = or_(
            and_(D.status == "pending", D.next_attempt_at <= now),
            and_(D.status == "sending", D.lease_until <= now),
        )
        ids = (
            select(D.id)
            .where(due)
            .order_by(D.next_attempt_at, D.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        stmt = (
            update(D)
            .where(D.id.in_(ids.scalar_subquery()))
            .values(
                status="sending",
                claimed_by=worker,
                lease_until=now + lease,
                attempts=D.attempts + 1,
                updated_at=now,
            )
            .returning(D)
            .execution_options(synchronize_session=False, populate_existing=True)
        )
        rows = list(await self.session.scalars(stmt))
        return sorted(rows, key=lambda r: (r.next_attempt_at, r.id))

    async def mark_sent(
        self, delivery_id: int, *, at: datetime, message_id: int | None, chat_id: int
    ) -> bool:
        """Record a delivery Telegram confirmed (if another sender already did, nothing changes)."""
        _require_aware("at", at)
        stmt = (
            update(D)
            .where(D.id == delivery_id, D.status.not_in(("sent",)))
            .values(
                status="sent",
                sent_at=at,
                message_id=message_id,
                chat_id=chat_id,
                lease_until=None,
                last_error=None,
                updated_at=at,
            )
            .execution_options(synchronize_session=False)
        )
        return (await self.session.execute(stmt)).rowcount == 1  # type: ignore[attr-defined]

    async def reschedule(
        self,
        ids: Collection[int],
        *,
        at: datetime,
        next_attempt_at: datetime,
        error: str | None,
        refund_attempt: bool = False,
    ) -> int:
        """Put claimed rows back to ``pending`` until ``next_attempt_at`` (a retry, or a pause).

        ``refund_attempt`` takes back the attempt the claim counted (a 429 or a pause is not the row's fault).
        Rows already final are left alone.
        """
        _require_aware("at", at)
        _require_aware("next_attempt_at", next_attempt_at)
        values: dict[str, Any] = {
            "status": "pending",
            "next_attempt_at": next_attempt_at,
            "lease_until": None,
            "claimed_by": None,
            "updated_at": at,
        }
        if error is not None:
            values["last_error"] = short_error(error)
        if refund_attempt:
            values["attempts"] = case((D.attempts > 0, D.attempts - 1), else_=0)
        return await self._update(ids, values, D.status == "sending")

    async def finish(self, ids: Collection[int], status: str, *, at: datetime, error: str | None) -> int:
        """Give rows a final status (``failed``, ``dead`` or ``skipped``); rows already sent are left alone."""
        _require_aware("at", at)
        if status not in FINAL_STATUSES - {"sent"}:
            raise ValueError(f"status must be failed, dead or skipped, got {status!r}")
        values = {
            "status": status,
            "lease_until": None,
            "last_error": None if error is None else short_error(error),
            "updated_at": at,
        }
        return await self._update(ids, values, D.status.not_in(("sent",)))

    async def skip_pending_of_branch(self, branch_id: int, *, at: datetime, error: str) -> int:
        """Skip the branch's rows still waiting (its secretary cannot be reached)."""
        stmt = (
            update(D)
            .where(D.branch_id == branch_id, D.status == "pending")
            .values(status="skipped", last_error=short_error(error), updated_at=at)
            .execution_options(synchronize_session=False)
        )
        return (await self.session.execute(stmt)).rowcount  # type: ignore[attr-defined]

    async def _update(self, ids: Collection[int], values: Mapping[str, Any], condition: Any) -> int:
        count = 0
        for chunk in _chunks(sorted(ids)):
            stmt = (
                update(D)
                .where(D.id.in_(chunk), condition)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            count += (await self.session.execute(stmt)).rowcount  # type: ignore[attr-defined]
        return count

    async def next_pending_at(self) -> datetime | None:
        """The earliest ``next_attempt_at`` of the pending rows (None when none waits)."""
        return await self.session.scalar(select(func.min(D.next_attempt_at)).where(D.status == "pending"))

    async def with_status(self, status: str, *, limit: int = 100) -> list[ReminderDelivery]:
        """Rows of one status, newest first (e.g. the ``dead`` rows administrators look at)."""
        if status not in DELIVERY_STATUSES:
            raise ValueError(f"unknown status {status!r}")
        stmt = select(D).where(D.status == status).order_by(D.updated_at.desc(), D.id.desc()).limit(limit)
        return list(await self.session.scalars(stmt))

    async def counts(self) -> dict[str, int]:
        stmt = select(D.status, func.count()).group_by(D.status)
        return {status: int(n) for status, n in (await self.session.execute(stmt)).all()}

    async def for_branch(self, branch_id: int, period: str | None = None) -> list[ReminderDelivery]:
        stmt = select(D).where(D.audience == "branch", D.target_id == branch_id)
        if period is not None:
            stmt = stmt.where(D.period == period)
        return list(await self.session.scalars(stmt.order_by(D.id)))


class ReminderRepository:
    """What the planner reads (branches, recorded kinds, mutes) and the branch's reminder settings."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def branches(self, branch_ids: Collection[int] | None = None) -> list[Branch]:
        """All branches (or those of ``branch_ids``), by id."""
        if branch_ids is None:
            return list(await self.session.scalars(select(Branch).order_by(Branch.id)))
        found: list[Branch] = []
        for chunk in _chunks(sorted(set(branch_ids))):
            found.extend(await self.session.scalars(select(Branch).where(Branch.id.in_(chunk))))
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

    async def waiting(self, period: str, kinds: Collection[str]) -> set[tuple[int, str]]:
        """(branch_id, kind) of ``period`` whose active records all still wait for review (none passed yet)."""
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
        rows = (await self.session.execute(stmt)).all()
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
