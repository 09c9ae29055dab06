"""The real application, polling the Bot API emulator as ``branchbot run`` does."""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

import pytest
from telegram.error import NetworkError

from bot.app import COMMANDS
from bot.logging_setup import configure_logging
from handlers.tg.common import ERROR_TEXT, NEWCOMER_WELCOME, STRANGER_HELP
from handlers.tg.transport import RETRY_DELAYS
from tests.emulator import BotApiEmulator, parse_html
from tests.fixtures_bot import TEST_TOKEN, fake_services, running_bot

USER_ID = 20240701


@pytest.fixture
async def harness(emulator: BotApiEmulator, tmp_path: Path):
    """The application with stub services (no knowledge base needed for /start and /help)."""
    async with running_bot(emulator, tmp_path, services=fake_services(tmp_path)) as running:
        yield running


async def test_start_sends_welcome(harness) -> None:
    user = harness.user(USER_ID, "张三", "zhangsan")
    user.send_text("/start")
    reply = await harness.emulator.wait_for_message(user.id)
    assert reply.kind == "send" and reply.text == NEWCOMER_WELCOME and reply.parse_mode is None
    assert reply.message["from"]["is_bot"] is True


async def test_start_addressed_to_the_bot(harness) -> None:
    """``/start@<username>`` works: the username from getMe matches what the emulator puts in updates."""
    user = harness.user(USER_ID)
    user.send_text("/start@branchbot_test_bot")
    assert (await harness.emulator.wait_for_message(user.id)).text == NEWCOMER_WELCOME


async def test_help_is_valid_html(harness) -> None:
    user = harness.user(USER_ID)
    user.send_text("/help")
    reply = await harness.emulator.wait_for_message(user.id)
    assert reply.parse_mode == "HTML" and reply.text == STRANGER_HELP
    assert reply.plain_text == parse_html(STRANGER_HELP)[0].strip()
    assert "可用命令" in reply.plain_text and "<b>" not in reply.plain_text
    assert reply.message["entities"][0]["type"] == "bold"


async def test_start_up_registers_commands_and_polls(harness) -> None:
    emulator = harness.emulator
    expected = [{"command": c.command, "description": c.description} for c in COMMANDS]
    call = await emulator.wait_for_call("setMyCommands")
    assert call.ok and call.params["commands"] == expected
    assert emulator.my_commands() == expected
    assert (await emulator.wait_for_call("getMe")).ok
    delete = await emulator.wait_for_call("deleteWebhook")
    assert not delete.params.get("drop_pending_updates")
    user = harness.user(USER_ID)
    user.send_text("/start")
    await emulator.wait_for_message(user.id)
    poll = await emulator.wait_for_call("getUpdates", lambda c: bool(c.result))
    assert poll.params["timeout"] == 1 and poll.params["offset"] == 0
    assert emulator.unknown_calls == []


async def test_pending_updates_are_not_dropped_at_start(emulator: BotApiEmulator, tmp_path: Path) -> None:
    user = emulator.user(USER_ID)
    user.send_text("/start")  # sent while the bot was down
    async with running_bot(emulator, tmp_path, services=fake_services(tmp_path)):
        assert (await emulator.wait_for_message(user.id)).text == NEWCOMER_WELCOME
        await emulator.idle(timeout=3, quiet=0.2)
    # Stopping confirmed the update: it is not handled again by the next run.
    assert emulator.pending_updates == []


async def test_429_is_retried_by_the_rate_limiter(harness) -> None:
    emulator = harness.emulator
    user = harness.user(USER_ID)
    emulator.fail_next("sendMessage", status=429, retry_after=1)
    user.send_text("/start")
    reply = await emulator.wait_for_message(user.id, timeout=6)
    assert reply.text == NEWCOMER_WELCOME
    attempts = emulator.calls_to("sendMessage")
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[1].started - attempts[0].started >= 1.0  # it waited retry_after
    assert harness.errors == []


@pytest.mark.parametrize("status", [500, 502])
async def test_a_passing_server_error_is_retried_and_the_reply_arrives(harness, status: int) -> None:
    emulator = harness.emulator
    user = harness.user(USER_ID)
    emulator.fail_next("sendMessage", status=status)
    user.send_text("/start")
    assert (await emulator.wait_for_message(user.id, timeout=6)).text == NEWCOMER_WELCOME
    attempts = emulator.calls_to("sendMessage")
    assert [c.status for c in attempts] == [status, 200]
    assert attempts[1].started - attempts[0].started >= RETRY_DELAYS[0]
    assert harness.errors == []


