"""/records: the branch's records; open one (photos re-sent), withdraw within 24 hours, amend with a reason: a
text, the attendance (应到, 实到, then who was absent), or the photos (some added, or all sent again)."""

from __future__ import annotations

import logging
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from handlers.services.browse import FileBlob
from handlers.services.form.absentees import parse_absentees, says_no_absentees, too_many_absentees
from handlers.services.form.attendance import looks_like_attendance, parse_attendance
from handlers.services.form.model import InputError
from handlers.services.form.questions import NOT_A_PERSON, looks_like_question
from handlers.services.records import (
    MAX_REASON,
    PHOTO_MODES,
    Amended,
    RecordView,
    amend_value_problem,
    kind_name,
)
from handlers.tg import pending
from handlers.tg.callbacks import STALE, parse_id
from handlers.tg.context import BotContext
from handlers.tg.edit import edit_message, edit_text
from handlers.tg.evidence import EvidenceFile, Load, Remember, send_evidence
from handlers.tg.guards import NO_BRANCH, command, incoming_text
from handlers.tg.record_minutes import FIELD as MINUTES_FILES
from handlers.tg.record_minutes import done_markup, files_then_text, minutes_done
from handlers.tg.record_photos import on_amend_file, photos_done, start_photos
from handlers.tg.record_values import ATTENDANCE, FIELDS, HELD_ON, awaited, read_date, value_prompt
from handlers.tg.render_records import (
    ALREADY_WITHDRAWN,
    FORM_KEPT,
    MISSING,
    WITHDRAWN,
    WITHDRAWN_DONE,
    amend_label,
    amended_reply,
    describe,
    detail_markup,
    detail_origin,
    reason_prompt,
    withdraw_markup,
    withdraw_question,
    withdraw_refusal,
)

log = logging.getLogger(__name__)
MAX_LIST = 30


async def records(update: Update, context: BotContext) -> None:
    rows = await context.services.records.recent(update.effective_user.id)
    if rows is None:
        await update.effective_message.reply_text(NO_BRANCH)
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
    if action == "open":
        await _open(query, context, user_id, chat_id, record_id)
    elif action == "withdraw":
        await _ask_withdraw(query, context, record_id)
    elif action == "wd_yes":
        await _withdraw(query, context, record_id)
    elif action == "wd_no":
        await query.answer("没有撤回。")
        await _show_view(query, context, record_id)
    elif action == "amend" and len(parts) == 4 and parts[3] in FIELDS:
        if (view := await _amendable(query, context, record_id)) is not None:
            await query.answer()
            origin, label = detail_origin(query), amend_label(view)
            await pending.expect(
                context, "amend", record_id=record_id, field=parts[3], value=None, origin=origin, label=label
            )
            prompt = _passed_note(view) + value_prompt(parts[3]) + await _form_kept(context, user_id)
            await context.bot.send_message(chat_id, prompt)
    elif action == "photos" and len(parts) == 4 and parts[3] in PHOTO_MODES:
        if (view := await _amendable(query, context, record_id)) is not None:
            note = _passed_note(view)
            kept = await _form_kept(context, user_id)
            await start_photos(query, context, record_id, parts[3], note, amend_label(view), kept)
    elif action == "pdone" and len(parts) == 3:
        await photos_done(query, context, record_id)
    elif action == "mdone" and len(parts) == 3:
        await minutes_done(query, context, record_id)
    else:
        await query.answer(STALE, show_alert=True)


async def _ask_withdraw(query, context: BotContext, record_id: int) -> None:
    """撤回 asks first, in place of the record's view (确定撤回 / 不撤回), as the form asks before discarding."""
    view = await context.services.records.open(query.from_user.id, record_id)
    if view is None:
        await query.answer(MISSING, show_alert=True)
    elif view.record.status != "active":
        await query.answer(ALREADY_WITHDRAWN, show_alert=True)
        await _show_view(query, context, record_id)
    elif not view.can_withdraw:
        await query.answer(withdraw_refusal(view.review_state), show_alert=True)
    else:
        await query.answer()
        await edit_text(query, withdraw_question(view), reply_markup=withdraw_markup(record_id))


async def _withdraw(query, context: BotContext, record_id: int) -> None:
    """确定撤回: the record is withdrawn; the question becomes the record's view again, without buttons."""
    result = await context.services.records.withdraw(query.from_user.id, record_id)
    if result == "missing":
        await query.answer(MISSING, show_alert=True)
        return
    if result in ("late", "passed"):
        await query.answer(withdraw_refusal(result), show_alert=True)
    else:
        await query.answer("已撤回。" if result == "ok" else ALREADY_WITHDRAWN)
    await _show_view(query, context, record_id)
    if result == "ok":
        await context.bot.send_message(
            query.message.chat.id if query.message else query.from_user.id, WITHDRAWN_DONE
        )


