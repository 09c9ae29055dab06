"""A failing ``setMyCommands`` at start never stops the bot: it answers, warns once, and retries with backoff.

The real application against the Bot API emulator (``tests/fixtures_bot.py``), with the retry delays cut
from 30 s / 2 min / 10 min / 1 h to fractions of a second.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot import app as bot_app
from bot.app import ADMIN_COMMANDS, COMMANDS, commands_retry_delay
from handlers.tg.common import STRANGER_HELP
from handlers.tg.processor import PerChatUpdateProcessor
from tests.emulator import BotApiEmulator
from tests.fixtures_bot import fake_services, running_bot

USER_ID = 20240901
ADMIN_ID = 20240902
EXPECTED = [{"command": c.command, "description": c.description} for c in COMMANDS]
ADMIN_EXPECTED = [{"command": c.command, "description": c.description} for c in ADMIN_COMMANDS]
ADMIN_SCOPE = {"type": "chat", "chat_id": ADMIN_ID}


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot_app, "COMMANDS_RETRY_DELAYS", (0.3, 0.3, 0.3, 0.6))
    monkeypatch.setattr(bot_app, "COMMANDS_TIMEOUT", 0.5)


def inject(emulator: BotApiEmulator, fault: str) -> int:
    """Make the next setMyCommands call(s) fail with ``fault``; how many calls fail."""
    if fault == "429":  # the rate limiter retries 3 times itself; the 4th 429 reaches our job
        emulator.fail_next("setMyCommands", status=429, retry_after=0.1, count=4)
        return 4
    if fault == "timeout":
        emulator.delay_next("setMyCommands", 1.5)
        return 1
    if fault == "network":
        emulator.drop_next("setMyCommands")
        return 1
    emulator.fail_next("setMyCommands", status=int(fault))
    return 1


@pytest.mark.parametrize("fault", ["500", "502", "429", "timeout", "network"])
async def test_failing_set_my_commands_does_not_stop_the_bot(
    emulator: BotApiEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture, fault: str
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.app")
    failures = inject(emulator, fault)
    emulator.user(ADMIN_ID)  # an administrator who has opened the bot before
    services = fake_services(tmp_path, admin_ids=frozenset({ADMIN_ID}))
    async with running_bot(emulator, tmp_path, services=services) as harness:
        user = harness.user(USER_ID)
        user.send_text("/help")
        assert (await emulator.wait_for_message(user.id)).text == STRANGER_HELP
        done = await emulator.wait_for_call("setMyCommands", lambda c: c.ok, timeout=10)
        assert done.params["commands"] == EXPECTED
        assert emulator.my_commands() == EXPECTED
        await emulator.wait_for_call("setMyCommands", lambda c: c.ok and "scope" in c.params, timeout=10)
        assert emulator.my_commands(ADMIN_SCOPE) == ADMIN_EXPECTED
        assert harness.errors == []  # handled in the job, never reported as a handler error
    warnings = [r for r in caplog.records if r.name == "bot.app" and r.levelno == logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "retrying in" in warnings[0].getMessage()
    if fault != "timeout":  # a timed-out call is answered late; the others failed outright
        statuses = [c.status for c in emulator.calls_to("setMyCommands")]
        assert statuses[:failures] != [200] * failures and statuses[-1] == 200


async def test_retries_continue_with_backoff(emulator: BotApiEmulator, tmp_path: Path, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="bot.app")
    emulator.fail_next("setMyCommands", status=500, count=3)
    async with running_bot(emulator, tmp_path, services=fake_services(tmp_path)):
        await emulator.wait_for_call("setMyCommands", lambda c: c.ok, timeout=10)
        calls = emulator.calls_to("setMyCommands")
    assert [c.status for c in calls] == [500, 500, 500, 200]
    gaps = [b.started - a.started for a, b in zip(calls, calls[1:], strict=False)]
    assert all(gap >= 0.25 for gap in gaps), gaps
    assert len([r for r in caplog.records if r.name == "bot.app"]) == 3


def test_backoff_schedule(monkeypatch: pytest.MonkeyPatch) -> None:
    """The production schedule: 30 s, 2 min, 10 min, then hourly."""
    monkeypatch.undo()  # the fast delays of the autouse fixture
    assert [commands_retry_delay(n) for n in range(1, 7)] == [30, 120, 600, 3600, 3600, 3600]


async def test_updates_are_processed_per_chat(emulator: BotApiEmulator, tmp_path: Path) -> None:
    async with running_bot(emulator, tmp_path, services=fake_services(tmp_path)) as harness:
        assert isinstance(harness.application.update_processor, PerChatUpdateProcessor)
