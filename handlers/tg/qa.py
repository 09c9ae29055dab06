"""Free text is a question: answer it from the speeches; buttons for the whole passage, more results, feedback.
A message that is an invitation code and nothing else opens the invitation, as /start <code> does."""

from __future__ import annotations

import logging
import re

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from handlers.services.branches import pasted_code
from handlers.services.qa import QAResult, clean_question
from handlers.services.text import clean_text
from handlers.services.usage import Usage, usage_of
from handlers.tg import pending, render
from handlers.tg.branches import edited_profile_hint
from handlers.tg.callbacks import parse_id, parse_index
from handlers.tg.common import ASK_LINE, ask_privately, help_text
from handlers.tg.context import BotContext
from handlers.tg.dedupe import first_press, forget_press
from handlers.tg.edit import edit_markup
from handlers.tg.guards import incoming_text
from handlers.tg.invitations import join
from handlers.tg.usage_replies import USAGE_REPLIES

log = logging.getLogger(__name__)

NON_TEXT_HINT = (
    "我目前只能理解文字提问。请直接输入您的问题，例如“主题党日多久开展一次”，或发送 /help 查看用法。"
)
PHOTO_HINT = (
    "收到照片。登记活动照片请发送 /submit，选择活动类型并按提示填写，到“照片”这一步再发送。"
    "如需提问，请直接输入文字，或发送 /help 查看用法。"
)
# A caption asks something: a question mark or a question word (the same test decides whether it is answered).
_QUESTION = re.compile(
    r"[?？]|吗|如何|怎样|怎么|咋|什么|啥|多少|多久|几[次个天名项年月季人]|哪|是否|能否|可否|能不能|可不可以|要不要"
    r"|是不是|有没有|区别|含义"
)
ALBUMS_KEY = "qa_albums"  # user_data: albums already answered (one hint per album, not one per photo)
ALBUMS_KEEP = 10
STALE_BUTTON = "这个按钮已失效，请重新提问。"
SENDING_ACTIONS = ("ex", "full", "more")  # buttons that send a message: a second tap only answers the press
ALREADY_SENT = "已经发送，请查看上面的消息。"
IDLE_DRAFT_HINT = (
    "提示：您有一份未完成的【{kind}】草稿。上面把您的话当作提问来回答了；如果这是要填进草稿的内容，"
    "请发送 /submit，选择“继续填写”后再发一次。"
)
ASKED_KEY = "qa_asked"  # user_data: message id -> the text answered as a question (an edit is answered anew)
ASKED_IDS_KEY = "qa_asked_ids"  # user_data: message id -> the question logged for it when first sent
ASKED_KEEP = 30
DRAFT_HINT = "idle_draft_hint"  # user_data: the idle draft (its last touch) already pointed out
EDITED_FORM_INPUT = (
    "提示：修改已发送的消息不会改动正在填写的表单。要改已填的内容，请填完后在核对页点“改…”按钮，"
    "或在当前这一步重新发送。"
)
EDITED_AMEND_INPUT = (
    "提示：修改已发送的消息不会改动正在进行的记录修改。要更正刚才发送的内容，请发送 /cancel 取消，"
    "再重新点击记录下方的“修改…”按钮。"
)
EDIT_HINTED = "edit_hinted"  # user_data: the edited message already answered with EDITED_FORM_INPUT


async def _reply_answer(
    update: Update, context: BotContext, text: str, *, follow_ups: bool, edit_of: int | None
) -> int | None:
    """The speeches' answer; the id of the question logged, or None."""
    user = update.effective_user
    chat = update.effective_chat
    result = await context.services.qa.ask(
        text,
        user_id=user.id if user else None,
        chat_id=chat.id if chat else None,
        follow_ups=follow_ups,
        replying_to=_replied_question(update, context),
        edit_of=edit_of,
    )
    await send_result(context, chat.id, result)
    if user is not None:
        await _remind_of_idle_draft(context, chat.id, user.id)
    return result.question_id


