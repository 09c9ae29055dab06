"""The Bot API emulator, checked against PTB's own ``telegram.Bot``."""

from __future__ import annotations

import asyncio
import socket
import time

import httpx
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    ReplyKeyboardMarkup,
    TelegramObject,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.request import HTTPXRequest

from tests.emulator import BotApiEmulator, iter_telegram_objects, parse_html
from tests.fixtures_bot import TEST_TOKEN

USER_ID = 1001


def local_bot(emulator: BotApiEmulator, token: str = TEST_TOKEN, **request_kwargs) -> Bot:
    """PTB's Bot on the emulator. The emulator is plain HTTP, so no TLS context is built (loading the
    CA bundle costs ~50 ms per HTTP client, two clients per Bot)."""

    def request() -> HTTPXRequest:
        return HTTPXRequest(httpx_kwargs={"verify": False}, **request_kwargs)

    return Bot(
        token,
        base_url=emulator.base_url,
        base_file_url=emulator.base_file_url,
        request=request(),
        get_updates_request=request(),
    )


@pytest.fixture
async def tg_bot(emulator: BotApiEmulator):
    async with local_bot(emulator) as bot:
        yield bot


@pytest.fixture
def alice(emulator: BotApiEmulator):
    return emulator.user(USER_ID, "爱丽丝", "alice")


def assert_no_unknown_fields(obj: TelegramObject) -> None:
    """PTB puts fields it does not know into ``api_kwargs``: the emulator must use real field names."""
    for item in iter_telegram_objects(obj):
        assert item.api_kwargs == {}, f"{type(item).__name__} got unknown fields {dict(item.api_kwargs)}"


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, callback_data=data)] for text, data in pairs])


# -- getMe and sendMessage ------------------------------------------------------------------------


async def test_get_me(tg_bot: Bot) -> None:
    me = await tg_bot.get_me()
    assert me.id == 123456
    assert me.is_bot is True
    assert me.username == "branchbot_test_bot"
    assert me.can_join_groups is True
    assert_no_unknown_fields(me)


async def test_invalid_token_is_rejected(emulator: BotApiEmulator) -> None:
    bot = local_bot(emulator, "123:short")
    try:
        with pytest.raises(InvalidToken):
            await bot.initialize()
    finally:
        await bot.shutdown()


async def test_send_message_shape(tg_bot: Bot, emulator: BotApiEmulator, alice) -> None:
    first = await tg_bot.send_message(alice.id, "你好")
    second = await tg_bot.send_message(
        alice.id,
        "<b>粗体</b> 😀 <i>斜体</i>",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(("下一页", "p:2")),
    )
    assert isinstance(second, Message)
    assert_no_unknown_fields(second)
    assert second.message_id == first.message_id + 1
    assert second.chat.id == alice.id and second.chat.type == "private"
    assert second.from_user.id == 123456 and second.from_user.is_bot
    assert abs(second.date.timestamp() - time.time()) < 5
    # Telegram answers the visible text with entities (offsets in UTF-16 units: the emoji counts 2).
    assert second.text == "粗体 😀 斜体"
    assert [(e.type, e.offset, e.length) for e in second.entities] == [
        (MessageEntity.BOLD, 0, 2),
        (MessageEntity.ITALIC, 6, 2),
    ]
    assert second.reply_markup.inline_keyboard[0][0].callback_data == "p:2"

    record = emulator.sent[-1]
    assert record.kind == "send" and record.chat_id == alice.id and record.message_id == second.message_id
    assert record.text == "<b>粗体</b> 😀 <i>斜体</i>" and record.plain_text == "粗体 😀 斜体"
    assert record.parse_mode == "HTML"
    assert record.callback_data("下一页") == "p:2"
    call = emulator.calls_to("sendMessage")[-1]
    assert call.params["chat_id"] == alice.id and isinstance(call.params["reply_markup"], dict)


async def test_message_ids_count_per_chat_including_user_messages(
    tg_bot: Bot, emulator: BotApiEmulator
) -> None:
    a, b = emulator.user(1, "A"), emulator.user(2, "B")
    a.send_text("hi")
    assert (await tg_bot.send_message(a.id, "x")).message_id == 2
    assert (await tg_bot.send_message(b.id, "x")).message_id == 1


async def test_reply_keyboard_is_not_echoed_in_message(tg_bot: Bot, emulator: BotApiEmulator, alice) -> None:
    message = await tg_bot.send_message(alice.id, "选择", reply_markup=ReplyKeyboardMarkup([["是", "否"]]))
    assert message.reply_markup is None  # Message.reply_markup is inline keyboards only
    assert emulator.sent[-1].reply_markup["keyboard"] == [[{"text": "是"}, {"text": "否"}]]


async def test_reply_to_a_user_message(tg_bot: Bot, alice) -> None:
    update = alice.send_text("问题")
    answer = await tg_bot.send_message(alice.id, "答案", reply_to_message_id=update["message"]["message_id"])
    assert answer.reply_to_message.text == "问题"
    with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
        await tg_bot.send_message(alice.id, "答案", reply_to_message_id=999)