@pytest.mark.parametrize("status", [500, 502])
async def test_server_error_does_not_stop_the_bot(harness, status: int) -> None:
    emulator = harness.emulator
    user = harness.user(USER_ID)
    emulator.fail_next("sendMessage", status=status, count=1 + len(RETRY_DELAYS))
    user.send_text("/help")
    # Every attempt failed; the application's error handler tells the user instead.
    assert (await emulator.wait_for_message(user.id, timeout=8)).text.startswith(ERROR_TEXT)
    await harness.expect_error(NetworkError)

    user.send_text("/start")
    assert (await emulator.wait_for_message(user.id)).text == NEWCOMER_WELCOME
    assert [c.status for c in emulator.calls_to("sendMessage")] == [status] * (1 + len(RETRY_DELAYS)) + [
        200,
        200,
    ]


async def test_other_updates_do_not_break_the_bot(make_bot) -> None:
    """Stickers, photos, files, voice, unknown commands and free text: no handler error, /start works."""
    async with make_bot() as harness:
        emulator = harness.emulator
        user = harness.user(USER_ID)
        user.send_text("党员不足三人怎么建党组织")
        user.send_sticker()
        user.send_photo(caption="照片")
        user.send_document("会议记录.pdf", "application/pdf", 4096)
        user.send_voice()
        user.send_text("/unknown_command")
        user.send_text("/start")
        reply = await emulator.wait_for_message(user.id, lambda m: m.text == NEWCOMER_WELCOME)
        await emulator.idle(timeout=5, quiet=0.3)
        assert harness.errors == []
        assert emulator.unknown_calls == []

        # Every inline button press gets its callbackQuery answered (or the client shows a spinner).
        update = user.press(reply, reply.buttons[0]["callback_data"])
        query_id = update["callback_query"]["id"]
        await emulator.wait_for_call(
            "answerCallbackQuery", lambda c: c.params["callback_query_id"] == query_id
        )


async def test_token_never_logged(emulator: BotApiEmulator, tmp_path: Path, caplog, capsys) -> None:
    """Logging set up as the CLI does (``configure_logging``), with every logger at DEBUG."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    noisy = ["httpx", "httpcore", "telegram", "telegram.ext", "aiohttp", "jieba"]
    saved_levels = {name: logging.getLogger(name).level for name in noisy}
    # caplog first: it restores at teardown the root level it finds here; called after configure_logging it found
    # DEBUG and left the root logger at DEBUG for every later test (their engines then showed SQL parameters).
    caplog.set_level(logging.DEBUG)
    try:
        configure_logging(TEST_TOKEN, level=logging.DEBUG)
        root.addHandler(caplog.handler)  # configure_logging replaced the root handlers
        for name in noisy:  # stricter than the CLI: httpx logs every URL, token included
            logging.getLogger(name).setLevel(logging.DEBUG)

        async with running_bot(emulator, tmp_path, services=fake_services(tmp_path)) as harness:
            user = harness.user(USER_ID)
            emulator.fail_next("sendMessage", status=500, count=1 + len(RETRY_DELAYS))
            user.send_text("/start")
            assert (await emulator.wait_for_message(user.id, timeout=8)).text.startswith(ERROR_TEXT)
            await harness.expect_error(NetworkError)
            user.send_text("/help")
            await emulator.wait_for_message(user.id)
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)

    secret = TEST_TOKEN.split(":", 1)[1]
    records = caplog.records
    assert any(r.name.startswith("httpx") for r in records), "httpx request logs were not captured"
    assert any("<token>" in r.getMessage() for r in records), "nothing was redacted: the test proves nothing"
    assert secret not in caplog.text
    for record in records:
        assert secret not in record.getMessage(), record.name
    printed = capsys.readouterr()
    assert "HTTP Request" in printed.err  # the CLI's stream handler wrote the same records
    assert secret not in printed.err and secret not in printed.out


@pytest.mark.skipif(
    importlib.util.find_spec("knowledge") is None or importlib.util.find_spec("storage") is None,
    reason="knowledge/storage not written yet",
)
async def test_real_services(make_bot) -> None:
    """The default path: ``build_services`` (real knowledge base, migrated SQLite database)."""
    async with make_bot() as harness:
        user = harness.user(USER_ID)
        user.send_text("/start")
        assert (await harness.emulator.wait_for_message(user.id)).text == NEWCOMER_WELCOME