def _replied_question(update: Update, context: BotContext) -> int | None:
    """The question the message replies to (Telegram's 回复; a follow-up is read with it, not the latest one): known
    by its answer's feedback buttons, or the id logged for the user's own question (helper-104); else None."""
    replied = update.effective_message.reply_to_message
    user = update.effective_user
    if replied is None or replied.from_user is None or user is None:
        return None
    if replied.from_user.id == user.id:
        logged = _asked(context, ASKED_IDS_KEY).get(str(replied.message_id))
        return logged if isinstance(logged, int) else None
    if replied.from_user.id != context.bot.id:
        return None
    return render.answered_question(replied.reply_markup)


async def _remind_of_idle_draft(context: BotContext, chat_id: int, user_id: int) -> None:
    """Once per idle draft: text sent after the form's 30 minutes is a question, which may not be what the user
    meant (an answer to the form's last prompt): say how to go back to the draft."""
    idle = await context.services.forms.idle_draft(user_id)
    if idle is None or context.user_data.get(DRAFT_HINT) == idle[1]:
        return
    context.user_data[DRAFT_HINT] = idle[1]
    await context.bot.send_message(chat_id, IDLE_DRAFT_HINT.format(kind=idle[0]))


async def send_result(context: BotContext, chat_id: int, result: QAResult) -> None:
    if not result.answer.hits:
        await context.bot.send_message(
            chat_id,
            render.no_answer_html(result.answer.query),
            parse_mode=ParseMode.HTML,
            reply_markup=render.examples_keyboard(),
        )
        return
    await context.bot.send_message(
        chat_id,
        render.answer_html(result),
        parse_mode=ParseMode.HTML,
        reply_markup=render.answer_keyboard(result),
    )


async def _respond(
    update: Update, context: BotContext, text: str, *, follow_ups: bool = True, edit_of: int | None = None
) -> int | None:
    """A usage question gets its command, anything else the speeches' answer (the id of the question logged, or
    None). ``edit_of``: the question first logged for the message now edited."""
    usage = usage_of(text)
    if not clean_question(text):  # only invisible characters (helper-95's review: "讲话中没有找到…")
        await update.effective_message.reply_text(ASK_LINE, reply_markup=render.examples_keyboard())
    elif usage is Usage.HELP:
        await update.effective_message.reply_text(await help_text(update, context), parse_mode=ParseMode.HTML)
    elif usage is Usage.GREETING:
        await update.effective_message.reply_text(
            USAGE_REPLIES[usage], reply_markup=render.examples_keyboard()
        )
    elif usage is not None:
        await update.effective_message.reply_text(USAGE_REPLIES[usage])
    else:
        return await _reply_answer(update, context, text, follow_ups=follow_ups, edit_of=edit_of)
    return None


def _asked(context: BotContext, key: str = ASKED_KEY) -> dict:
    """The user's recent messages answered as questions, by message id (str: user_data is stored as JSON): their
    text (``ASKED_KEY``), or the id of the question logged for them when first sent (``ASKED_IDS_KEY``)."""
    asked = context.user_data.get(key)
    if not isinstance(asked, dict):
        asked = context.user_data[key] = {}
    return asked


def _remember_asked(
    context: BotContext, message_id: int, value: str | int | None, key: str = ASKED_KEY
) -> None:
    """``value`` kept for ``message_id`` (the latest ``ASKED_KEEP``); None forgets it."""
    kept = _asked(context, key)
    kept.pop(str(message_id), None)
    if value is not None:
        kept[str(message_id)] = value
    while len(kept) > ASKED_KEEP:
        kept.pop(next(iter(kept)))


async def on_text(update: Update, context: BotContext) -> None:
    text = incoming_text(update)
    if (code := pasted_code(text)) is not None:  # the invitation code the admin's reply shows, pasted
        await join(update, context, code)
        return
    message_id = update.effective_message.message_id
    _remember_asked(context, message_id, text)
    _remember_asked(context, message_id, await _respond(update, context, text), ASKED_IDS_KEY)


