"""/records: the branch's records; open one (photos re-sent), withdraw within 24 hours, amend with a reason: a
text, the attendance (应到, 实到, then who was absent), or the photos (some added, or all sent again)."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Update
from telegram.ext import Application, ApplicationHandlerStop, CallbackQueryHandler, MessageHandler, filters

from handlers.services.form.files import TOO_LARGE, IncomingFile
from handlers.services.form.model import InputError
from handlers.services.form.steps import parse_absentees, parse_attendance
from handlers.services.records import AMENDABLE, PHOTO_MODES, Amended, amend_value_problem, kind_name
from handlers.tg import pending
from handlers.tg.callbacks import STALE, encode_record, parse_id
from handlers.tg.context import BotContext
from handlers.tg.edit import edit_markup
from handlers.tg.guards import command, incoming_text
from handlers.tg.render_records import describe
from handlers.tg.render_review import amend_rows
from storage.files import MAX_FILE_BYTES

log = logging.getLogger(__name__)
MISSING = "找不到这条记录，或您无权查看。"
MAX_LIST = 30
ATTENDANCE = "attendance"
REASON = "请简要说明修改原因（如“主题写错了”）："
NO_ABSENTEES = ("无", "没有", "不填写", "不填")
ALBUM_QUIET_SECONDS = 1.2


async def records(update: Update, context: BotContext) -> None:
    rows = await context.services.records.recent(update.effective_user.id)
    if rows is None:
        await update.effective_message.reply_text("您还没有加入党支部。请联系上级党委管理员获取邀请链接。")
        return
    if not rows:
        await update.effective_message.reply_text("近12个月还没有活动记录。发送 /submit 登记第一条。")
        return
    buttons = [
        [
            InlineKeyboardButton(
                f"{r.held_on:%m-%d} {kind_name(r.kind)} {r.topic[:12]}{'（已撤回）' if r.status == 'withdrawn' else ''}",
                callback_data=f"r:open:{r.id}",
            )
        ]
        for r in rows[:MAX_LIST]
    ]
    more = f"\n（仅显示最近{MAX_LIST}条）" if len(rows) > MAX_LIST else ""
    await update.effective_message.reply_text(
        f"本支部近12个月的活动记录共 {len(rows)} 条，点击查看：{more}",
        reply_markup=InlineKeyboardMarkup(buttons),
    )


async def on_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    parts = (query.data or "").split(":")
    user_id = query.from_user.id
    chat_id = query.message.chat.id if query.message else user_id
    record_id = parse_id(parts[2]) if len(parts) >= 3 else None
    if record_id is None:
        await query.answer(STALE, show_alert=True)
        return
    action = parts[1]
    service = context.services.records
    if action == "open":
        await _open(query, context, user_id, chat_id, record_id)
    elif action == "withdraw":
        result = await service.withdraw(user_id, record_id)
        if result == "missing":
            await query.answer(MISSING, show_alert=True)
        elif result == "late":
            await query.answer("已超过24小时，不能撤回；可以用“修改”更正内容。", show_alert=True)
        else:
            await query.answer("已撤回。")
            await context.bot.send_message(chat_id, "这条记录已撤回，不再计入本支部的活动。")
    elif action == "amend" and len(parts) == 4 and (parts[3] in AMENDABLE or parts[3] == ATTENDANCE):
        if await service.open(user_id, record_id) is None:
            await query.answer(MISSING, show_alert=True)
            return
        await query.answer()
        await pending.expect(context, "amend", record_id=record_id, field=parts[3], value=None)
        await context.bot.send_message(chat_id, _value_prompt(parts[3]))
    elif action == "photos" and len(parts) == 4 and parts[3] in PHOTO_MODES:
        await _start_photos(query, context, record_id, parts[3])
    elif action == "pdone" and len(parts) == 3:
        await _photos_done(query, context, record_id)
    else:
        await query.answer(STALE, show_alert=True)


def _value_prompt(field: str) -> str:
    if field == ATTENDANCE:
        return "请发送应到和实到人数，如“应到8人，实到7人”或“8 7”（发送 /cancel 取消）："
    return f"请发送新的{AMENDABLE[field]}（发送 /cancel 取消）："


async def _open(query, context: BotContext, user_id: int, chat_id: int, record_id: int) -> None:
    service = context.services.records
    view = await service.open(user_id, record_id)
    if view is None:
        await query.answer(MISSING, show_alert=True)
        return
    await query.answer()
    photos = [f.telegram_file_id for f in view.files if f.role == "photo"]
    for start in range(0, len(photos), 10):
        chunk = photos[start : start + 10]
        if len(chunk) == 1:
            await context.bot.send_photo(chat_id, chunk[0])
        else:
            await context.bot.send_media_group(chat_id, [InputMediaPhoto(p) for p in chunk])
    for f in view.files:
        if f.role == "minutes":
            if f.mime.startswith("image/"):
                await context.bot.send_photo(chat_id, f.telegram_file_id, caption="会议记录")
            else:
                await context.bot.send_document(chat_id, f.telegram_file_id, caption="会议记录")
    buttons = []
    if view.record.status == "active":
        if view.can_withdraw:
            buttons.append([InlineKeyboardButton("撤回这条记录", callback_data=f"r:withdraw:{record_id}")])
        buttons += amend_rows(record_id)
    await context.bot.send_message(
        chat_id,
        describe(view, context.services.clock.tz)[:4000],
        reply_markup=InlineKeyboardMarkup(buttons) if buttons else None,
    )


@pending.on("amend")
async def _amend_text(update: Update, context: BotContext, state: dict) -> None:
    text = incoming_text(update)
    message = update.effective_message
    if state.get("value") is None:
        await _take_value(update, context, state, text)
        return
    if state.get("absent"):
        value = dict(state["value"])
        if text.strip() not in NO_ABSENTEES:
            try:
                value["absentees"] = parse_absentees(text)
            except InputError as exc:
                await message.reply_text(f"{exc.message}（没有可发送“无”，/cancel 取消）")
                return
        await _expect_amend(context, state, value=value, absent=False)
        await message.reply_text(REASON)
        return
    if len(text) < 2:
        await message.reply_text("请写明修改原因（至少2个字）：")
        return
    await pending.clear(context)
    amended = await _apply(context, update.effective_user.id, state, text)
    await message.reply_text(_amended_reply(amended))
    if amended.status == "ok" and state["field"] == "photos":
        await _thumbnails(context, state["record_id"])
    if amended.resubmitted:
        from handlers.tg.review import notify_resubmitted

        await notify_resubmitted(context.bot, context.services, state["record_id"], amended.reviewers)


async def _expect_amend(context: BotContext, state: dict, **changes: object) -> None:
    await pending.expect(context, "amend", **({k: v for k, v in state.items() if k != "kind"} | changes))


async def _take_value(update: Update, context: BotContext, state: dict, text: str) -> None:
    """The new value of a text, or the attendance (then, when someone was absent, who and why)."""
    message = update.effective_message
    if state["field"] != ATTENDANCE:
        if problem := amend_value_problem(state["field"], text):
            await message.reply_text(f"{problem}（/cancel 取消）")
            return
        await _expect_amend(context, state, value=text)
        await message.reply_text(REASON)
        return
    try:
        expected, actual = parse_attendance(text)
    except InputError as exc:
        await message.reply_text(f"{exc.message}（/cancel 取消）")
        return
    value = {"expected": expected, "actual": actual, "absentees": []}
    await _expect_amend(context, state, value=value, absent=actual < expected)
    if actual < expected:
        await message.reply_text(
            f"有 {expected - actual} 人缺席。请发送缺席人员和原因，每行一人，如：\n张三 出差\n李四 病假\n"
            "（不填写请发送“无”）"
        )
    else:
        await message.reply_text(REASON)


async def _apply(context: BotContext, user_id: int, state: dict, reason: str) -> Amended:
    records, field, value = context.services.records, state["field"], state["value"]
    try:
        if field == ATTENDANCE:
            absentees = value.get("absentees") or []
            return await records.amend_attendance(
                user_id, state["record_id"], value["expected"], value["actual"], absentees, reason
            )
        if field == "photos":
            photos, files = value["photos"], context.services.files
            return await records.amend_photos(
                user_id, state["record_id"], value["mode"], photos, reason, files
            )
    except (KeyError, TypeError, AttributeError):  # a follow-up saved by an older version
        return Amended("invalid", problem="这次修改没有完成，请重新操作。")
    return await records.amend_record(user_id, state["record_id"], field, value, reason)


def _amended_reply(amended: Amended) -> str:
    if amended.status == "invalid" and amended.problem:
        return f"没有修改：{amended.problem}"
    replies = {
        "ok": "已修改，修改记录已保存。发送 /records 可查看。",
        "missing": MISSING,
        "withdrawn": "这条记录已撤回，不能修改。",
        "unchanged": "新内容和原来一样，没有修改。",
        "invalid": "修改内容无效（不能为空，主题和地点不超过200字，会议记录不超过4000字），请重新操作。",
    }
    if amended.resubmitted:
        return "已修改，并已重新提交审核，审核人会收到通知。发送 /records 可查看。"
    return replies[amended.status]


async def _thumbnails(context: BotContext, record_id: int) -> None:
    try:
        await context.services.thumbnails.for_record(record_id)
    except Exception:  # the photos are stored; a thumbnail is made later (backfill)
        log.exception("no thumbnails for the photos added to record %s", record_id)


# -- photos: 补充照片 / 重新上传照片, then the photos (one update each), then 完成, then the reason --------------------


def _done_markup(record_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("完成", callback_data=encode_record("pdone", record_id))]]
    )


async def _start_photos(query, context: BotContext, record_id: int, mode: str) -> None:
    slots = await context.services.records.photo_slots(query.from_user.id, record_id)
    if slots is None:
        await query.answer(MISSING, show_alert=True)
        return
    await query.answer()
    await pending.expect(context, "amend_photos", record_id=record_id, mode=mode, photos=[])
    if mode == "add":
        text = f"请发送要补充的现场照片（可一次选多张），发完后点击“完成”。现有 {slots.count} 张，最多 {slots.most} 张。"
    else:
        text = (
            f"请重新发送这条记录的全部活动照片（至少 {slots.least} 张、最多 {slots.most} 张，可一次选多张），"
            f"发完后点击“完成”。原有的 {slots.count} 张照片将被替换（修改记录中保留）。"
        )
    chat_id = query.message.chat.id if query.message else query.from_user.id
    await context.bot.send_message(
        chat_id, f"{text}\n（发送 /cancel 取消）", reply_markup=_done_markup(record_id)
    )


def _count_text(state: dict) -> str:
    return f"已收到 {len(state.get('photos', []))} 张新照片。还有就继续发，发完请点击“完成”。"


@pending.on("amend_photos")
async def _photos_text(update: Update, context: BotContext, state: dict) -> None:
    await update.effective_message.reply_text(
        "请发送照片（可一次选多张），发完后点击“完成”。发送 /cancel 取消。",
        reply_markup=_done_markup(state["record_id"]),
    )


async def on_amend_file(update: Update, context: BotContext) -> None:
    """A photo (or an image sent as a file) while the user amends a record's photos; else left to the form."""
    state = context.user_data.get(pending.PENDING)
    if not state or state.get("kind") != "amend_photos":
        return
    message = update.effective_message
    item = message.photo[-1] if message.photo else message.document
    record_id, done = state["record_id"], _done_markup(state["record_id"])
    if item.file_size and item.file_size > MAX_FILE_BYTES:
        await message.reply_text(TOO_LARGE, reply_markup=done)
        raise ApplicationHandlerStop
    data = bytes(await (await context.bot.get_file(item.file_id)).download_as_bytearray())
    incoming = IncomingFile(item.file_id, item.file_unique_id, data, message.media_group_id)
    taken = list(state.get("photos", []))
    result = await context.services.records.take_photo(
        update.effective_user.id, record_id, state["mode"], taken, incoming, context.services.files
    )
    if result.entry is None:
        await message.reply_text(result.problem or STALE, reply_markup=done)
        raise ApplicationHandlerStop
    await pending.expect(
        context, "amend_photos", record_id=record_id, mode=state["mode"], photos=[*taken, result.entry]
    )
    if message.media_group_id:  # an album: one count once it stops arriving
        name = f"amend-photos:{update.effective_user.id}"
        for job in context.job_queue.get_jobs_by_name(name):
            job.schedule_removal()
        context.job_queue.run_once(
            _album_count,
            ALBUM_QUIET_SECONDS,
            chat_id=message.chat.id,
            user_id=update.effective_user.id,
            name=name,
        )
    else:
        await message.reply_text(_count_text(context.user_data[pending.PENDING]), reply_markup=done)
    raise ApplicationHandlerStop


async def _album_count(context: BotContext) -> None:
    state = context.user_data.get(pending.PENDING) if context.user_data is not None else None
    if state and state.get("kind") == "amend_photos":
        await context.bot.send_message(
            context.job.chat_id, _count_text(state), reply_markup=_done_markup(state["record_id"])
        )


async def _photos_done(query, context: BotContext, record_id: int) -> None:
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
    await pending.expect(context, "amend", record_id=record_id, field="photos", value=value)
    chat_id = query.message.chat.id if query.message else query.from_user.id
    await context.bot.send_message(chat_id, f"已收到 {len(photos)} 张新照片。{REASON}")


def register(application: Application) -> None:
    application.add_handler(command("records", records))
    application.add_handler(CallbackQueryHandler(on_button, pattern=r"^r:"))
    photo = filters.PHOTO | filters.Document.ALL
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & photo, on_amend_file), group=-2
    )
