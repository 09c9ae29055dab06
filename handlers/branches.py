"""Branches: /start <code> (become secretary), /newbranch (admins), /branch (profile, editable)."""

from __future__ import annotations

import re
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationHandlerStop, CallbackQueryHandler, CommandHandler

from handlers import pending
from handlers.context import BotContext
from handlers.services.branches import FORMS, deep_link, profile_warnings

REDEEM_REPLIES = {
    "unknown": "邀请码无效。请核对链接是否完整，或联系上级党委管理员重新生成。",
    "malformed": "邀请码无效。请核对链接是否完整，或联系上级党委管理员重新生成。",
    "used": "这个邀请链接已经被使用过了。如需更换书记，请联系管理员生成新的邀请链接。",
    "expired": "这个邀请链接已过期（有效期7天）。请联系管理员重新生成。",
    "revoked": "这个邀请链接已作废（管理员已生成新的链接）。请使用最新的链接。",
}
FIELD_LABELS = {
    "org_name": "单位名称",
    "name": "支部名称",
    "formal_members": "正式党员人数",
    "units": "联合单位数",
}


def profile_html(branch) -> str:
    lines = [
        f"<b>{escape(branch.name)}</b>",
        f"单位：{escape(branch.org_name)}",
        f"组织形式：{FORMS.get(branch.form, branch.form)}",
        f"正式党员：{branch.formal_members}名",
    ]
    if branch.form == "joint":
        lines.append(f"联合单位数：{branch.units if branch.units is not None else '未填写'}")
    if branch.secretary_name:
        lines.append(f"书记：{escape(branch.secretary_name)}")
    warnings = profile_warnings(branch.form, branch.formal_members, branch.units)
    if warnings:
        lines.append("\n⚠️ 对照讲话要求：")
        lines += [f"• {escape(w)}" for w in warnings]
    else:
        lines.append("\n✅ 组织设置符合讲话要求。")
    return "\n".join(lines)


def profile_keyboard(branch) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton("改单位名称", callback_data="b:edit:org_name"),
            InlineKeyboardButton("改支部名称", callback_data="b:edit:name"),
        ],
        [
            InlineKeyboardButton("改党员人数", callback_data="b:edit:formal_members"),
            InlineKeyboardButton("改组织形式", callback_data="b:form"),
        ],
    ]
    if branch.form == "joint":
        rows.append([InlineKeyboardButton("改联合单位数", callback_data="b:edit:units")])
    return InlineKeyboardMarkup(rows)


def form_keyboard(prefix: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=f"{prefix}:{code}") for code, label in FORMS.items()]]
    )


async def start_with_code(update: Update, context: BotContext) -> None:
    """/start <code>: the deep link of an invitation."""
    if not context.args:
        return  # a plain /start: common.start answers
    user = update.effective_user
    result = await context.services.branches.redeem(context.args[0], user_id=user.id, name=user.full_name)
    if result.status == "ok" and result.branch is not None:
        await update.effective_message.reply_text(
            f"欢迎！您已成为“{escape(result.branch.name)}”的书记。\n\n{profile_html(result.branch)}\n\n"
            "发送 /submit 登记活动记录，/records 查看记录，/branch 查看或修改支部信息。",
            parse_mode=ParseMode.HTML,
        )
    else:
        await update.effective_message.reply_text(
            REDEEM_REPLIES.get(result.status, REDEEM_REPLIES["unknown"])
        )
    raise ApplicationHandlerStop


async def branch(update: Update, context: BotContext) -> None:
    current = await context.services.branches.of_user(update.effective_user.id)
    if current is None:
        await update.effective_message.reply_text("您还没有加入党支部。请联系上级党委管理员获取邀请链接。")
        return
    await update.effective_message.reply_text(
        profile_html(current), parse_mode=ParseMode.HTML, reply_markup=profile_keyboard(current)
    )


