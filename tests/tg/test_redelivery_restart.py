"""An update processed but never confirmed (the process died before the next getUpdates) is delivered again by
Telegram to the restarted bot, whose ``bot_data`` starts empty: it must not be answered a second time."""

from __future__ import annotations

import asyncio
from pathlib import Path

from telegram import Chat, Message, Update, User

from handlers.tg.common import NEWCOMER_WELCOME
from handlers.tg.processor import PerChatUpdateProcessor
from tests.emulator import BotApiEmulator
from tests.fixtures_bot import fake_services, running_bot

USER_ID = 20241203


async def test_a_redelivered_update_is_not_answered_again_after_a_restart(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    async with running_bot(emulator, tmp_path, services=fake_services(tmp_path)) as first:
        user = first.user(USER_ID, "张三")
        update = user.send_text("/start")
        assert (await emulator.wait_for_message(user.id)).text == NEWCOMER_WELCOME
        await emulator.idle()
    async with running_bot(
        emulator, tmp_path, services=fake_services(tmp_path)
    ):  # a new Application, empty bot_data
        emulator.redeliver(update)
        await emulator.idle()
        await emulator.expect_no_message(user.id, within=0.5)
        user.send_text("/start")  # a new update is still answered
        assert (await emulator.wait_for_message(user.id)).text == NEWCOMER_WELCOME


def _update(update_id: int, chat_id: int) -> Update:
    user = User(chat_id, "u", False)
    chat = Chat(chat_id, Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, None, chat, from_user=user, text="x"))


async def test_an_update_is_recorded_only_once_it_is_processed() -> None:
    """Chats run concurrently: a later update may finish while an earlier one still runs; only what finished is
    recorded, so the earlier one is processed after a crash (a high-water mark would drop it)."""
    recorded: list[int] = []

    async def finished(update: object) -> None:
        recorded.append(update.update_id)

    processor = PerChatUpdateProcessor(workers=4, finished=finished)
    slow_started, release = asyncio.Event(), asyncio.Event()

    async def slow() -> None:
        slow_started.set()
        await release.wait()

    async def quick() -> None:
        pass

    slow_task = asyncio.create_task(processor.process_update(_update(10, 1), slow()))
    await slow_started.wait()
    await processor.process_update(_update(11, 2), quick())
    assert recorded == [11]
    slow_task.cancel()  # the process stops with update 10 cut short: it is not recorded
    await asyncio.gather(slow_task, return_exceptions=True)
    assert recorded == [11]
