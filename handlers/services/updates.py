"""The webhook's update store: store before answering 200, process once by ``update_id``, recover after a crash.

The webhook adapter calls :meth:`UpdateStore.store_update` before it answers; ``True`` means "this process owns the
update now: process it, then :meth:`mark_processed`"; ``False`` means a duplicate (Telegram posted it again) that
is already stored and owned: ignore it. Ownership is a lease (``LEASE``): an update stored but never marked (the
process died) is handed out again by :meth:`claim_unprocessed` once its lease runs out, or at once with
``force=True`` (at start-up, when this is the only process serving the webhook).

Long polling stores nothing before processing (Telegram keeps an update until the next ``getUpdates`` confirms
it); :meth:`remember_processed` records each update once processed, and :meth:`latest_processed` gives a
restarted process the ids it must not answer again (``handlers.tg.dedupe``).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.clock import Clock
from storage.repositories.updates import UpdateRepository

LEASE = timedelta(minutes=2)
KEEP_PROCESSED = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class StoredUpdate:
    update_id: int
    payload: dict[str, Any]


def _payload_text(payload: str | bytes | dict[str, Any]) -> str:
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8")
    if isinstance(payload, str):
        json.loads(payload)  # stored only if it is JSON
        return payload
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


class UpdateStore:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        worker: str | None = None,
        lease: timedelta = LEASE,
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.worker = worker or f"w-{secrets.token_hex(6)}"  # one per process
        self.lease = lease

    async def store_update(self, update_id: int, payload: str | bytes | dict[str, Any]) -> bool:
        """Store the update (idempotent by ``update_id``); ``True``: process it now, ``False``: a duplicate.

        A duplicate whose first copy was never processed and whose lease ran out is claimed (``True``) instead.
        Raises ``ValueError`` if ``payload`` is not JSON.
        """
        text = _payload_text(payload)
        now = self.clock.now()
        async with self.session_factory() as session, session.begin():
            repo = UpdateRepository(session)
            if await repo.insert(update_id, text, at=now, worker=self.worker, lease_until=now + self.lease):
                return True
            taken = await repo.claim(
                worker=self.worker, at=now, lease_until=now + self.lease, update_id=update_id, limit=1
            )
        return bool(taken)

    async def claim_unprocessed(self, limit: int = 100, *, force: bool = False) -> list[StoredUpdate]:
        """Updates stored but not processed, oldest first, now owned by this process for one lease.

        ``force``: take them whatever their lease (at start-up of the only webhook process: whoever held them died).
        """
        now = self.clock.now()
        async with self.session_factory() as session, session.begin():
            rows = await UpdateRepository(session).claim(
                worker=self.worker, at=now, lease_until=now + self.lease, limit=limit, force=force
            )
            return [StoredUpdate(row.update_id, json.loads(row.payload)) for row in rows]

    async def mark_processed(self, update_id: int) -> bool:
        """``False`` if unknown or already marked."""
        async with self.session_factory() as session, session.begin():
            return await UpdateRepository(session).mark_processed(update_id, self.clock.now())

    async def remember_processed(self, update_id: int) -> None:
        """Long polling: the update has been processed (one small insert; nothing if it is already stored)."""
        async with self.session_factory() as session, session.begin():
            await UpdateRepository(session).remember_processed(update_id, self.clock.now())

    async def latest_processed(self, limit: int) -> list[int]:
        """The ids of the ``limit`` latest processed updates (either path), lowest first."""
        async with self.session_factory() as session:
            ids = await UpdateRepository(session).latest_processed(limit)
        return sorted(ids)

    async def depth(self) -> int:
        """How many stored updates wait to be processed (for /metrics)."""
        async with self.session_factory() as session:
            return await UpdateRepository(session).unprocessed_count()

    async def prune(self, keep: timedelta = KEEP_PROCESSED) -> int:
        """Delete updates processed longer ago than ``keep``."""
        async with self.session_factory() as session, session.begin():
            return await UpdateRepository(session).prune(self.clock.now() - keep)
