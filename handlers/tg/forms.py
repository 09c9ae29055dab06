"""Telegram side of the activity-record form (/submit, /cancel, /skip, buttons, photos, documents).

Runs in an earlier handler group than Q&A: while the user's form is active, it takes their private messages and
stops further handling; otherwise it lets them through (free text is then a question).
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import replace

from telegram import MaybeInaccessibleMessage, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    MessageHandler,
    filters,
)

from handlers.services.form.files import (
    MAX_FILE_BYTES,
    NOT_DOWNLOADED,
    NOT_DOWNLOADED_RETRY,
    TOO_LARGE,
    IncomingFile,
)
from handlers.services.form.model import Act, Input, Notice, Reply, Step
from handlers.services.form.service import FileMeta
from handlers.services.text import clean_text
from handlers.tg import pending
from handlers.tg.callbacks import FORM_PREFIX, STALE, decode_form
from handlers.tg.context import BotContext
from handlers.tg.edit import drop_buttons, edit_text
from handlers.tg.form_questions import BACK_TO_FORM, answer_at_step
from handlers.tg.guards import command, incoming_text
from handlers.tg.render_form import form_markup, form_text

log = logging.getLogger(__name__)

ALBUM_QUIET_SECONDS = 1.2
ALBUM_REPLIES_KEY = "form_album_replies"  # in bot_data (not persisted): the refusals said per user's album
# In bot_data (not persisted): per chat, the latest messages whose form buttons were spent (pressed, answered, the
# buttons removed). A double tap sends two callback queries for the same message before the first is handled;
# updates of one chat run in order, so the second finds the message here and is only answered.
SPENT_KEY = "form_spent_messages"
SPENT_KEEP = 8
# In user_data: the message id of the latest summary sent (its ✅ 确认提交 and 改… are live). A new summary, 重新开始
# or the draft deleted takes the buttons off it, so an old summary cannot confirm or edit a later draft.
SUMMARY_KEY = "form_summary_message"
NOTHING_TO_SKIP = "现在没有可以跳过的内容。发送 /submit 开始填写活动记录。"
OTHER_LABELS = (
    ("sticker", "贴纸"),
    ("voice", "语音"),
    ("audio", "音频"),
    ("video", "视频"),
    ("video_note", "视频消息"),
    ("animation", "动图"),
    ("location", "位置"),
    ("contact", "联系人"),
    ("poll", "投票"),
)


async def send(context: BotContext, chat_id: int, reply: Reply) -> None:
    message = await context.bot.send_message(chat_id, form_text(reply), reply_markup=form_markup(reply))
    if reply.notice is Notice.CANCELLED:
        await _drop_summary(context, chat_id)
    elif any(action.act is Act.CONFIRM for row in reply.buttons for _, action in row):
        await _drop_summary(context, chat_id)  # only the latest summary confirms
        context.user_data[SUMMARY_KEY] = message.message_id


async def _drop_summary(context: BotContext, chat_id: int) -> None:
    """The buttons of the summary last sent go: the draft it showed was deleted, begun anew or shown again."""
    message_id = context.user_data.pop(SUMMARY_KEY, None)
    if isinstance(message_id, int):
        await drop_buttons(context.bot, chat_id, message_id)


def _not_on_message(query) -> bool:
    """The pressed button is no longer on its message (Telegram sends the message as it is now): its buttons
    were taken off, and a client that still shows them pressed a spent one."""
    message = query.message
    if not isinstance(message, Message):
        return False  # inaccessible (over 48 hours old): its buttons are not known
    markup = message.reply_markup
    rows = markup.inline_keyboard if markup is not None else ()
    return all(button.callback_data != query.data for row in rows for button in row)


async def _back_to_form(context: BotContext, chat_id: int) -> None:
    """/submit or a form button: a follow-up the user left unanswered (a record's change) must not swallow the
    form's next input; a change half-entered is said not to be saved, in one line."""
    dropped = await pending.leave(context)
    if note := pending.dropped_note(dropped):
        await context.bot.send_message(chat_id, note)


async def submit(update: Update, context: BotContext) -> None:
    await _back_to_form(context, update.effective_chat.id)
    reply = await context.services.forms.start(update.effective_user.id)
    await send(context, update.effective_chat.id, reply)
    raise ApplicationHandlerStop  # the command is handled: later groups must not see it


async def cancel(update: Update, context: BotContext) -> None:
    reply = await context.services.forms.cancel(update.effective_user.id)
    await send(context, update.effective_chat.id, reply)
    raise ApplicationHandlerStop


async def skip(update: Update, context: BotContext) -> None:
    reply = await context.services.forms.take(update.effective_user.id, Input(skip=True))
    if reply is None:
        await update.effective_message.reply_text(NOTHING_TO_SKIP)
    else:
        await send(context, update.effective_chat.id, reply)
    raise ApplicationHandlerStop


async def on_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    action = decode_form(query.data or "")
    if action is None:
        await query.answer(STALE, show_alert=True)
        raise ApplicationHandlerStop
    chat_id = query.message.chat.id if query.message else query.from_user.id
    await _back_to_form(context, chat_id)
    if _spent(context, query.message):
        await query.answer(STALE)  # the second tap of a double tap: its first already moved the form on
        raise ApplicationHandlerStop
    # Its buttons were taken off (or it never had this one): said, as any stale one.
    if _not_on_message(query):
        await query.answer(STALE, show_alert=True)
        raise ApplicationHandlerStop
    if action.act is Act.RESTART:
        await _drop_summary(context, chat_id)
    reply = await context.services.forms.on_action(query.from_user.id, action)
    if reply.spent:  # an old message's button (a summary's, another step's): the draft is at another step
        await query.answer(reply.text or STALE, show_alert=True)
        if query.message is not None:
            await drop_buttons(context.bot, chat_id, query.message.message_id)
        raise ApplicationHandlerStop
    await query.answer()
    if reply.in_place and query.message is not None:
        await edit_text(query, form_text(reply), reply_markup=form_markup(reply))
        raise ApplicationHandlerStop
    if query.message is not None:
        _spend(context, query.message)
        if context.user_data.get(SUMMARY_KEY) == query.message.message_id:
            del context.user_data[SUMMARY_KEY]  # its buttons go just below
        try:  # the old buttons are spent: remove them so they can't be pressed twice
            await query.edit_message_reply_markup(reply_markup=None)
        except BadRequest:
            pass
    await send(context, query.message.chat.id if query.message else query.from_user.id, reply)
    raise ApplicationHandlerStop  # answered: the catch-all for stale buttons must not see it


def _spent_ids(context: BotContext, message: MaybeInaccessibleMessage) -> deque[int]:
    spent: dict[int, deque[int]] = context.bot_data.setdefault(SPENT_KEY, {})
    return spent.setdefault(message.chat.id, deque(maxlen=SPENT_KEEP))


def _spent(context: BotContext, message: MaybeInaccessibleMessage | None) -> bool:
    spent = context.bot_data.get(SPENT_KEY, {})
    return message is not None and message.message_id in spent.get(message.chat.id, ())


def _spend(context: BotContext, message: MaybeInaccessibleMessage) -> None:
    _spent_ids(context, message).append(message.message_id)


def _other_label(message: Message) -> str:
    return next((label for attr, label in OTHER_LABELS if getattr(message, attr, None)), "这类消息")


async def _take_file(context: BotContext, message: Message, user_id: int) -> Reply | None:
    item = message.photo[-1] if message.photo else message.document
    if item.file_size and item.file_size > MAX_FILE_BYTES:
        if await context.services.forms.active_step(user_id) is None:
            return None
        return Reply(TOO_LARGE)

    async def download() -> IncomingFile:
        tg_file = await context.bot.get_file(item.file_id)
        data = bytes(await tg_file.download_as_bytearray())
        return IncomingFile(item.file_id, item.file_unique_id, data, message.media_group_id)

    meta = FileMeta(item.file_unique_id, message.media_group_id)
    try:
        return await context.services.forms.take_file(user_id, meta, download)
    except (
        TelegramError
    ) as exc:  # the download failed: this file is named as not saved (the rest of the form is)
        log.warning("downloading a file for user %s failed: %r", user_id, exc)
        return Reply(NOT_DOWNLOADED if isinstance(exc, BadRequest) else NOT_DOWNLOADED_RETRY)


async def on_message(update: Update, context: BotContext) -> None:
    """Every private message: the form's while it is active, else left to the other handlers."""
    user_id = update.effective_user.id
    forms = context.services.forms
    message = update.effective_message
    if message.text is not None:
        if message.text.startswith("/"):
            return  # other commands (/help, /topics, ...) still work during a form
        text = incoming_text(update)
        reply = await forms.take(user_id, Input(text=text, sent_at=message.date))
        asked = reply is not None and reply.notice in (Notice.ASK_LATER, Notice.NOT_A_PERSON)
        if asked and await answer_at_step(update, context, text):
            # A policy question at a step that refused it: answered above; the step is asked again.
            prompt = await forms.current(user_id)
            reply = replace(prompt, text=BACK_TO_FORM + prompt.text) if prompt is not None else None
            if reply is None:
                raise ApplicationHandlerStop
    elif message.photo or message.document:
        reply = await _caption_as_text(context, message, user_id)
        if reply is None:
            reply = _caption_unused(message, await _take_file(context, message, user_id))
    else:
        reply = await forms.take_other(user_id, _other_label(message))
    if reply is None:
        return  # no form in progress: let the other handlers have it
    if reply.text or reply.notice:
        if _first_in_album(context, user_id, message.media_group_id, form_text(reply)):
            await send(context, update.effective_chat.id, reply)
    else:
        _schedule_progress(context, user_id, update.effective_chat.id)
    raise ApplicationHandlerStop


# helper-84's review: a photo's caption was dropped without a word, also where it was the answer (主题 typed as the
# caption of a photo of the banner).
CAPTION_STEPS = frozenset({Step.TOPIC, Step.PLACE})  # text steps whose answer a caption may be
CAPTION_TAKEN = "这一步需要文字，照片没有保存；已把照片的文字说明作为回答。\n\n"
CAPTION_UNUSED = "\n\n（照片的文字说明没有保存；如需记入，请另外发送文字。）"


async def _caption_as_text(context: BotContext, message: Message, user_id: int) -> Reply | None:
    """At 主题 or 地点, a captioned photo answers with its caption (the photo is not kept); else None."""
    caption = clean_text(message.caption)
    if not caption or await context.services.forms.active_step(user_id) not in CAPTION_STEPS:
        return None
    reply = await context.services.forms.take(user_id, Input(text=caption, sent_at=message.date))
    return replace(reply, text=CAPTION_TAKEN + reply.text) if reply is not None else None


def _caption_unused(message: Message, reply: Reply | None) -> Reply | None:
    """A file taken (or refused) with a caption nobody read: the reply says the caption was not kept."""
    if reply is None or not reply.text or not clean_text(message.caption):
        return reply
    return replace(reply, text=reply.text + CAPTION_UNUSED)


def _first_in_album(context: BotContext, user_id: int, group: str | None, text: str) -> bool:
    """An album comes as one update per item: a refusal (这一步不需要发送文件, 照片最多20张, an idle draft) is said
    once per album, not once per item. Updates of one chat run in order, so this needs no lock."""
    if group is None:
        return True
    said: dict[int, tuple[str, set[str]]] = context.bot_data.setdefault(ALBUM_REPLIES_KEY, {})
    if user_id not in said or said[user_id][0] != group:
        said[user_id] = (group, set())  # only the user's latest album is remembered
    texts = said[user_id][1]
    if text in texts:
        return False
    texts.add(text)
    return True


def _schedule_progress(context: BotContext, user_id: int, chat_id: int) -> None:
    """Albums arrive as one update per photo: say how many arrived once they stop coming."""
    name = f"album-progress:{user_id}"
    for job in context.job_queue.get_jobs_by_name(name):
        job.schedule_removal()
    context.job_queue.run_once(_progress, ALBUM_QUIET_SECONDS, chat_id=chat_id, user_id=user_id, name=name)


async def _progress(context: BotContext) -> None:
    reply = await context.services.forms.progress(context.job.user_id)
    if reply is not None:
        await send(context, context.job.chat_id, reply)


def register(application: Application, *, group: int = -1) -> None:
    application.add_handler(command("submit", submit), group=group)
    application.add_handler(command("cancel", cancel), group=group)
    application.add_handler(command("skip", skip), group=group)
    application.add_handler(CallbackQueryHandler(on_button, pattern=f"^{FORM_PREFIX}"), group=group)
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL, on_message
        ),
        group=group,
    )
