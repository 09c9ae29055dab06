"""Telegram updates received by the webhook: stored before the 200 is answered, claimed, processed once; and the ids
of updates processed from long polling, so that one Telegram delivers again after a restart is known."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import WebhookUpdate
from storage.repositories._checks import _check_text, _require_aware, _upsert_insert

NO_PAYLOAD = "{}"  # an update processed from long polling: only its id is kept


def _claimable(at: datetime, force: bool):
    unprocessed = WebhookUpdate.processed_at.is_(None)
    if force:
        return unprocessed
    return and_(unprocessed, or_(WebhookUpdate.lease_until.is_(None), WebhookUpdate.lease_until <= at))


class UpdateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert(
        self, update_id: int, payload: str, *, at: datetime, worker: str, lease_until: datetime
    ) -> bool:
        """Store the update claimed by ``worker``; ``False`` (nothing written) if ``update_id`` is already stored."""
        _require_aware("at", at)
        _require_aware("lease_until", lease_until)
        _check_text("worker", worker, 64)
        insert = _upsert_insert(self.session)
        stmt = (
            insert(WebhookUpdate)
            .values(
                update_id=update_id,
                payload=payload,
                received_at=at,
                claimed_by=worker,
                lease_until=lease_until,
            )
            .on_conflict_do_nothing(index_elements=[WebhookUpdate.update_id])
        )
        return bool((await self.session.execute(stmt)).rowcount)

    async def claim(
        self,
        *,
        worker: str,
        at: datetime,
        lease_until: datetime,
        update_id: int | None = None,
        limit: int = 100,
        force: bool = False,
    ) -> list[WebhookUpdate]:
        """Claim unprocessed updates whose lease has run out (``force``: whatever their lease), oldest first.

        The rows are chosen, then taken with one conditional UPDATE: a row another worker took meanwhile is
        simply not returned. ``update_id`` limits the claim to that one update.
        """
        _require_aware("at", at)
        _require_aware("lease_until", lease_until)
        condition = _claimable(at, force)
        if update_id is not None:
            condition = and_(condition, WebhookUpdate.update_id == update_id)
        ids = list(
            await self.session.scalars(
                select(WebhookUpdate.update_id)
                .where(condition)
                .order_by(WebhookUpdate.update_id)
                .limit(limit)
            )
        )
        if not ids:
            return []
        stmt = (
            update(WebhookUpdate)
            .where(WebhookUpdate.update_id.in_(ids), condition)
            .values(claimed_by=worker, lease_until=lease_until)
            .returning(WebhookUpdate.update_id)
        )
        taken = set((await self.session.execute(stmt)).scalars())
        rows = await self.session.scalars(
            select(WebhookUpdate)
            .where(WebhookUpdate.update_id.in_(sorted(taken)))
            .order_by(WebhookUpdate.update_id)
            .execution_options(populate_existing=True)
        )
        return list(rows)

    async def mark_processed(self, update_id: int, at: datetime) -> bool:
        """``False`` if the update is unknown or was already marked."""
        _require_aware("at", at)
        stmt = (
            update(WebhookUpdate)
            .where(WebhookUpdate.update_id == update_id, WebhookUpdate.processed_at.is_(None))
            .values(processed_at=at, lease_until=None)
        )
        return bool((await self.session.execute(stmt)).rowcount)

    async def remember_processed(self, update_id: int, at: datetime) -> bool:
        """Record an update processed without being stored first (long polling): a row with no payload, marked
        processed. ``False`` (nothing written) if the update is already stored."""
        _require_aware("at", at)
        insert = _upsert_insert(self.session)
        stmt = (
            insert(WebhookUpdate)
            .values(update_id=update_id, payload=NO_PAYLOAD, received_at=at, processed_at=at)
            .on_conflict_do_nothing(index_elements=[WebhookUpdate.update_id])
        )
        return bool((await self.session.execute(stmt)).rowcount)

    async def latest_processed(self, limit: int) -> list[int]:
        """The ``limit`` highest ids of processed updates, highest first."""
        stmt = (
            select(WebhookUpdate.update_id)
            .where(WebhookUpdate.processed_at.is_not(None))
            .order_by(WebhookUpdate.update_id.desc())
            .limit(limit)
        )
        return list(await self.session.scalars(stmt))

    async def unprocessed_count(self) -> int:
        stmt = select(func.count()).where(WebhookUpdate.processed_at.is_(None))
        return int(await self.session.scalar(stmt) or 0)

    async def prune(self, before: datetime) -> int:
        """Delete updates processed before ``before``."""
        _require_aware("before", before)
        stmt = delete(WebhookUpdate).where(WebhookUpdate.processed_at < before)
        return int((await self.session.execute(stmt)).rowcount or 0)
