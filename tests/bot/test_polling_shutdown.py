"""Stopping the bot marks fetched updates as read even when a connection slot was lost.

httpcore 1.0.9 can lose a pool slot to a request cancelled at the wrong moment (encode/httpcore#1093);
PTB cancels the long poll at stop, then calls ``getUpdates`` once more on the same pool. With one slot,
that last call waits for a connection nobody frees and logs a PoolTimeout traceback (seen in CI). Here a
stalled request holds one slot, as a leaked connection would, while the bot is stopped.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from tests.emulator import BotApiEmulator
from tests.fixtures_bot import fake_services, running_bot


async def test_stop_marks_updates_read_with_one_slot_lost(
    emulator: BotApiEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="telegram.ext")
    emulator.delay_next("getWebhookInfo", 30)
    async with running_bot(emulator, tmp_path, services=fake_services(tmp_path)) as harness:
        bot = harness.application.bot
        polls = len(emulator.calls_to("getUpdates"))
        get_updates_request = bot._request[0]  # PTB keeps (get_updates_request, request)
        stalled = asyncio.create_task(
            get_updates_request.post(url=f"{bot.base_url}/getWebhookInfo", read_timeout=60)
        )
        for _ in range(100):  # the stalled call is in the emulator: the slot is taken
            if emulator.calls_to("getWebhookInfo"):
                break
            await asyncio.sleep(0.05)
        assert emulator.calls_to("getWebhookInfo"), "the stalled request never reached the emulator"
        await emulator.wait_for_call("getUpdates", lambda c: c.index > polls, timeout=5)
    stalled.cancel()
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []
    last = emulator.calls_to("getUpdates")[-1]
    assert last.ok and int(last.params.get("timeout", -1)) == 0  # the cleanup call, answered
