"""The emulator's flood limits (``tests/emulator/limits.py``): 30 messages in any one-second window, 429 with
``retry_after`` beyond it the way Telegram answers, and seeded random 429s."""

from __future__ import annotations

import aiohttp

from tests.emulator import BotApiEmulator
from tests.emulator.limits import RateLimits
from tests.fixtures_bot import TEST_TOKEN


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


async def send(session: aiohttp.ClientSession, emulator: BotApiEmulator, chat_id: int, method="sendMessage"):
    params = (
        {"chat_id": chat_id, "text": "提醒"}
        if method == "sendMessage"
        else {"chat_id": chat_id, "action": "typing"}
    )
    async with session.post(f"{emulator.base_url}{TEST_TOKEN}/{method}", json=params) as response:
        return response.status, await response.json()


async def test_thirty_in_any_second_then_429_with_retry_after(emulator: BotApiEmulator) -> None:
    clock = Clock()
    emulator.limits = RateLimits(limit=30, clock=clock)
    for user_id in range(1, 41):
        emulator.user(user_id)
    async with aiohttp.ClientSession() as session:
        for user_id in range(1, 31):
            clock.now += 0.01
            assert (await send(session, emulator, user_id))[0] == 200
        assert (await send(session, emulator, 31, "sendChatAction"))[0] == 200  # not a message: not counted
        status, body = await send(session, emulator, 31)
        assert status == 429 and body["parameters"] == {"retry_after": 1}
        assert body["description"] == "Too Many Requests: retry after 1"
        assert emulator.messages(31) == []  # nothing was sent
        clock.now += 0.75  # the first message is now more than a second old
        assert (await send(session, emulator, 31))[0] == 200
    assert (emulator.limits.peak, emulator.limits.over_limit) == (30, 1)


async def test_random_429s_are_seeded(emulator: BotApiEmulator) -> None:
    async def statuses(seed: int) -> list[int]:
        emulator.limits = RateLimits(limit=10_000, random_429=0.2, seed=seed)
        async with aiohttp.ClientSession() as session:
            return [(await send(session, emulator, 7))[0] for _ in range(40)]

    emulator.user(7)
    first, again = await statuses(3), await statuses(3)
    assert first == again and 429 in first and 200 in first
    assert emulator.limits.random == first.count(429)
