"""修改会议记录 with a file: while the new minutes are awaited, a scan or photo of the pages (one by one or as an
album) or a PDF/Word document is taken as them (``RecordService.take_minutes_file``), counted with a 完成
button; 完成 asks the reason, and ``records`` amends the record from there, as for any change."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ApplicationHandlerStop

from handlers.services.form.files import (
    MAX_FILE_BYTES,
    NOT_DOWNLOADED,
    NOT_DOWNLOADED_RETRY,
    TOO_LARGE,
    IncomingFile,
)
from handlers.services.record_minutes import minutes_problem
from handlers.tg import pending
from handlers.tg.callbacks import STALE, encode_record
from handlers.tg.context import BotContext
from handlers.tg.edit import edit_markup
from handlers.tg.render_records import reason_prompt

log = logging.getLogger(__name__)

ALBUM_QUIET_SECONDS = 1.2
FIELD = "minutes_files"  # the change's field once 完成 is pressed (``records._apply`` amends the files)


def done_markup(record_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("完成", callback_data=encode_record("mdone", record_id))]]
    )


def count_text(files: list[dict]) -> str:
    docs = sum(1 for f in files if f.get("doc"))
    pages = len(files) - docs
    parts = [f"文件 {docs} 份" if docs else "", f"照片 {pages} 页" if pages else ""]
    return f"已收到新的会议记录{'、'.join(p for p in parts if p)}。还有就继续发，发完请点击“完成”。"


def files_then_text(files: list[dict]) -> str:
    """A text sent after files of the new minutes: not taken (it would replace them), and how to go on."""
    return (
        f"{count_text(files).split('。')[0]}，这段文字没有记入。如果会议记录就是这些，请点击“完成”；"
        "要改用文字，请发送 /cancel 后重新点击“修改会议记录”。"
    )


def count_after_album(context: BotContext, name: str, callback, update: Update) -> None:
    """``callback`` (the count of what arrived) once an album stops arriving: ``ALBUM_QUIET_SECONDS`` after its
    last part, the job named ``name`` moved later by each part."""
    for job in context.job_queue.get_jobs_by_name(name):
        job.schedule_removal()
    context.job_queue.run_once(
        callback,
        ALBUM_QUIET_SECONDS,
        chat_id=update.effective_message.chat.id,
        user_id=update.effective_user.id,
        name=name,
    )


async def _download(context: BotContext, message: Message, record_id: int) -> IncomingFile | None:
    """The file of ``message``, or None once the user was told why it was not saved."""
    item = message.photo[-1] if message.photo else message.document
    if item.file_size and item.file_size > MAX_FILE_BYTES:
        await message.reply_text(TOO_LARGE, reply_markup=done_markup(record_id))
        return None
    try:
        data = bytes(await (await context.bot.get_file(item.file_id)).download_as_bytearray())
    except TelegramError as exc:  # this file is named as not saved; the ones taken before stay
        log.warning("downloading a minutes file for record %s failed: %r", record_id, exc)
        failed = NOT_DOWNLOADED if isinstance(exc, BadRequest) else NOT_DOWNLOADED_RETRY
        await message.reply_text(failed, reply_markup=done_markup(record_id))
        return None
    return IncomingFile(item.file_id, item.file_unique_id, data, message.media_group_id)


async def take_minutes_file(update: Update, context: BotContext, state: dict) -> None:
    """A file sent while 修改会议记录 awaits the new minutes: taken, stored, counted; the update stops here."""
    message, record_id = update.effective_message, state["record_id"]
    incoming = await _download(context, message, record_id)
    if incoming is None:
        raise ApplicationHandlerStop
    taken = list(state.get("files") or [])
    result = await context.services.records.take_minutes_file(
        update.effective_user.id, record_id, taken, incoming, context.services.files
    )
    if result.entry is None:
        await message.reply_text(
            result.problem or STALE, reply_markup=done_markup(record_id) if taken else None
        )
        raise ApplicationHandlerStop
    kept = {k: v for k, v in state.items() if k not in ("kind", "files", "asked_at")}
    await pending.expect(context, "amend", **kept, files=[*taken, result.entry])
    if message.media_group_id:  # an album: one count once it stops arriving
        count_after_album(context, f"amend-minutes:{update.effective_user.id}", _album_count, update)
    else:
        await message.reply_text(count_text([*taken, result.entry]), reply_markup=done_markup(record_id))
    raise ApplicationHandlerStop


async def _album_count(context: BotContext) -> None:
    state = context.user_data.get(pending.PENDING) if context.user_data is not None else None
    if state and state.get("kind") == "amend" and state.get("files") and state.get("value") is None:
        await context.bot.send_message(
            context.job.chat_id, count_text(state["files"]), reply_markup=done_markup(state["record_id"])
        )


async def minutes_done(query, context: BotContext, record_id: int) -> None:
    """完成: the files taken become the change's new value, then the reason is asked."""
    state = context.user_data.get(pending.PENDING)
    waiting = state and state.get("kind") == "amend" and state.get("value") is None
    if not waiting or state.get("record_id") != record_id or state.get("field") != "minutes_text":
        await query.answer(STALE, show_alert=True)
        return
    files = list(state.get("files") or [])
    if problem := minutes_problem(files):
        await query.answer(problem, show_alert=True)
        return
    await query.answer()
    await edit_markup(query, None)
    kept = {k: v for k, v in state.items() if k not in ("kind", "files", "asked_at")}
    amend = {**kept, "field": FIELD, "value": {"files": files}}
    await pending.expect(context, "amend", **amend)
    chat_id = query.message.chat.id if query.message else query.from_user.id
    await context.bot.send_message(chat_id, f"{count_text(files).split('。')[0]}。{reason_prompt(amend)}")
