"""/records: the branch's records; open one (photos re-sent), withdraw within 24 hours, amend with a reason."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Update
from telegram.ext import Application, CallbackQueryHandler

from handlers.services.records import AMENDABLE, amend_value_problem, kind_name
from handlers.tg import pending
from handlers.tg.callbacks import STALE, parse_id
from handlers.tg.context import BotContext
from handlers.tg.guards import command, incoming_text
from handlers.tg.render_records import describe

MISSING = "找不到这条记录，或您无权查看。"
MAX_LIST = 30


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
    elif action == "amend" and len(parts) == 4 and parts[3] in AMENDABLE:
        if await service.open(user_id, record_id) is None:
            await query.answer(MISSING, show_alert=True)
            return
        await query.answer()
        await pending.expect(context, "amend", record_id=record_id, field=parts[3], value=None)
        await context.bot.send_message(chat_id, f"请发送新的{AMENDABLE[parts[3]]}（发送 /cancel 取消）：")
    else:
        await query.answer(STALE, show_alert=True)


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
        buttons.append(
            [
                InlineKeyboardButton(f"修改{label}", callback_data=f"r:amend:{record_id}:{field}")
                for field, label in AMENDABLE.items()
            ]
        )
    await context.bot.send_message(
        chat_id,
        describe(view, context.services.clock.tz)[:4000],
        reply_markup=InlineKeyboardMarkup(buttons) if buttons else None,
    )


@pending.on("amend")
async def _amend_text(update: Update, context: BotContext, state: dict) -> None:
    text = incoming_text(update)
    if state.get("value") is None:
        if problem := amend_value_problem(state["field"], text):
            await update.effective_message.reply_text(f"{problem}（/cancel 取消）")
            return
        state["value"] = text
        await pending.expect(context, "amend", **{k: v for k, v in state.items() if k != "kind"})
        await update.effective_message.reply_text("请简要说明修改原因（如“主题写错了”）：")
        return
    if len(text) < 2:
        await update.effective_message.reply_text("请写明修改原因（至少2个字）：")
        return
    await pending.clear(context)
    amended = await context.services.records.amend_record(
        update.effective_user.id, state["record_id"], state["field"], state["value"], text
    )
    result = amended.status
    replies = {
        "ok": "已修改，修改记录已保存。发送 /records 可查看。",
        "missing": MISSING,
        "withdrawn": "这条记录已撤回，不能修改。",
        "unchanged": "新内容和原来一样，没有修改。",
        "invalid": "修改内容无效（不能为空，主题和地点不超过200字，会议记录不超过4000字），请重新操作。",
    }
    if amended.resubmitted:
        replies["ok"] = "已修改，并已重新提交审核，审核人会收到通知。发送 /records 可查看。"
    await update.effective_message.reply_text(replies[result])
    if amended.resubmitted:
        from handlers.tg.review import notify_resubmitted

        await notify_resubmitted(context.bot, context.services, state["record_id"], amended.reviewers)


def register(application: Application) -> None:
    application.add_handler(command("records", records))
    application.add_handler(CallbackQueryHandler(on_button, pattern=r"^r:"))