async def _show_view(query, context: BotContext, record_id: int) -> None:
    """The pressed message becomes the record's view as it is now (text and buttons)."""
    view = await context.services.records.open(query.from_user.id, record_id)
    if view is not None:
        text = describe(view, context.services.clock.tz)
        await edit_text(query, text, reply_markup=detail_markup(view))


async def _amendable(query, context: BotContext, record_id: int) -> RecordView | None:
    """The record if it may be amended now; if not, the user is told before typing anything."""
    view = await context.services.records.open(query.from_user.id, record_id)
    if view is None or view.record.status != "active":
        await query.answer(MISSING if view is None else WITHDRAWN, show_alert=True)
        return None
    if view.closed:  # passed, its period over: an amendment would reopen it (``amend_rules``)
        await query.answer(view.closed, show_alert=True)
        return None
    return view


def stored_copy(context: BotContext, user_id: int) -> tuple[Load, Remember]:
    """For ``send_evidence``: a reader of a record file's stored copy (scoped to the user, as the dashboard's
    files), and a keeper of the file id Telegram gives that copy when it is uploaded."""
    browse = context.services.browse

    async def load(file: EvidenceFile) -> FileBlob | None:
        try:
            return await browse.file(user_id, file.id)
        except Exception:  # the record's text still goes; the file is named as not shown
            log.exception("could not read the stored copy of record file %s", file.id)
            return None

    async def remember(file: EvidenceFile, telegram_file_id: str) -> None:
        await browse.remember_file_id(user_id, file.id, telegram_file_id)

    return load, remember


async def _form_kept(context: BotContext, user_id: int) -> str:
    """A change started while the user's form is open: say the draft waits (the texts now go to the change)."""
    return "\n" + FORM_KEPT if await context.services.forms.active_step(user_id) is not None else ""


def _passed_note(view: RecordView) -> str:
    """An amendment takes a passed record back to review: say so before the user starts."""
    return "这条记录已审核通过，修改后将重新提交审核。\n" if view.review_state == "passed" else ""


async def _refresh(context: BotContext, user_id: int, chat_id: int, origin: object, record_id: int) -> None:
    """Rewrite the record's view the change started from: its text and buttons say what the record is now."""
    if not isinstance(origin, int):
        return
    view = await context.services.records.open(user_id, record_id)
    if view is not None:
        text = describe(view, context.services.clock.tz)
        await edit_message(context.bot, chat_id, origin, text, reply_markup=detail_markup(view))


async def _open(query, context: BotContext, user_id: int, chat_id: int, record_id: int) -> None:
    service = context.services.records
    view = await service.open(user_id, record_id)
    if view is None:
        await query.answer(MISSING, show_alert=True)
        return
    await query.answer()
    await send_evidence(context.bot, chat_id, view.files, *stored_copy(context, user_id))
    text = describe(view, context.services.clock.tz)
    await context.bot.send_message(chat_id, text, reply_markup=detail_markup(view))


@pending.on("amend")
async def _amend_text(update: Update, context: BotContext, state: dict) -> None:
    text = incoming_text(update)
    message = update.effective_message
    if state.get("value") is None and state.get("files"):  # files of the minutes came first: they stay
        await message.reply_text(
            files_then_text(state["files"]), reply_markup=done_markup(state["record_id"])
        )
        return
    if state.get("value") is None:
        await _take_value(update, context, state, text)
        return
    if state.get("absent"):
        value = dict(state["value"])
        if looks_like_attendance(
            text
        ):  # the count typed again (应到8人，实到6人): a correction (as in the form)
            await _take_value(update, context, {**state, "value": None, "absent": False}, text)
            return
        if looks_like_question(text):  # 缺席的人要写原因吗？ is no person (as in the form)
            await message.reply_text(
                f"{NOT_A_PERSON}请发送缺席人员和原因，每行一人（没有可发送“无”，/cancel 取消）。"
            )
            return
        if not says_no_absentees(text):
            try:
                absent = (value.get("expected") or 0) - (value.get("actual") or 0)
                people = parse_absentees(text, absent)
            except InputError as exc:
                await message.reply_text(f"{exc.message}（没有可发送“无”，/cancel 取消）")
                return
            too_many = too_many_absentees(people, value.get("expected"), value.get("actual"))
            if too_many:
                await message.reply_text(f"{too_many}请重新发送缺席人员，每行一人（/cancel 取消）。")
                return
            value["absentees"] = people
        await _absentees_taken(context, state, value, message)
        return
    if len(text) < 2 or len(text) > MAX_REASON:
        too_long = f"修改原因请控制在{MAX_REASON}字以内（现在{len(text)}字），请重新发送："
        await message.reply_text(too_long if len(text) > MAX_REASON else "请写明修改原因（至少2个字）：")
        return
    await pending.clear(context)
    amended = await _apply(context, update.effective_user.id, state, text)
    await message.reply_text(amended_reply(amended))
    if amended.status == "ok" and state["field"] == "photos":
        await _thumbnails(context, state["record_id"])
    if amended.status == "ok":
        await _refresh(
            context, update.effective_user.id, message.chat.id, state.get("origin"), state["record_id"]
        )
    if amended.resubmitted:
        from handlers.tg.review import notify_resubmitted

        await notify_resubmitted(
            context.bot, context.services, state["record_id"], amended.reviewers, was=amended.was
        )