# -- validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("<b>未闭合", 'Can\'t find end tag corresponding to start tag "b"'),
        ("换行<br>", 'Unsupported start tag "br"'),
        ("<p>段落</p>", 'Unsupported start tag "p"'),
        ("a < b", 'Unsupported start tag ""'),
        ("<b>交叉<i>嵌套</b></i>", 'Unmatched end tag at byte offset 18, expected "</i>", found "</b>"'),
        ("多余</b>", "Unexpected end tag"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ("Tom & Jerry", 'Unescaped "&"'),
        ("x > y", 'Unescaped ">"'),
        ('<a href="http://x">链接', "Can't find end tag"),
        ("<b", "Unclosed start tag"),
    ],
)
async def test_html_that_telegram_cannot_parse(tg_bot: Bot, alice, text: str, fragment: str) -> None:
    with pytest.raises(BadRequest, match="(?i)can't parse entities") as info:
        await tg_bot.send_message(alice.id, text, parse_mode=ParseMode.HTML)
    assert fragment.lower() in info.value.message.lower()


@pytest.mark.parametrize(
    "text",
    [
        "&lt;b&gt; &amp; &quot; &#20013; &#x6587;",
        "<b>粗<i>斜<u>下划线</u></i></b> <s>删</s> <del>删</del> <strike>删</strike> <ins>u</ins>",
        '<a href="https://example.org/?a=1&amp;b=2">链接</a>',
        '<pre><code class="language-python">print("&lt;x&gt;")</code></pre>',
        '<span class="tg-spoiler">剧透</span> <tg-spoiler>剧透</tg-spoiler>',
        "<blockquote expandable>引用</blockquote> <code>x</code> <strong>s</strong> <em>e</em>",
        "<B>大写标签</B>",
    ],
)
async def test_html_that_telegram_accepts(tg_bot: Bot, alice, text: str) -> None:
    message = await tg_bot.send_message(alice.id, text, parse_mode=ParseMode.HTML)
    assert "</" not in message.text and "&amp;" not in message.text
    assert_no_unknown_fields(message)


def test_parse_html_entities() -> None:
    text, entities = parse_html(
        '<pre><code class="language-python">x = 1</code></pre>\n<a href="https://a.b">l</a>'
    )
    assert text == "x = 1\nl"
    assert entities == [
        {"type": "pre", "offset": 0, "length": 5, "language": "python"},
        {"type": "text_link", "offset": 6, "length": 1, "url": "https://a.b"},
    ]
    assert parse_html("a & b > c", strict=False) == ("a & b > c", [])


async def test_markdown_v2_reserved_characters(tg_bot: Bot, alice) -> None:
    with pytest.raises(BadRequest, match=r"(?i)Character '\.' is reserved"):
        await tg_bot.send_message(alice.id, "第1条.", parse_mode=ParseMode.MARKDOWN_V2)
    with pytest.raises(BadRequest, match="(?i)Can't find end of Bold entity"):
        await tg_bot.send_message(alice.id, "*粗体", parse_mode=ParseMode.MARKDOWN_V2)
    message = await tg_bot.send_message(alice.id, r"*粗体* 第1条\.", parse_mode=ParseMode.MARKDOWN_V2)
    assert message.text == "粗体 第1条."


@pytest.mark.parametrize("text", ["", "   \n ", "<b></b>"])
async def test_empty_text(tg_bot: Bot, alice, text: str) -> None:
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await tg_bot.send_message(alice.id, text, parse_mode=ParseMode.HTML)


