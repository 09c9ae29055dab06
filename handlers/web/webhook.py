"""Telegram's webhook, Telegram-free: check the secret, store the update, answer 200, process it once.

The secret-token header is compared with ``hmac.compare_digest`` (wrong or missing: 403). The update is stored
(``services.updates.store_update``) before the 200; a duplicate ``update_id`` gets 200 and is ignored. Processing
runs in the background through ``process`` (the bot's, see ``bot.web``) and the update is marked processed
after it; :meth:`WebhookReceiver.recover` processes what a dead process stored but never finished.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from handlers.services.updates import StoredUpdate, UpdateStore

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1 << 20

Process = Callable[[StoredUpdate], Awaitable[None]]


class WebhookReceiver:
    def __init__(self, updates: UpdateStore, secret: str, process: Process) -> None:
        if not secret:
            raise ValueError("the webhook needs a secret token")
        self.updates = updates
        self._secret = secret.encode()
        self.process = process
        self.tasks: set[asyncio.Task[None]] = set()

    def authentic(self, request: web.Request) -> bool:
        sent = request.headers.get(SECRET_HEADER, "")
        return hmac.compare_digest(sent.encode(), self._secret)

    async def handle(self, request: web.Request) -> web.Response:
        if not self.authentic(request):
            return web.json_response({"ok": False, "error": "forbidden"}, status=403)
        body = await request.content.read(MAX_BODY + 1)
        try:
            if len(body) > MAX_BODY:
                raise ValueError("too large")
            payload = json.loads(body)
            update_id = int(payload["update_id"])
        except (ValueError, KeyError, TypeError):
            return web.json_response({"ok": False, "error": "bad update"}, status=400)
        if await self.updates.store_update(update_id, body):
            self.spawn(StoredUpdate(update_id, payload))
        return web.json_response({"ok": True})

    def spawn(self, stored: StoredUpdate) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(self.run_one(stored))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def run_one(self, stored: StoredUpdate) -> None:
        """Process one update, then mark it processed (also when a handler failed: it is not retried forever).
        Cancelled (shutdown): left unmarked, processed again at the next start."""
        try:
            await self.process(stored)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("processing update %s failed", stored.update_id)
        await self.updates.mark_processed(stored.update_id)

    async def recover(self, *, force: bool = True) -> int:
        """Process the updates stored but never processed (at start-up, ``force``: their owner died)."""
        done = 0
        while batch := await self.updates.claim_unprocessed(force=force):
            for stored in batch:
                await self.run_one(stored)
                done += 1
            force = False
        if done:
            log.info("processed %d stored updates left unprocessed by the last run", done)
        return done

    async def drain(self) -> None:
        """Wait for the updates in progress (on shutdown)."""
        if self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)