async def on_edited_text(update: Update, context: BotContext) -> None:
    """An edited question is answered as a new one, once per new wording. Only a message that was answered as a
    question: one the form or a pending input took (a date, a name) is not a question when corrected."""
    message = update.effective_message
    text = incoming_text(update)
    previous = _asked(context).get(str(message.message_id))
    if previous is None:
        await _hint_edited_form_input(update, context)
        return
    if previous == text or not text:
        return
    _remember_asked(context, message.message_id, text)
    if (code := pasted_code(text)) is not None:  # a question corrected to the invitation code: as if sent so
        await join(update, context, code)
        return
    # Read with the question before the message as first sent, not with the wording it replaces: a follow-up
    # corrected ("那党可呢" -> "那党课呢") still follows the question before. Unknown (no question logged for
    # it): not read as a follow-up at all.
    first = _asked(context, ASKED_IDS_KEY).get(str(message.message_id))
    await _respond(update, context, text, follow_ups=first is not None, edit_of=first)


async def _hint_edited_form_input(update: Update, context: BotContext) -> None:
    """An edited message the form (or a record's change) took changes nothing there: said once per message while
    a change waits for its input or a form is in progress (helper-67's review: an edited 地点 was silently kept
    as first sent)."""
    message = update.effective_message
    if context.user_data.get(EDIT_HINTED) == message.message_id:
        return
    state = context.user_data.get(pending.PENDING)
    if (profile := edited_profile_hint(context, message.message_id)) is not None:
        hint = profile  # the message set a profile field (/branch)
    elif state and state.get("kind") == "amend" and not pending.expired(context, state):
        hint = EDITED_AMEND_INPUT
    elif await context.services.forms.active_step(update.effective_user.id) is not None:
        hint = EDITED_FORM_INPUT
    else:
        return
    context.user_data[EDIT_HINTED] = message.message_id
    await message.reply_text(hint)


def _addressed_to_bot(update: Update, context: BotContext) -> bool:
    """A group message that mentions the bot or replies to one of its messages."""
    message = update.effective_message
    name = context.bot.username
    if name and f"@{name.lower()}" in (message.text or "").lower():
        return True
    replied = message.reply_to_message
    return replied is not None and replied.from_user is not None and replied.from_user.id == context.bot.id


async def on_group_text(update: Update, context: BotContext) -> None:
    """Questions are answered in private chats only: one addressed to the bot in a group is told where to ask."""
    if _addressed_to_bot(update, context):
        await update.effective_message.reply_text(ask_privately(context.bot.username))


def _is_question(caption: str) -> bool:
    return bool(caption) and (usage_of(caption) is not None or _QUESTION.search(caption) is not None)


def _is_picture(message) -> bool:
    document = message.document
    return (
        bool(message.photo)
        or message.video is not None
        or (document is not None and (document.mime_type or "").startswith(("image/", "video/")))
    )


async def on_non_text(update: Update, context: BotContext) -> None:
    """A captioned question is answered; a photo outside /submit is pointed to /submit, once per album."""
    message = update.effective_message
    caption = clean_text(message.caption)
    if _is_question(caption):
        _remember_album(context, message.media_group_id)
        await _respond(update, context, caption)
        return
    if message.media_group_id is not None and not _remember_album(context, message.media_group_id):
        return  # the album was answered at its first item
    await message.reply_text(PHOTO_HINT if _is_picture(message) else NON_TEXT_HINT)


def _remember_album(context: BotContext, group_id: str | None) -> bool:
    """True the first time an item of the album ``group_id`` is seen."""
    if group_id is None:
        return True
    seen = context.user_data.get(ALBUMS_KEY)
    seen = seen if isinstance(seen, list) else []
    if group_id in seen:
        return False
    context.user_data[ALBUMS_KEY] = [*seen[-(ALBUMS_KEEP - 1) :], group_id]
    return True