async def on_branch_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    current = await context.services.branches.of_user(query.from_user.id)
    if current is None:
        await query.answer("您还没有加入党支部。", show_alert=True)
        return
    await query.answer()
    data = query.data or ""
    if data.startswith("b:edit:") and data[7:] in FIELD_LABELS:
        field = data[7:]
        pending.expect(context, "branch_edit", field=field, branch_id=current.id)
        await context.bot.send_message(
            query.message.chat.id, f"请发送新的{FIELD_LABELS[field]}（发送 /cancel 取消）："
        )
    elif data == "b:form":
        await context.bot.send_message(
            query.message.chat.id, "请选择组织形式：", reply_markup=form_keyboard("b:setform")
        )
    elif data.startswith("b:setform:") and data[10:] in FORMS:
        updated = await context.services.branches.update(current.id, form=data[10:])
        await context.bot.send_message(
            query.message.chat.id,
            "已更新。\n\n" + profile_html(updated),
            parse_mode=ParseMode.HTML,
            reply_markup=profile_keyboard(updated),
        )


def _parse_value(field: str, text: str) -> object:
    text = text.strip()
    if field in ("formal_members", "units"):
        if not re.fullmatch(r"[0-9]{1,6}", text) or int(text) > 100000:
            raise ValueError(f"{FIELD_LABELS[field]}请发送一个数字，如 5。")
        return int(text)
    if not 2 <= len(text) <= 100:
        raise ValueError(f"{FIELD_LABELS[field]}应为2到100个字。")
    return text


@pending.on("branch_edit")
async def _branch_edit(update: Update, context: BotContext, state: dict) -> None:
    field = state["field"]
    current = await context.services.branches.of_user(update.effective_user.id)
    if current is None or current.id != state["branch_id"]:
        pending.clear(context)
        await update.effective_message.reply_text("您已不是该支部的书记，不能修改支部信息。")
        return
    try:
        value = _parse_value(field, update.effective_message.text or "")
    except ValueError as exc:
        await update.effective_message.reply_text(f"⚠️ {exc}\n请重新发送（发送 /cancel 取消）。")
        return
    pending.clear(context)
    updated = await context.services.branches.update(state["branch_id"], **{field: value})
    await update.effective_message.reply_text(
        "已更新。\n\n" + profile_html(updated),
        parse_mode=ParseMode.HTML,
        reply_markup=profile_keyboard(updated),
    )


# -- /newbranch (admins) ------------------------------------------------------------------------------------

NEW_STEPS = ("org_name", "name", "form", "formal_members", "units")
NEW_PROMPTS = {
    "org_name": "新建支部（1/4）：请发送单位（企业或社会组织）名称：",
    "name": "新建支部（2/4）：请发送党支部名称：",
    "form": "新建支部（3/4）：请选择组织形式：",
    "formal_members": "新建支部（4/4）：正式党员有多少名？请发送数字：",
    "units": "这个联合党组织覆盖几个单位？请发送数字：",
}


def _is_admin(update: Update, context: BotContext) -> bool:
    return update.effective_user is not None and update.effective_user.id in context.services.admin_ids


async def newbranch(update: Update, context: BotContext) -> None:
    if not _is_admin(update, context):
        await update.effective_message.reply_text("只有上级党委管理员可以新建支部。")
        return
    pending.expect(context, "newbranch", step="org_name", values={})
    await update.effective_message.reply_text(NEW_PROMPTS["org_name"] + "\n（随时发送 /cancel 取消）")


async def _newbranch_next(update: Update, context: BotContext, state: dict, chat_id: int) -> None:
    values = state["values"]
    order = [s for s in NEW_STEPS if s != "units" or values.get("form") == "joint"]
    remaining = [s for s in order if s not in values]
    if remaining:
        state["step"] = remaining[0]
        pending.expect(context, "newbranch", **{k: v for k, v in state.items() if k != "kind"})
        markup = form_keyboard("nb:form") if remaining[0] == "form" else None
        await context.bot.send_message(chat_id, NEW_PROMPTS[remaining[0]], reply_markup=markup)
        return
    pending.clear(context)
    created = await context.services.branches.create(
        org_name=values["org_name"],
        name=values["name"],
        form=values["form"],
        formal_members=values["formal_members"],
        units=values.get("units"),
        created_by=update.effective_user.id,
    )
    await context.bot.send_message(chat_id, _invitation_text(context, created), parse_mode=ParseMode.HTML)