async def test_text_length_limit_counts_visible_characters(tg_bot: Bot, alice) -> None:
    await tg_bot.send_message(alice.id, "党" * 4096)
    await tg_bot.send_message(alice.id, "<b>" + "党" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await tg_bot.send_message(alice.id, "党" * 4097)


async def test_unknown_chat_and_blocked_user(tg_bot: Bot, alice) -> None:
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await tg_bot.send_message(424242, "hi")
    alice.block()
    with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
        await tg_bot.send_message(alice.id, "hi")


async def test_callback_data_over_64_bytes(tg_bot: Bot, alice) -> None:
    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await tg_bot.send_message(alice.id, "x", reply_markup=keyboard(("太长", "数据" * 11)))  # 66 bytes
    await tg_bot.send_message(alice.id, "x", reply_markup=keyboard(("刚好", "d" * 64)))


# -- edits, deletes, callbacks ------------------------------------------------------------------------


async def test_edit_message_text(tg_bot: Bot, emulator: BotApiEmulator, alice) -> None:
    sent = await tg_bot.send_message(alice.id, "第一页", reply_markup=keyboard(("下一页", "p:2")))
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await tg_bot.edit_message_text(
            "第一页", alice.id, sent.message_id, reply_markup=keyboard(("下一页", "p:2"))
        )
    # The same visible text with the same entities is "not modified" too.
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await tg_bot.edit_message_text(
            "第一页 ", alice.id, sent.message_id, parse_mode="HTML", reply_markup=keyboard(("下一页", "p:2"))
        )

    edited = await tg_bot.edit_message_text(
        "<b>第二页</b>",
        alice.id,
        sent.message_id,
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(("上一页", "p:1")),
    )
    assert edited.text == "第二页" and edited.edit_date is not None
    record = emulator.sent[-1]
    assert record.kind == "edit_text" and record.is_edit and record.button_texts == ["上一页"]

    # Editing the text without reply_markup removes the inline keyboard, as on Telegram.
    plain = await tg_bot.edit_message_text("第三页", alice.id, sent.message_id)
    assert plain.reply_markup is None
    assert emulator.current_message(alice.id, sent.message_id).get("reply_markup") is None

    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await tg_bot.edit_message_text("x", alice.id, 9999)
    user_message = alice.send_text("我的消息")["message"]
    with pytest.raises(BadRequest, match="(?i)message can't be edited"):
        await tg_bot.edit_message_text("x", alice.id, user_message["message_id"])


async def test_edit_reply_markup_and_delete(tg_bot: Bot, emulator: BotApiEmulator, alice) -> None:
    sent = await tg_bot.send_message(
        alice.id, "<i>列表</i>", parse_mode="HTML", reply_markup=keyboard(("a", "1"))
    )
    edited = await tg_bot.edit_message_reply_markup(
        alice.id, sent.message_id, reply_markup=keyboard(("b", "2"))
    )
    assert edited.reply_markup.inline_keyboard[0][0].text == "b"
    assert emulator.sent[-1].kind == "edit_markup" and emulator.sent[-1].text == "<i>列表</i>"
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await tg_bot.edit_message_reply_markup(alice.id, sent.message_id, reply_markup=keyboard(("b", "2")))
    cleared = await tg_bot.edit_message_reply_markup(alice.id, sent.message_id)
    assert cleared.reply_markup is None

    assert await tg_bot.delete_message(alice.id, sent.message_id) is True
    assert emulator.deleted == [(alice.id, sent.message_id)]
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await tg_bot.delete_message(alice.id, sent.message_id)


async def test_press_and_answer_callback_query(tg_bot: Bot, emulator: BotApiEmulator, alice) -> None:
    sent = await tg_bot.send_message(alice.id, "选择", reply_markup=keyboard(("同意", "yes"), ("拒绝", "no")))
    record = emulator.sent[-1]
    with pytest.raises(ValueError, match="(?i)no button"):
        alice.press(record, "maybe")
    update_dict = alice.press(record, button_text="拒绝")

    (update,) = await tg_bot.get_updates(timeout=1)
    assert update.update_id == update_dict["update_id"]
    query = update.callback_query
    assert_no_unknown_fields(update)
    assert query.data == "no" and query.from_user.id == alice.id and query.chat_instance
    assert query.message.message_id == sent.message_id and query.message.text == "选择"
    assert query.message.reply_markup.inline_keyboard[1][0].text == "拒绝"

    assert await tg_bot.answer_callback_query(query.id, text="已拒绝") is True
    assert emulator.callback_answers[query.id]["text"] == "已拒绝"
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await tg_bot.answer_callback_query(query.id)


async def test_chat_action_commands_webhook(tg_bot: Bot, emulator: BotApiEmulator, alice) -> None:
    assert await tg_bot.send_chat_action(alice.id, "typing") is True
    with pytest.raises(BadRequest, match="(?i)wrong parameter action"):
        await tg_bot.send_chat_action(alice.id, "dancing")
    assert await tg_bot.set_my_commands([("start", "开始"), ("help", "帮助")]) is True
    assert [(c.command, c.description) for c in await tg_bot.get_my_commands()] == [
        ("start", "开始"),
        ("help", "帮助"),
    ]
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await tg_bot.set_my_commands([("Start", "大写不行")])
    assert (await tg_bot.get_webhook_info()).url == ""
    assert await tg_bot.delete_webhook() is True


async def test_unknown_method(tg_bot: Bot, emulator: BotApiEmulator) -> None:
    with pytest.raises(EndPointNotFound):
        await tg_bot.do_api_request("sendHologram", api_kwargs={"chat_id": 1})
    assert [c.method for c in emulator.unknown_calls] == ["sendHologram"]
    assert emulator.unknown_calls[0].response == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found: method not found",
    }


async def test_send_document_upload(tg_bot: Bot, emulator: BotApiEmulator, alice) -> None:
    message = await tg_bot.send_document(
        alice.id, b"a,b\n1,2\n", filename="records.csv", caption="<b>台账</b>", parse_mode=ParseMode.HTML
    )
    assert message.document.file_name == "records.csv" and message.caption == "台账"
    assert_no_unknown_fields(message)
    assert emulator.sent[-1].kind == "document" and emulator.sent[-1].text == "<b>台账</b>"
    file = await tg_bot.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"a,b\n1,2\n"


def test_real_telegram_is_unreachable() -> None:
    with pytest.raises(OSError, match="must not contact api.telegram.org"):
        socket.getaddrinfo("api.telegram.org", 443)


# -- encodings ---------------------------------------------------------------------------------------


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


# -- faults -----------------------------------------------------------------------------------------


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


# -- getUpdates ----------------------------------------------------------------------------------------


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


# -- waiting helpers ------------------------------------------------------------------------------------


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