def _passage(context: BotContext, passage_id: int, key: str | None):
    """The passage a 查看原文 button names: by id, checked against its fingerprint when the button has one; a
    passage renumbered since (a document was added) is found by its fingerprint; None when it is gone."""
    kb = context.services.kb
    passage = kb.passage(passage_id)
    if key is None or (passage is not None and render.fingerprint(passage.text) == key):
        return passage
    return next((p for p in kb.passages if render.fingerprint(p.text) == key), None)


async def on_callback(update: Update, context: BotContext) -> None:
    query = update.callback_query
    parts = (query.data or "").split(":")
    action, args = (parts[1], parts[2:]) if len(parts) >= 2 else ("", [])
    chat_id = query.message.chat.id if query.message else query.from_user.id
    message_id = query.message.message_id if query.message else None
    if action in SENDING_ACTIONS and not first_press(context, chat_id, message_id, query.data):
        await query.answer(ALREADY_SENT)  # a double tap: the message is already there
        return
    try:
        first = args[0] if args else ""
        if action == "ex" and (example := parse_index(first, len(render.EXAMPLES))) is not None:
            await query.answer()
            await _answer_example(context, chat_id, query.from_user.id, render.EXAMPLES[example])
        elif action == "full" and parse_index(first, 1_000_000) is not None:
            passage = _passage(context, int(first), args[1] if len(args) > 1 else None)
            if passage is None:
                forget_press(context, chat_id, message_id, query.data)
                await query.answer(STALE_BUTTON, show_alert=True)
                return
            await query.answer()
            await context.bot.send_message(chat_id, render.passage_html(passage), parse_mode=ParseMode.HTML)
        elif action == "more" and parse_id(first) is not None:
            result = await context.services.qa.more(parse_id(first), user_id=query.from_user.id)
            if result is None or len(result.answer.hits) < 2:
                forget_press(context, chat_id, message_id, query.data)
                await query.answer("没有更多相关内容了。")
                return
            await query.answer()
            hits = result.answer.hits[1:]
            await context.bot.send_message(
                chat_id,
                render.more_html(hits),
                parse_mode=ParseMode.HTML,
                reply_markup=render.more_keyboard(hits),
            )
        elif action == "fb" and len(args) == 2 and parse_id(first) is not None and args[1] in ("1", "-1"):
            question_id, value = parse_id(first), int(args[1])
            if not await context.services.qa.feedback(question_id, user_id=query.from_user.id, value=value):
                await query.answer(STALE_BUTTON, show_alert=True)
                return
            await query.answer("感谢您的反馈！")
            await _mark_vote(query, question_id, value)
        else:
            await query.answer(STALE_BUTTON, show_alert=True)
    except BadRequest:
        forget_press(context, chat_id, message_id, query.data)
        log.warning("callback %r could not be completed", query.data, exc_info=True)
    except TelegramError:  # a 5xx, a time-out: the apology says 稍后再试, so a later tap must send it
        forget_press(context, chat_id, message_id, query.data)
        raise


async def _answer_example(context: BotContext, chat_id: int, user_id: int, question: str) -> None:
    await context.bot.send_message(chat_id, f"❓ {question}")
    result = await context.services.qa.ask(question, user_id=user_id, chat_id=chat_id, follow_ups=False)
    await send_result(context, chat_id, result)


async def _mark_vote(query, question_id: int, value: int) -> None:
    """Shows which way the user voted, keeping the message's other buttons."""
    markup = query.message.reply_markup if query.message else None
    if markup is None:
        return
    await edit_markup(query, render.with_vote(markup, question_id, value))  # the same vote twice is fine


def register(application: Application, *, group: int = 0) -> None:
    application.add_handler(CallbackQueryHandler(on_callback, pattern=r"^qa:"), group=group)
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, on_text
        ),
        group=group,
    )
    application.add_handler(
        MessageHandler(
            filters.UpdateType.EDITED_MESSAGE & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND,
            on_edited_text,
        ),
        group=group,
    )
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.ChatType.GROUPS & filters.TEXT & ~filters.COMMAND,
            on_group_text,
        ),
        group=group,
    )
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL,
            on_non_text,
        ),
        group=group,
    )