def _invitation_text(context: BotContext, created) -> str:
    link = deep_link(context.bot.username, created.code)
    warnings = profile_warnings(created.branch.form, created.branch.formal_members, created.branch.units)
    lines = [
        f"已创建：{escape(created.branch.name)}（编号 {created.branch.id}）",
        f"邀请码：<code>{created.code}</code>",
        f"邀请链接（7天内有效，仅限一次）：{escape(link or '')}",
        "请把链接发给该支部书记，点击即可绑定。",
    ]
    if warnings:
        lines += ["", "⚠️ 对照讲话要求："] + [f"• {escape(w)}" for w in warnings]
    return "\n".join(lines)


@pending.on("newbranch")
async def _newbranch_text(update: Update, context: BotContext, state: dict) -> None:
    step = state["step"]
    if step == "form":
        await update.effective_message.reply_text(
            "请点击上面的按钮选择组织形式。", reply_markup=form_keyboard("nb:form")
        )
        return
    try:
        value = _parse_value(step, update.effective_message.text or "")
    except ValueError as exc:
        await update.effective_message.reply_text(f"⚠️ {exc}\n请重新发送（发送 /cancel 取消）。")
        return
    state["values"][step] = value
    await _newbranch_next(update, context, state, update.effective_chat.id)


async def on_newbranch_form(update: Update, context: BotContext) -> None:
    query = update.callback_query
    state = context.user_data.get(pending.PENDING)
    form = (query.data or "")[8:]
    if not state or state.get("kind") != "newbranch" or state.get("step") != "form" or form not in FORMS:
        await query.answer("这个按钮已失效。", show_alert=True)
        return
    await query.answer()
    state["values"]["form"] = form
    await _newbranch_next(update, context, state, query.message.chat.id)


async def invite(update: Update, context: BotContext) -> None:
    """/invite <branch id>: a new invitation (replaces the old ones; the next to open it becomes secretary)."""
    if not _is_admin(update, context):
        await update.effective_message.reply_text("只有上级党委管理员可以生成邀请链接。")
        return
    if not context.args or not re.fullmatch(r"[0-9]{1,9}", context.args[0]):
        await update.effective_message.reply_text("用法：/invite 支部编号（编号见 /branches）")
        return
    created = await context.services.branches.invite(
        int(context.args[0]), created_by=update.effective_user.id
    )
    if created is None:
        await update.effective_message.reply_text("没有这个编号的支部。发送 /branches 查看全部支部。")
        return
    await update.effective_message.reply_text(_invitation_text(context, created), parse_mode=ParseMode.HTML)


async def branches(update: Update, context: BotContext) -> None:
    if not _is_admin(update, context):
        await update.effective_message.reply_text("只有上级党委管理员可以查看全部支部。")
        return
    rows = await context.services.branches.list_all()
    if not rows:
        await update.effective_message.reply_text("还没有支部。发送 /newbranch 新建。")
        return
    lines = [
        f"{b.id}. {b.org_name} · {b.name}（{FORMS.get(b.form, b.form)}，{b.formal_members}名党员）"
        f"{'：书记 ' + b.secretary_name if b.secretary_name else '：尚无书记'}"
        for b in rows
    ]
    await update.effective_message.reply_text("\n".join(lines)[:4000])


def register(application: Application, *, group: int = -2) -> None:
    application.add_handler(CommandHandler("start", start_with_code, has_args=True), group=group)
    application.add_handler(CommandHandler("newbranch", newbranch))
    application.add_handler(CommandHandler("invite", invite))
    application.add_handler(CommandHandler("branches", branches))
    application.add_handler(CommandHandler("branch", branch))
    application.add_handler(CallbackQueryHandler(on_branch_button, pattern=r"^b:"))
    application.add_handler(CallbackQueryHandler(on_newbranch_form, pattern=r"^nb:form:"))
