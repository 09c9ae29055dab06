"""Amending a record's photos: 补充照片 (add some) or 重新上传照片 (send them all again), then the photos (an album is
one update per photo), then 完成, then the reason (``records`` takes it from there, as for any amendment)."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ApplicationHandlerStop

from handlers.services.form.files import (
    MAX_FILE_BYTES,
    NOT_DOWNLOADED,
    NOT_DOWNLOADED_RETRY,
    TOO_LARGE,
    IncomingFile,
)
from handlers.tg import pending
from handlers.tg.callbacks import STALE, encode_record
from handlers.tg.context import BotContext
from handlers.tg.edit import edit_markup
from handlers.tg.record_minutes import count_after_album, take_minutes_file
from handlers.tg.render_records import MISSING, detail_origin, reason_prompt

log = logging.getLogger(__name__)

HINTED_ALBUM = "amend_hinted_album"  # user_data: the album whose photos were told, once, that text is awaited
TEXT_HINT = "照片请用记录下方的“补充照片”或“重新上传照片”。（发送 /cancel 取消）"


def _done_markup(record_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("完成", callback_data=encode_record("pdone", record_id))]]
    )


async def start_photos(
    query, context: BotContext, record_id: int, mode: str, note: str = "", label: str = "", kept: str = ""
) -> None:
    """``note`` goes before the prompt, ``kept`` (the user's form waits) after it; ``label`` names the record."""
    slots = await context.services.records.photo_slots(query.from_user.id, record_id)
    if slots is None:
        await query.answer(MISSING, show_alert=True)
        return
    await query.answer()
    origin = detail_origin(query)
    await pending.expect(
        context,
        "amend_photos",
        record_id=record_id,
        mode=mode,
        photos=[],
        origin=origin,
        label=label,
        field="photos",
    )
    if mode == "add":
        text = f"请发送要补充的现场照片（可一次选多张），发完后点击“完成”。现有 {slots.count} 张，最多 {slots.most} 张。"
    else:
        text = (
            f"请重新发送这条记录的全部活动照片（至少 {slots.least} 张、最多 {slots.most} 张，可一次选多张），"
            f"发完后点击“完成”。原有的 {slots.count} 张照片将被替换（修改记录中保留）。"
        )
    chat_id = query.message.chat.id if query.message else query.from_user.id
    await context.bot.send_message(
        chat_id, f"{note}{text}\n（发送 /cancel 取消）{kept}", reply_markup=_done_markup(record_id)
    )


def _count_text(state: dict) -> str:
    return f"已收到 {len(state.get('photos', []))} 张新照片。还有就继续发，发完请点击“完成”。"


@pending.on("amend_photos")
async def _photos_text(update: Update, context: BotContext, state: dict) -> None:
    await update.effective_message.reply_text(
        "请发送照片（可一次选多张），发完后点击“完成”。发送 /cancel 取消。",
        reply_markup=_done_markup(state["record_id"]),
    )


@pending.on_skip("amend_photos")
async def _photos_skip(update: Update, context: BotContext, state: dict) -> None:
    await update.effective_message.reply_text(
        "这一步不能跳过，请发送照片，发完后点击“完成”；放弃修改请发送 /cancel。",
        reply_markup=_done_markup(state["record_id"]),
    )


async def on_amend_file(update: Update, context: BotContext) -> None:
    """A photo (or an image sent as a file) while the user amends a record's photos; else left to the form."""
    state = context.user_data.get(pending.PENDING)
    message = update.effective_message
    if state and pending.expired(context, state):  # left long ago: the photo is the form's, or a question's
        await pending.clear(context)
        state = None
    if state and state.get("kind") == "amend":
        if state.get("field") == "minutes_text" and state.get("value") is None:
            await take_minutes_file(update, context, state)  # a scan or a document: the new minutes
        group = message.media_group_id
        if group is None or context.user_data.get(HINTED_ALBUM) != group:  # an album is told once
            context.user_data[HINTED_ALBUM] = group
            await message.reply_text(f"这一步请发送文字，不能用照片或文件代替。{TEXT_HINT}")
        raise ApplicationHandlerStop  # the text a button asked for is still awaited: not a question for Q&A
    if not state or state.get("kind") != "amend_photos":
        return
    item = message.photo[-1] if message.photo else message.document
    record_id, done = state["record_id"], _done_markup(state["record_id"])
    if item.file_size and item.file_size > MAX_FILE_BYTES:
        await message.reply_text(TOO_LARGE, reply_markup=done)
        raise ApplicationHandlerStop
    try:
        data = bytes(await (await context.bot.get_file(item.file_id)).download_as_bytearray())
    except TelegramError as exc:  # this photo is named as not saved; the ones taken before stay
        log.warning("downloading an amended photo for record %s failed: %r", record_id, exc)
        failed = NOT_DOWNLOADED if isinstance(exc, BadRequest) else NOT_DOWNLOADED_RETRY
        await message.reply_text(failed, reply_markup=done)
        raise ApplicationHandlerStop from None
    incoming = IncomingFile(item.file_id, item.file_unique_id, data, message.media_group_id)
    taken = list(state.get("photos", []))
    result = await context.services.records.take_photo(
        update.effective_user.id, record_id, state["mode"], taken, incoming, context.services.files
    )
    if result.entry is None:
        await message.reply_text(result.problem or STALE, reply_markup=done)
        raise ApplicationHandlerStop
    kept = {k: v for k, v in state.items() if k not in ("kind", "photos")}
    await pending.expect(context, "amend_photos", **kept, photos=[*taken, result.entry])
    if message.media_group_id:  # an album: one count once it stops arriving
        count_after_album(context, f"amend-photos:{update.effective_user.id}", _album_count, update)
    else:
        await message.reply_text(_count_text(context.user_data[pending.PENDING]), reply_markup=done)
    raise ApplicationHandlerStop


async def _album_count(context: BotContext) -> None:
    state = context.user_data.get(pending.PENDING) if context.user_data is not None else None
    if state and state.get("kind") == "amend_photos":
        await context.bot.send_message(
            context.job.chat_id, _count_text(state), reply_markup=_done_markup(state["record_id"])
        )


async def photos_done(query, context: BotContext, record_id: int) -> None:
    """完成: the photos are checked against the kind's limits, then the reason is asked."""
    state = context.user_data.get(pending.PENDING)
    if not state or state.get("kind") != "amend_photos" or state.get("record_id") != record_id:
        await query.answer(STALE, show_alert=True)
        return
    service = context.services.records
    slots = await service.photo_slots(query.from_user.id, record_id)
    if slots is None:
        await pending.clear(context)
        await query.answer(MISSING, show_alert=True)
        return
    photos = list(state.get("photos", []))
    if problem := service.photos_problem(slots, state["mode"], len(photos)):
        await query.answer(problem, show_alert=True)
        return
    await query.answer()
    await edit_markup(query, None)
    value = {"mode": state["mode"], "photos": photos}
    amend = {"record_id": record_id, "field": "photos", "value": value, "origin": state.get("origin")}
    amend["label"] = state.get("label")
    await pending.expect(context, "amend", **amend)
    chat_id = query.message.chat.id if query.message else query.from_user.id
    await context.bot.send_message(chat_id, f"已收到 {len(photos)} 张新照片。{reason_prompt(amend)}")
