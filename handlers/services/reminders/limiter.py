"""A sliding-window rate limiter: at most ``rate`` starts in ANY window of one second (not on average), and
at most one start per chat per second (Telegram's per-chat limit).

It keeps the times of the last ``rate`` starts: a new start waits until the oldest of them is a full window
old, so for any two starts ``rate`` apart, ``t[i + rate] - t[i] >= window``, hence no half-open window of that
length holds more than ``rate`` starts. Time and sleeping are injected (a fake monotonic clock in tests).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable

MIN_SLEEP = 1e-6  # never sleep 0 in a loop (a fake clock adding a tiny float could stand still)


class SlidingWindowLimiter:
    def __init__(
        self,
        rate: float,
        *,
        per_chat: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if not rate > 0 or math.isinf(rate):
            raise ValueError(f"rate must be a positive number, got {rate!r}")
        # 25/s: 25 starts per 1 s window; 0.5/s: 1 start per 2 s window.
        self.limit = max(1, int(rate))
        self.window = 1.0 if rate >= 1 else 1.0 / rate
        self.per_chat = per_chat
        self.monotonic = monotonic
        self.sleep = sleep
        self._starts: deque[float] = deque(maxlen=self.limit)
        self._last_by_chat: dict[int, float] = {}

    def chat_delay(self, chat_id: int) -> float:
        """Seconds before ``chat_id`` may get another message (0: now)."""
        last = self._last_by_chat.get(chat_id)
        return 0.0 if last is None else max(0.0, last + self.per_chat - self.monotonic())

    def delay(self, chat_id: int | None = None) -> float:
        """Seconds to wait before the next start may happen (0 when it may happen now)."""
        now = self.monotonic()
        wait = 0.0
        if len(self._starts) == self.limit:
            wait = self._starts[0] + self.window - now
        if chat_id is not None and chat_id in self._last_by_chat:
            wait = max(wait, self._last_by_chat[chat_id] + self.per_chat - now)
        return max(0.0, wait)

    async def acquire(self, chat_id: int | None = None) -> float:
        """Wait for a slot and take it; returns the start's monotonic time."""
        while (wait := self.delay(chat_id)) > 0:
            await self.sleep(max(wait, MIN_SLEEP))
        now = self.monotonic()
        self._starts.append(now)
        if chat_id is not None:
            self._last_by_chat[chat_id] = now
            if len(self._last_by_chat) > 4 * self.limit + 64:
                self._forget_chats(now)
        return now

    def _forget_chats(self, now: float) -> None:
        self._last_by_chat = {c: t for c, t in self._last_by_chat.items() if now - t < self.per_chat}

    def reset(self) -> None:
        """Forget past starts (not needed after a pause: a window longer than a second has passed)."""
        self._starts.clear()
        self._last_by_chat.clear()
