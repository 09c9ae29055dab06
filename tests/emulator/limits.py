"""Telegram's flood limits, for the emulator: at most ``limit`` messages in ANY window of ``window`` seconds (30 a
second overall for a bot), answered beyond that with 429 and a ``retry_after`` the way Telegram does; and, if
asked, a few 429s at random (seeded), as Telegram sends now and then under load.

Off unless a test or benchmark installs it::

    emu.limits = RateLimits(limit=30, random_429=0.001, seed=7)

Only messages count (the methods in :data:`COUNTED`: sending, copying, forwarding and editing); polling, button
answers, chat actions and file look-ups do not. A request answered 429 sends nothing and is not counted. What
happened is kept for the caller: ``peak`` (the most messages in one window), ``over_limit`` and ``random``
(429s of each cause).
"""

from __future__ import annotations

import math
import random
import time
from collections import deque
from collections.abc import Callable

from tests.emulator.state import ApiCall, ApiError

COUNTED = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
        "editMessageText",
        "editMessageReplyMarkup",
    }
)


class RateLimits:
    def __init__(
        self,
        *,
        limit: int = 30,
        window: float = 1.0,
        random_429: float = 0.0,
        random_retry_after: int = 1,
        seed: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.random_429 = random_429
        self.random_retry_after = random_retry_after
        self.clock = clock
        self._random = random.Random(seed)
        self._times: deque[float] = deque()
        self.peak = 0
        self.over_limit = 0
        self.random = 0
        self.rejected: list[tuple[float, str]] = []  # (when, "over_limit" | "random") of each 429

    def check(self, call: ApiCall) -> None:
        """Count ``call`` if it sends a message, or raise the 429 Telegram would answer."""
        if call.method not in COUNTED:
            return
        now = self.clock()
        while self._times and self._times[0] <= now - self.window:
            self._times.popleft()
        if len(self._times) >= self.limit:
            self.over_limit += 1
            self.rejected.append((now, "over_limit"))
            wait = self._times[0] + self.window - now
            raise _too_many(max(1, math.ceil(wait)))
        if self.random_429 and self._random.random() < self.random_429:
            self.random += 1
            self.rejected.append((now, "random"))
            raise _too_many(self.random_retry_after)
        self._times.append(now)
        self.peak = max(self.peak, len(self._times))


def _too_many(seconds: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})
