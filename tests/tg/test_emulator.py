"""The Bot API emulator, checked against PTB's own ``telegram.Bot``."""

from __future__ import annotations

import socket
import time

import pytest
from telegram import (
    Bot,
    Message,
    MessageEntity,
    ReplyKeyboardMarkup,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
)

from tests.emulator import BotApiEmulator, parse_html
from tests.tg.emulator_client import assert_no_unknown_fields, keyboard, local_bot

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
