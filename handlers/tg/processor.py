"""Updates of different chats run concurrently; updates of one chat run one at a time, in arrival order.

PTB's default processes every update strictly in turn, so one busy group delays everyone. This processor keys a
FIFO lock by chat (or by user, for updates without a chat) and bounds the updates actually running with a
second semaphore, so updates waiting for their chat's turn never hold a worker.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

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
    def __init__(self, workers: int = WORKERS, queue_bound: int = QUEUE_BOUND) -> None:
        super().__init__(queue_bound)
        self._workers = asyncio.Semaphore(workers)
        self._locks: dict[object, asyncio.Lock] = {}
        self._waiting: dict[object, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            async with self._workers:
                await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock, self._workers:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # nobody else holds or waits for this chat's lock
                del self._waiting[key]
                del self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
