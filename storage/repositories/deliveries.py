"""Reminder deliveries: one row per target, cadence, period and stage, and its life. Like every repository:
flush, never commit.

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

from storage.models import DELIVERY_AUDIENCES, DELIVERY_STATUSES, ReminderDelivery
from storage.repositories._checks import _check_text, _chunks, _require_aware, _upsert_insert

D = ReminderDelivery
FINAL_STATUSES = frozenset({"sent", "failed", "dead", "skipped"})
UNDELIVERED = ("failed", "dead", "skipped")  # final, and the chat never got the message
ATTEMPTED = ("sent", "failed", "dead")  # a digest that reached its chat, or was tried on it to the end
REPLANNABLE = ("pending", "skipped")  # a digest never sent nor being sent: it may become a catch-up
MAX_ERROR = 200
# Keys of a new delivery row (see DeliveryRepository.insert_new).
_NEW_KEYS = frozenset(
    {"audience", "target_id", "branch_id", "chat_id", "cadence", "period", "stage", "kinds"}
)


def short_error(text: str) -> str:
    """An error text cut to the column's size (it must never carry a user's text)."""
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"


# A row planned again (``rearm``, ``replan_digests``): pending, with no attempt, claim or error.
_AFRESH = {"status": "pending", "attempts": 0, "lease_until": None, "claimed_by": None, "last_error": None}


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
        return {
            target: status
            for target, (status, _) in (await self.states(audience, cadence, period, stage)).items()
        }

    async def states(
        self, audience: str, cadence: str, period: str, stage: str
    ) -> dict[int, tuple[str, int]]:
        """target_id -> (status, chat_id) of the rows of one (audience, cadence, period, stage): the planner reads
        both at once (a row ``UNDELIVERED`` to a chat the target no longer has is planned again, ``rearm``)."""
        stmt = select(D.target_id, D.status, D.chat_id).where(
            D.audience == audience, D.cadence == cadence, D.period == period, D.stage == stage
        )
        return {target: (status, chat) for target, status, chat in (await self.session.execute(stmt)).all()}

    async def waiting(
        self, audience: str, cadence: str, period: str, stage: str
    ) -> dict[int, tuple[datetime, bool]]:
        """target_id -> (next_attempt_at, retry) of the ``pending`` rows of one (audience, cadence, period, stage):
        when each may be claimed, and whether it waits for a retry (it was tried: an attempt counted, or an error
        kept, since a 429 refunds its attempt). ``branchbot reminders plan`` says when each really goes."""
        stmt = select(D.target_id, D.next_attempt_at, D.attempts, D.last_error).where(
            D.audience == audience,
            D.cadence == cadence,
            D.period == period,
            D.stage == stage,
            D.status == "pending",
        )
        rows = (await self.session.execute(stmt)).all()
        return {target: (when, attempts > 0 or error is not None) for target, when, attempts, error in rows}

    async def rearm(
        self, rows: Sequence[Mapping[str, Any]], *, at: datetime, next_attempt_at: datetime
    ) -> set[tuple[int, str, str, str]]:
        """Plan again, for another chat, rows that never reached theirs (a new secretary replaced one who had
        blocked the bot): each row (the keys of :meth:`insert_new`) whose stored row is undelivered and was
        meant for a different chat becomes ``pending`` for its new chat and kinds, with no attempt counted.
        Returns the (target_id, cadence, period, stage) keys changed; a row delivered meanwhile, or rearmed by
        another planner, is left alone (the ``WHERE`` re-checks both)."""
        _require_aware("at", at)
        _require_aware("next_attempt_at", next_attempt_at)
        changed: set[tuple[int, str, str, str]] = set()
        for row in rows:
            key = (row["target_id"], row["cadence"], row["period"], row["stage"])
            stmt = (
                update(D)
                .where(
                    D.audience == row["audience"],
                    D.target_id == row["target_id"],
                    D.cadence == row["cadence"],
                    D.period == row["period"],
                    D.stage == row["stage"],
                    D.status.in_(UNDELIVERED),
                    D.chat_id != row["chat_id"],
                )
                .values(
                    chat_id=row["chat_id"],
                    kinds=list(row["kinds"]),
                    next_attempt_at=next_attempt_at,
                    updated_at=at,
                    **_AFRESH,
                )
                .execution_options(synchronize_session=False)
            )
            if (await self.session.execute(stmt)).rowcount:  # type: ignore[attr-defined]
                changed.add(key)  # type: ignore[arg-type]
        return changed

    async def digests_attempted(self) -> dict[int, str]:
        """Administrator -> the latest month whose digest reached them or was tried to the end (``ATTEMPTED``)."""
        stmt = (
            select(D.target_id, func.max(D.period))
            .where(D.audience == "admin", D.stage == "digest", D.status.in_(ATTEMPTED))
            .group_by(D.target_id)
        )
        return {target: period for target, period in (await self.session.execute(stmt)).all()}

    async def digests_of(self, periods: Collection[str]) -> list[ReminderDelivery]:
        """The administrators' digest rows of ``periods`` (month codes)."""
        stmt = select(D).where(D.audience == "admin", D.stage == "digest", D.period.in_(sorted(periods)))
        return list(await self.session.scalars(stmt.order_by(D.id)))

    async def replan_digests(
        self, rows: Sequence[Mapping[str, Any]], *, at: datetime, next_attempt_at: datetime
    ) -> set[tuple[int, str, str, str]]:
        """Plan again, with a new payload (a catch-up), digest rows never sent nor being sent (``REPLANNABLE``):
        each row (the keys of :meth:`insert_new` and ``payload``) becomes ``pending`` with no attempt counted.
        Returns the keys changed; a row claimed or sent meanwhile is left alone (the ``WHERE`` re-checks)."""
        _require_aware("at", at)
        _require_aware("next_attempt_at", next_attempt_at)
        changed: set[tuple[int, str, str, str]] = set()
        for row in rows:
            stmt = (
                update(D)
                .where(
                    D.audience == "admin",
                    D.target_id == row["target_id"],
                    D.cadence == row["cadence"],
                    D.period == row["period"],
                    D.stage == row["stage"],
                    D.status.in_(REPLANNABLE),
                )
                .values(payload=row["payload"], next_attempt_at=next_attempt_at, updated_at=at, **_AFRESH)
                .execution_options(synchronize_session=False)
            )
            if (await self.session.execute(stmt)).rowcount:  # type: ignore[attr-defined]
                changed.add((row["target_id"], row["cadence"], row["period"], row["stage"]))  # type: ignore[arg-type]
        return changed

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
