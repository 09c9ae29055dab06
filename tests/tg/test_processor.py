"""PerChatUpdateProcessor: one chat's updates in order, different chats at once, a bound on running ones."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from handlers.tg.processor import PerChatUpdateProcessor, chat_key


def update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    user = User(chat_id, "u", False)
    return Update(update_id, message=Message(update_id, None, chat, from_user=user, text="x"))


async def test_one_chat_in_order_and_chats_concurrently() -> None:
    processor = PerChatUpdateProcessor(workers=8)
    log: list[tuple[int, int]] = []
    running: dict[int, int] = {}
    peak_same_chat = 0

    async def handle(u: Update, delay: float) -> None:
        nonlocal peak_same_chat
        chat = u.effective_chat.id
        running[chat] = running.get(chat, 0) + 1
        peak_same_chat = max(peak_same_chat, running[chat])
        await asyncio.sleep(delay)
        running[chat] -= 1
        log.append((chat, u.update_id))

    busy = [update(i, 1) for i in range(10)]  # a busy chat: 10 updates of 50 ms
    quiet = update(100, 2)
    loop = asyncio.get_running_loop()
    started = loop.time()
    tasks = [asyncio.create_task(processor.process_update(u, handle(u, 0.05))) for u in busy]
    tasks.append(asyncio.create_task(processor.process_update(quiet, handle(quiet, 0.0))))
    await asyncio.sleep(0.03)
    assert (2, 100) in log  # the quiet chat did not wait for the busy one
    assert loop.time() - started < 0.1
    await asyncio.gather(*tasks)
    assert [uid for chat, uid in log if chat == 1] == list(range(10))
    assert peak_same_chat == 1
    assert processor._locks == {} and processor._waiting == {}


async def test_workers_bound_what_runs() -> None:
    processor = PerChatUpdateProcessor(workers=3)
    now = 0
    peak = 0

    async def handle() -> None:
        nonlocal now, peak
        now += 1
        peak = max(peak, now)
        await asyncio.sleep(0.01)
        now -= 1

    await asyncio.gather(*(processor.process_update(update(i, 1000 + i), handle()) for i in range(20)))
    assert peak == 3


def test_key() -> None:
    assert chat_key(update(1, 5)) == ("chat", 5)
    assert chat_key(object()) is None
