"""Updates of different chats run concurrently; updates of one chat run one at a time, in arrival order.

PTB's default processes every update strictly in turn, so one busy group delays everyone. This processor keys a
FIFO lock by chat (or by user, for updates without a chat) and bounds the updates actually running with a
second semaphore, so updates waiting for their chat's turn never hold a worker. ``finished`` (if set) is awaited
once an update has been processed (``handlers.tg.dedupe.remember``: a restart does not answer it again).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)
Finished = Callable[[object], Awaitable[None]]
QUEUE_BOUND = 4096  # updates admitted at once (waiting for their chat, or running)
WORKERS = 32  # updates running at once


def chat_key(update: object) -> object:
    """What orders updates: the chat, else the user, else nothing (such updates run unordered)."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return ("chat", update.effective_chat.id)
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(
        self, workers: int = WORKERS, queue_bound: int = QUEUE_BOUND, finished: Finished | None = None
    ) -> None:
        super().__init__(queue_bound)
        self.finished = finished
        self._workers = asyncio.Semaphore(workers)
        self._locks: dict[object, asyncio.Lock] = {}
        self._waiting: dict[object, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            async with self._workers:
                await coroutine
                await self._finish(update)
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock, self._workers:
                await coroutine
                await self._finish(update)
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # nobody else holds or waits for this chat's lock
                del self._waiting[key]
                del self._locks[key]

    async def _finish(self, update: object) -> None:
        """Never fails the update: it has been answered; a failed record only weakens the dedupe."""
        if self.finished is None:
            return
        try:
            await self.finished(update)
        except Exception as exc:
            log.warning(
                "could not record update %s as processed (%s)", _update_id(update), type(exc).__name__
            )

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def _update_id(update: object) -> object:
    return update.update_id if isinstance(update, Update) else None