async def _absentees_taken(context: BotContext, state: dict, value: dict, message) -> None:
    await _expect_amend(context, state, value=value, absent=False)
    await message.reply_text(reason_prompt(state))


@pending.on_skip("amend")
async def _amend_skip(update: Update, context: BotContext, state: dict) -> None:
    """/skip in a change: at the absentees prompt it is "无" (not given); elsewhere the step is needed."""
    message = update.effective_message
    if state.get("value") is not None and state.get("absent"):
        await _absentees_taken(context, state, dict(state["value"]), message)
        return
    await message.reply_text(f"这一步不能跳过，请发送{awaited(state)}；放弃修改请发送 /cancel。")


async def _expect_amend(context: BotContext, state: dict, **changes: object) -> None:
    await pending.expect(context, "amend", **({k: v for k, v in state.items() if k != "kind"} | changes))


async def _take_value(update: Update, context: BotContext, state: dict, text: str) -> None:
    """The new value of a text, or the attendance (then, when someone was absent, who and why)."""
    message = update.effective_message
    if state["field"] == HELD_ON:
        view = await context.services.records.open(update.effective_user.id, state["record_id"])
        value, problem = read_date(view, text, context.services.clock.now().date())
        if problem is not None:
            await message.reply_text(f"{problem}（/cancel 取消）")
            return
        await _expect_amend(context, state, value=value)
        await message.reply_text(reason_prompt(state))
        return
    if state["field"] != ATTENDANCE:
        if problem := amend_value_problem(state["field"], text):
            await message.reply_text(f"{problem}（/cancel 取消）")
            return
        view = await context.services.records.open(update.effective_user.id, state["record_id"])
        if view is not None and getattr(view.record, state["field"]) == text.strip():
            await message.reply_text(f"新内容和原来一样。{value_prompt(state['field'])}")
            return
        await _expect_amend(context, state, value=text)
        await message.reply_text(reason_prompt(state))
        return
    try:
        expected, actual = parse_attendance(text)
    except InputError as exc:
        await message.reply_text(f"{exc.message}（/cancel 取消）")
        return
    if actual == expected:  # nothing to ask about the absent: an unchanged count is said before the reason
        view = await context.services.records.open(update.effective_user.id, state["record_id"])
        if view is not None and (view.record.expected, view.record.actual) == (expected, actual):
            await message.reply_text(f"新内容和原来一样。{value_prompt(ATTENDANCE)}")
            return
    value = {"expected": expected, "actual": actual, "absentees": []}
    await _expect_amend(context, state, value=value, absent=actual < expected)
    read = f"新的出勤：应到{expected}人，实到{actual}人。"  # what was read, before anything is saved
    if actual < expected:
        await message.reply_text(
            f"{read}有 {expected - actual} 人缺席。请发送缺席人员和原因，每行一人，如：\n张三 出差\n李四 病假\n"
            "（不填写请发送“无”；出勤人数不对的，直接重新发送，如“应到8人，实到7人”）"
        )
    else:
        await message.reply_text(f"{read}{reason_prompt(state)}")


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
        if field == HELD_ON:
            return await records.amend_held_on(user_id, state["record_id"], date.fromisoformat(value), reason)
        if field == MINUTES_FILES:
            store = context.services.files
            return await records.amend_minutes_files(
                user_id, state["record_id"], value["files"], reason, store
            )
    except (KeyError, TypeError, AttributeError, ValueError):  # a follow-up saved by an older version
        return Amended("invalid", problem="这次修改没有完成，请重新操作。")
    return await records.amend_record(user_id, state["record_id"], field, value, reason)


async def _thumbnails(context: BotContext, record_id: int) -> None:
    try:
        await context.services.thumbnails.for_record(record_id)
    except Exception:  # the photos are stored; a thumbnail is made later (backfill)
        log.exception("no thumbnails for the photos added to record %s", record_id)


def register(application: Application) -> None:
    application.add_handler(command("records", records))
    application.add_handler(CallbackQueryHandler(on_button, pattern=r"^r:"))
    photo = filters.PHOTO | filters.Document.ALL
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & photo, on_amend_file), group=-2
    )
