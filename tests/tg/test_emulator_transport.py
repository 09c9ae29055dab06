"""The Bot API emulator (tests/emulator) on the wire: JSON, form and multipart bodies, users' updates, files,
injected faults (429, 5xx, delays, dropped connections), getUpdates' long polling and offsets, and the waiting
helpers (sending and editing: ``test_emulator``)."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from telegram import (
    Bot,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from tests.emulator import BotApiEmulator
from tests.fixtures_bot import TEST_TOKEN
from tests.tg.emulator_client import assert_no_unknown_fields, local_bot


async def test_json_form_and_multipart_bodies(emulator: BotApiEmulator, alice) -> None:
    url = f"{emulator.base_url}{TEST_TOKEN}/sendMessage"
    markup = '{"inline_keyboard": [[{"text": "a", "callback_data": "1"}]]}'
    async with httpx.AsyncClient() as client:
        as_json = await client.post(
            url, json={"chat_id": alice.id, "text": "123", "reply_markup": {"remove_keyboard": True}}
        )
        as_form = await client.post(
            url, data={"chat_id": str(alice.id), "text": "true", "reply_markup": markup}
        )
        as_multipart = await client.post(
            f"{emulator.base_url}{TEST_TOKEN}/sendDocument",
            data={"chat_id": str(alice.id), "caption": "<b>报表</b>", "parse_mode": "HTML"},
            files={"document": ("report.csv", b"a,b\n1,2\n", "text/csv")},
        )
        by_query = await client.get(f"{emulator.base_url}{TEST_TOKEN}/getMe")
    assert as_json.json()["result"]["text"] == "123"  # a string param stays a string
    assert as_form.json()["result"]["text"] == "true"
    assert as_form.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "1"
    document = as_multipart.json()["result"]
    assert document["caption"] == "报表" and document["document"]["file_name"] == "report.csv"
    assert emulator.calls_to("sendDocument")[0].files["document"].data == b"a,b\n1,2\n"
    assert by_query.json()["ok"] is True


async def test_user_updates_parse_cleanly(tg_bot: Bot, emulator: BotApiEmulator, alice) -> None:
    alice.send_text("/start 邀请码")
    alice.send_text("/help@branchbot_test_bot")
    alice.send_text("普通问题")
    alice.send_sticker()
    alice.send_photo(file_id="PHOTO-ID", file_unique_id="PHOTO-UID", caption="说明", media_group_id="g1")
    alice.send_document(
        "会议记录.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 3000
    )
    alice.send_voice(duration=5)
    edited = alice.edit_text(alice.send_text("错字")["message"], "正字")

    updates = await tg_bot.get_updates(timeout=1)
    assert len(updates) == 9
    assert [u.update_id for u in updates] == sorted(u.update_id for u in updates)
    for update in updates:
        assert_no_unknown_fields(update)
        assert update.effective_user.id == alice.id and update.effective_chat.id == alice.id
    start, help_, text, sticker, photo, document, voice, _, edit = updates
    assert start.message.text == "/start 邀请码"
    assert start.message.parse_entities(["bot_command"]) == {start.message.entities[0]: "/start"}
    assert help_.message.entities[0].length == len("/help@branchbot_test_bot")
    assert not text.message.entities
    assert sticker.message.sticker.emoji == "👍"
    assert [p.width for p in photo.message.photo] == [90, 320, 1280]
    assert photo.message.photo[-1].file_id == "PHOTO-ID" and photo.message.media_group_id == "g1"
    assert photo.message.caption == "说明"
    assert (
        document.message.document.file_name == "会议记录.docx" and document.message.document.file_size == 3000
    )
    assert voice.message.voice.duration == 5
    assert edit.edited_message.text == "正字" and edit.update_id == edited["update_id"]


async def test_get_file_and_download(tg_bot: Bot, alice) -> None:
    alice.send_document("note.txt", "text/plain", content="笔记".encode())
    (update,) = await tg_bot.get_updates(timeout=1)
    file = await tg_bot.get_file(update.message.document.file_id)
    assert file.file_size == 6
    assert bytes(await file.download_as_bytearray()) == "笔记".encode()
    with pytest.raises(BadRequest, match="(?i)wrong file_id"):
        await tg_bot.get_file("nope")
    alice.send_document("录像.mp4", "video/mp4", file_size=30 * 1024 * 1024)
    (big,) = await tg_bot.get_updates(offset=update.update_id + 1)
    with pytest.raises(BadRequest, match="(?i)file is too big"):
        await tg_bot.get_file(big.message.document.file_id)


async def test_429_becomes_retry_after(tg_bot: Bot, emulator: BotApiEmulator, alice) -> None:
    emulator.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter) as info:
        await tg_bot.send_message(alice.id, "x")
    assert info.value.retry_after == 3
    call = emulator.calls_to("sendMessage")[-1]
    assert call.status == 429
    assert call.response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    await tg_bot.send_message(alice.id, "x")  # only the next call failed
    assert emulator.sent[-1].text == "x" and len(emulator.sent) == 1


@pytest.mark.parametrize(("status", "fragment"), [(500, "Internal Server Error"), (502, "Bad Gateway")])
async def test_server_errors_become_network_errors(
    tg_bot: Bot, emulator: BotApiEmulator, alice, status, fragment
) -> None:
    emulator.fail_next("sendMessage", status=status, count=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match=fragment):
            await tg_bot.send_message(alice.id, "x")
    await tg_bot.send_message(alice.id, "x")


async def test_custom_error_and_wildcard(tg_bot: Bot, emulator: BotApiEmulator, alice) -> None:
    emulator.fail_next("*", status=403, description="Forbidden: user is deactivated")
    with pytest.raises(Forbidden, match="(?i)user is deactivated"):
        await tg_bot.send_chat_action(alice.id, "typing")


async def test_delay_provokes_client_timeout(emulator: BotApiEmulator, alice) -> None:
    async with local_bot(emulator, read_timeout=0.2) as bot:
        emulator.delay_next("sendMessage", 1.0)
        with pytest.raises(TimedOut):
            await bot.send_message(alice.id, "丢失")
        # Delayed before handling: the client gave up, so nothing was sent.
        await asyncio.sleep(0.1)
        assert emulator.sent == []

        emulator.delay_next("sendMessage", 0.5, before=False)
        with pytest.raises(TimedOut):
            await bot.send_message(alice.id, "已送达")
        # Handled before the delay: the user got it although the bot saw a timeout.
        assert [m.text for m in emulator.sent] == ["已送达"]


async def test_dropped_connection(tg_bot: Bot, emulator: BotApiEmulator, alice) -> None:
    emulator.drop_next("sendMessage")
    with pytest.raises(NetworkError):
        await tg_bot.send_message(alice.id, "x")
    await tg_bot.send_message(alice.id, "x")


async def test_long_poll_returns_early(tg_bot: Bot, emulator: BotApiEmulator, alice) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(tg_bot.get_updates(timeout=10))
    await asyncio.sleep(0.2)
    assert not poll.done()
    alice.send_text("到了吗")
    updates = await asyncio.wait_for(poll, 3)
    assert time.monotonic() - started < 2
    assert [u.message.text for u in updates] == ["到了吗"]


async def test_long_poll_times_out_empty(tg_bot: Bot) -> None:
    started = time.monotonic()
    assert await tg_bot.get_updates(timeout=1) == ()
    assert 0.9 < time.monotonic() - started < 3
    started = time.monotonic()
    assert await tg_bot.get_updates(timeout=0) == ()
    assert time.monotonic() - started < 0.5


async def test_offset_and_limit(tg_bot: Bot, emulator: BotApiEmulator, alice) -> None:
    ids = [alice.send_text(f"m{i}")["update_id"] for i in range(5)]
    first = await tg_bot.get_updates(limit=2)
    assert [u.update_id for u in first] == ids[:2]
    # Not confirmed yet: the same updates come again.
    assert [u.update_id for u in await tg_bot.get_updates(limit=2)] == ids[:2]
    # offset confirms everything below it.
    rest = await tg_bot.get_updates(offset=ids[1] + 1)
    assert [u.update_id for u in rest] == ids[2:]
    assert await tg_bot.get_updates(offset=ids[-1] + 1) == ()
    assert emulator.pending_updates == []
    # Negative offsets count from the end of the queue.
    more = [alice.send_text(f"n{i}")["update_id"] for i in range(3)]
    assert [u.update_id for u in await tg_bot.get_updates(offset=-1)] == more[-1:]


async def test_redeliver_same_update_id(tg_bot: Bot, emulator: BotApiEmulator, alice) -> None:
    update = alice.send_text("一次")
    (got,) = await tg_bot.get_updates()
    later = alice.send_text("两次")
    assert await tg_bot.get_updates(offset=got.update_id + 1) != ()
    emulator.redeliver(update)
    (again,) = await tg_bot.get_updates(offset=later["update_id"] + 1)
    assert again.update_id == update["update_id"] and again.message.text == "一次"
    assert await tg_bot.get_updates(offset=again.update_id + 1) == ()


async def test_second_poller_conflicts_with_first(tg_bot: Bot, emulator: BotApiEmulator) -> None:
    # PTB serialises getUpdates per Bot (a pool of one connection): a second instance of the bot.
    first = asyncio.create_task(tg_bot.get_updates(timeout=5))
    await emulator.wait_for_call("getMe")
    await asyncio.sleep(0.2)
    async with local_bot(emulator) as other:
        assert await other.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="(?i)terminated by other getUpdates request"):
        await asyncio.wait_for(first, 3)


async def test_drop_pending_updates(tg_bot: Bot, alice) -> None:
    alice.send_text("旧消息")
    await tg_bot.delete_webhook(drop_pending_updates=True)
    assert await tg_bot.get_updates() == ()


async def test_wait_for_message_reads_in_order(tg_bot: Bot, emulator: BotApiEmulator, alice) -> None:
    async def later() -> None:
        await asyncio.sleep(0.1)
        for text in ("一", "二", "三"):
            await tg_bot.send_message(alice.id, text)

    task = asyncio.create_task(later())
    assert (await emulator.wait_for_message(alice.id)).text == "一"
    assert (await emulator.wait_for_message(alice.id, lambda m: m.text == "三")).text == "三"
    await task
    with pytest.raises(AssertionError, match="(?i)no message to chat"):
        await emulator.wait_for_message(alice.id, timeout=0.2)
    await emulator.expect_no_message(alice.id, within=0.1)

    call = await emulator.wait_for_call("sendMessage")
    assert call.ok and call.params["text"] == "一"
    call = await emulator.wait_for_call("sendMessage", lambda c: c.params["text"] == "三")
    assert call.result["text"] == "三"
    with pytest.raises(AssertionError, match="(?i)no sendMessage call"):
        await emulator.wait_for_call("sendMessage", timeout=0.1)


async def test_idle(tg_bot: Bot, emulator: BotApiEmulator, alice) -> None:
    await emulator.idle(timeout=2, quiet=0.1)
    alice.send_text("未取")
    with pytest.raises(AssertionError, match="(?i)not idle"):
        await emulator.idle(timeout=0.3, quiet=0.1)
    await tg_bot.get_updates()
    await emulator.idle(timeout=2, quiet=0.1)


async def test_update_de_json_round_trip(tg_bot: Bot, alice) -> None:
    raw = alice.send_text("/topics")
    update = Update.de_json(raw, tg_bot)
    assert update.message.text == "/topics" and update.message.entities[0].type == "bot_command"
