"""The review of activity records: their review state and its history (``record_events``)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import EVENT_ACTIONS, REVIEW_STATES, ActivityRecord, Branch, RecordEvent
from storage.repositories._checks import _check_text, _require_aware


class ReviewRepository:
    """Moves a record between review states and keeps each move as a :class:`RecordEvent`."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def move(
        self,
        record_id: int,
        *,
        expected: Iterable[str],
        state: str,
        action: str,
        actor_id: int,
        at: datetime,
        comment: str | None = None,
        amendment_id: int | None = None,
    ) -> RecordEvent | None:
        """Set the record's review state to ``state`` if it is active and now in one of ``expected``.

        One conditional UPDATE, so two reviewers pressing at once cannot both win: the loser gets ``None`` (and so
        does a withdrawn or missing record, or one in another state). The winner's step is kept as an event.
        """
        _require_aware("at", at)
        expected = tuple(expected)
        if state not in REVIEW_STATES or not set(expected) <= set(REVIEW_STATES):
            raise ValueError(f"review states must be among {REVIEW_STATES}")
        if action not in EVENT_ACTIONS:
            raise ValueError(f"action must be one of {EVENT_ACTIONS}, got {action!r}")
        _check_text("comment", comment, 2000, optional=True)
        stmt = (
            update(ActivityRecord)
            .where(
                ActivityRecord.id == record_id,
                ActivityRecord.status == "active",
                ActivityRecord.review_state.in_(expected),
            )
            .values(review_state=state)
            .execution_options(synchronize_session="fetch")
        )
        result = await self.session.execute(stmt)
        if result.rowcount != 1:
            return None
        event = RecordEvent(
            record_id=record_id,
            action=action,
            state=state,
            actor_id=actor_id,
            at=at,
            comment=comment,
            amendment_id=amendment_id,
        )
        self.session.add(event)
        await self.session.flush()
        return event

    async def events(self, record_id: int) -> list[RecordEvent]:
        """The record's review steps, oldest first."""
        stmt = (
            select(RecordEvent)
            .where(RecordEvent.record_id == record_id)
            .order_by(RecordEvent.at, RecordEvent.id)
        )
        return list(await self.session.scalars(stmt))

    async def last_events(self, record_ids: Iterable[int]) -> dict[int, RecordEvent]:
        """The latest review step of each of ``record_ids`` that has one."""
        ids = sorted(set(record_ids))
        if not ids:
            return {}
        stmt = (
            select(RecordEvent)
            .where(RecordEvent.record_id.in_(ids))
            .order_by(RecordEvent.record_id, RecordEvent.at, RecordEvent.id)
        )
        return {event.record_id: event for event in await self.session.scalars(stmt)}

    async def last_return(self, record_id: int) -> RecordEvent | None:
        """The latest ``returned`` step of the record (its comment is what the secretary must fix)."""
        stmt = (
            select(RecordEvent)
            .where(RecordEvent.record_id == record_id, RecordEvent.action == "returned")
            .order_by(RecordEvent.at.desc(), RecordEvent.id.desc())
            .limit(1)
        )
        return (await self.session.scalars(stmt)).first()

    async def waiting(
        self,
        branch_ids: Collection[int] | None,
        *,
        exclude_submitter: int | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[tuple[ActivityRecord, Branch]]:
        """Active records pending review in ``branch_ids`` (``None``: all), oldest first, with their branch; the
        ``limit`` after the first ``offset`` (a page of the queue)."""
        stmt = (
            select(ActivityRecord, Branch)
            .join(Branch, Branch.id == ActivityRecord.branch_id)
            .where(*_waiting(branch_ids, exclude_submitter))
            .order_by(ActivityRecord.created_at, ActivityRecord.id)
            .limit(limit)
            .offset(offset)
        )
        return [(record, branch) for record, branch in await self.session.execute(stmt)]

    async def waiting_count(
        self, branch_ids: Collection[int] | None, *, exclude_submitter: int | None = None
    ) -> int:
        """How many records :meth:`waiting` would list without a limit."""
        stmt = (
            select(func.count()).select_from(ActivityRecord).where(*_waiting(branch_ids, exclude_submitter))
        )
        return int(await self.session.scalar(stmt) or 0)


def _waiting(branch_ids: Collection[int] | None, exclude_submitter: int | None) -> list:
    conditions = [ActivityRecord.status == "active", ActivityRecord.review_state == "pending_review"]
    if branch_ids is not None:
        conditions.append(ActivityRecord.branch_id.in_(sorted(branch_ids)))
    if exclude_submitter is not None:
        conditions.append(ActivityRecord.submitted_by != exclude_submitter)
    return conditions
