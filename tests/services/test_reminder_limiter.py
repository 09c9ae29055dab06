"""The sliding-window limiter, on a fake monotonic clock: never more than R starts in ANY one-second window."""

from __future__ import annotations

import random

import pytest

from handlers.services.reminders import SlidingWindowLimiter
from tests.services.reminder_world import FakeTime


def max_in_any_window(times: list[float], window: float = 1.0) -> int:
    """The most starts in any half-open window [t, t + window) (it suffices to start windows at starts)."""
    times = sorted(times)
    best, j = 0, 0
    for i, start in enumerate(times):
        while j < len(times) and times[j] < start + window:
            j += 1
        best = max(best, j - i)
    return best


@pytest.mark.parametrize("rate", [1, 7, 25, 30])
async def test_never_more_than_rate_in_any_window(rate):
    time = FakeTime()
    limiter = SlidingWindowLimiter(rate, monotonic=time.monotonic, sleep=time.sleep)
    rng = random.Random(rate)
    starts = []
    for _ in range(20 * rate + 13):
        starts.append(await limiter.acquire())
        if rng.random() < 0.2:  # the caller is sometimes slow: gaps must not let a later burst exceed R
            await time.sleep(rng.random() * 0.7)
    assert max_in_any_window(starts) == rate
    # Not an average: a burst of R at once is allowed, R + 1 within a second is not.
    assert max_in_any_window(starts, 0.999) <= rate


async def test_the_full_rate_is_reached():
    time = FakeTime()
    limiter = SlidingWindowLimiter(25, monotonic=time.monotonic, sleep=time.sleep)
    start = time.now
    for _ in range(250):
        await limiter.acquire()
    assert time.now - start == pytest.approx(9.0)  # 10 windows of 25, the first at once


async def test_one_start_per_chat_per_second():
    time = FakeTime()
    limiter = SlidingWindowLimiter(25, monotonic=time.monotonic, sleep=time.sleep)
    a1 = await limiter.acquire(chat_id=1)
    b = await limiter.acquire(chat_id=2)
    a2 = await limiter.acquire(chat_id=1)
    assert (b - a1, a2 - a1) == (0.0, pytest.approx(1.0))


async def test_a_rate_below_one():
    time = FakeTime()
    limiter = SlidingWindowLimiter(0.5, monotonic=time.monotonic, sleep=time.sleep)
    starts = [await limiter.acquire() for _ in range(4)]
    assert [b - a for a, b in zip(starts, starts[1:], strict=False)] == pytest.approx([2.0, 2.0, 2.0])
    for bad in (0, -1, float("inf"), float("nan")):
        with pytest.raises(ValueError):
            SlidingWindowLimiter(bad)


async def test_many_chats_are_forgotten():
    time = FakeTime()
    limiter = SlidingWindowLimiter(5, monotonic=time.monotonic, sleep=time.sleep)
    for chat in range(1000):
        await limiter.acquire(chat)
    assert len(limiter._last_by_chat) <= 4 * 5 + 64 + 1
