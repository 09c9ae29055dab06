"""Branches: /newbranch, /invite and /branches (admins), /branch (profile, editable). Opening an invitation
(/start <code>) is ``handlers.tg.invitations``."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler

from handlers.services import newbranch as wizard
from handlers.services.branches import FIELD_LABELS, BranchClosedError, branch_line, parse_branch_value
from handlers.tg import pending
from handlers.tg.branch_admin import SAME_NAME_NEW, same_name_lines
from handlers.tg.callbacks import STALE, parse_typed_id
from handlers.tg.context import BotContext
from handlers.tg.edit import edit_markup
from handlers.tg.guards import NO_BRANCH, command, incoming_text, user_name
from handlers.tg.links import deep_link
from handlers.tg.profile_notices import send_profile_notice
from handlers.tg.render import form_keyboard, profile_html, profile_keyboard
from handlers.tg.render_status import split_messages
from knowledge.organisation import OrgForm, profile_warnings

RETRY = "请重新发送（发送 /cancel 取消）。"


async def branch(update: Update, context: BotContext) -> None:
    current = await context.services.branches.of_user(update.effective_user.id)
    if current is None:
        await update.effective_message.reply_text(NO_BRANCH)
        return
    exempt = await context.services.branches.exempt_now(current)
    await update.effective_message.reply_text(
        profile_html(current, exempt), parse_mode=ParseMode.HTML, reply_markup=profile_keyboard(current)
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
        await pending.expect(context, "branch_edit", field=field, branch_id=current.id)
        await context.bot.send_message(
            query.message.chat.id, f"请发送新的{FIELD_LABELS[field]}（发送 /cancel 取消）："
        )
    elif data == "b:form":
        await context.bot.send_message(
            query.message.chat.id, "请选择组织形式：", reply_markup=form_keyboard("b:setform")
        )
    elif data.startswith("b:setform:") and OrgForm.parse(data[10:]) is not None:
        edit = await context.services.branches.edit(
            current.id, by=query.from_user.id, by_name=user_name(update), form=data[10:]
        )
        updated = edit.branch
        ask_units = updated.form == OrgForm.JOINT and updated.units is None
        if ask_units:  # the count 联合建 needs, asked at once (helper-86: the profile said ✅ without it)
            await pending.expect(context, "branch_edit", field="units", branch_id=current.id)
        await context.bot.send_message(
            query.message.chat.id,
            "已更新。\n\n"
            + profile_html(updated, await context.services.branches.exempt_now(updated))
            + (f"\n\n{ASK_UNITS}" if ask_units else ""),
            parse_mode=ParseMode.HTML,
            reply_markup=None if ask_units else profile_keyboard(updated),
        )
        await send_profile_notice(context.bot, edit.notice)  # after the secretary's reply, best effort


PROFILE_SET = "profile_set"  # user_data: the message that last set a profile field, and the field
_EDIT_BUTTONS = {
    "org_name": "改单位名称",
    "name": "改支部名称",
    "formal_members": "改党员人数",
    "units": "改联合单位数",
}


def edited_profile_hint(context: BotContext, message_id: int) -> str | None:
    """The message now edited set a profile field: the edit changes nothing (said, not applied: the value
    saved was shown with 已更新, and an edit may come long after); how to change it again. None for any other
    message."""
    done = (context.user_data or {}).get(PROFILE_SET)
    if not isinstance(done, dict) or done.get("message_id") != message_id:
        return None
    field = str(done.get("field"))
    label, button = FIELD_LABELS.get(field, "支部信息"), _EDIT_BUTTONS.get(field, "改…")
    return (
        f"提示：修改已发送的消息不会改动支部信息，{label}仍是刚才保存的内容。"
        f"如需更正，请发送 /branch，点击“{button}”后重新发送。"
    )


ASK_UNITS = "这个联合党组织覆盖几个单位？请发送数字（发送 /cancel 取消）："


@pending.on("branch_edit")
async def _branch_edit(update: Update, context: BotContext, state: dict) -> None:
    field = state["field"]
    current = await context.services.branches.of_user(update.effective_user.id)
    if current is None or current.id != state["branch_id"]:
        await pending.clear(context)
        await update.effective_message.reply_text("您已不是该支部的书记，不能修改支部信息。")
        return
    try:
        value = parse_branch_value(field, incoming_text(update))
    except ValueError as exc:
        await update.effective_message.reply_text(f"⚠️ {exc}\n{RETRY}")
        return
    await pending.clear(context)
    edit = await context.services.branches.edit(
        state["branch_id"], by=update.effective_user.id, by_name=user_name(update), **{field: value}
    )
    updated = edit.branch
    context.user_data[PROFILE_SET] = {"message_id": update.effective_message.message_id, "field": field}
    await update.effective_message.reply_text(
        "已更新。\n\n" + profile_html(updated, await context.services.branches.exempt_now(updated)),
        parse_mode=ParseMode.HTML,
        reply_markup=profile_keyboard(updated),
    )
    await send_profile_notice(context.bot, edit.notice)  # after the secretary's reply, best effort


# -- /newbranch (admins): the steps are handlers.services.newbranch; the state is kept as a pending input ----


def _is_admin(update: Update, context: BotContext) -> bool:
    return update.effective_user is not None and update.effective_user.id in context.services.admin_ids


async def newbranch(update: Update, context: BotContext) -> None:
    if not _is_admin(update, context):
        await update.effective_message.reply_text("只有上级党委管理员可以新建支部。")
        return
    state = wizard.NewBranchState()
    await pending.expect(context, "newbranch", **state.to_dict())
    await update.effective_message.reply_text(wizard.PROMPTS[state.step] + "\n（随时发送 /cancel 取消）")


async def _newbranch_next(
    update: Update, context: BotContext, state: wizard.NewBranchState, chat_id: int
) -> None:
    """The next step's prompt, or, with every value in, the summary to confirm (nothing is created yet)."""
    await pending.expect(context, "newbranch", **state.to_dict())
    if state.step is None:
        # Another branch of this name is warned of before 确认创建 (not refused: two units may each have one).
        others = await context.services.branch_admin.same_name(state.values["name"])
        same = same_name_lines(others, context.services.clock.tz, SAME_NAME_NEW)
        await context.bot.send_message(chat_id, wizard.summary(state, same), reply_markup=CONFIRM_KEYBOARD)
        return
    markup = form_keyboard("nb:form") if state.step == "form" else None
    await context.bot.send_message(chat_id, wizard.PROMPTS[state.step], reply_markup=markup)


CONFIRM_KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("确认创建", callback_data="nb:ok")],
        [
            InlineKeyboardButton("修改", callback_data="nb:redo"),
            InlineKeyboardButton("取消", callback_data="nb:no"),
        ],
    ]
)


def _newbranch_state(context: BotContext) -> wizard.NewBranchState | None:
    raw = context.user_data.get(pending.PENDING)
    return wizard.NewBranchState.from_dict(raw) if raw and raw.get("kind") == "newbranch" else None


async def on_newbranch_confirm(update: Update, context: BotContext) -> None:
    """确认创建 (create it now), 修改 (start again from the first step) or 取消, under the summary."""
    query = update.callback_query
    state = _newbranch_state(context)
    if state is None or state.step is not None:  # created or cancelled already (a double tap), or forged
        await query.answer(STALE, show_alert=True)
        return
    await query.answer()
    await edit_markup(query, None)
    chat_id = query.message.chat.id if query.message else query.from_user.id
    if query.data == "nb:redo":
        await _newbranch_next(update, context, wizard.NewBranchState(), chat_id)
        return
    await pending.clear(context)
    if query.data != "nb:ok":
        await context.bot.send_message(chat_id, wizard.CANCELLED)
        return
    values = {"units": None, **state.values}  # org_name, name, form, formal_members, units
    created = await context.services.branches.create(**values, created_by=query.from_user.id)
    await context.bot.send_message(chat_id, _invitation_text(context, created), parse_mode=ParseMode.HTML)


def _invitation_text(context: BotContext, created, *, head: str = "已创建") -> str:
    link = deep_link(context.bot.username, created.code)
    branch = created.branch
    warnings = profile_warnings(branch.form, branch.formal_members, branch.units)
    lines = [
        f"{head}：{escape(branch.name)}（编号 {branch.id}）",
        f"邀请码：<code>{created.code}</code>",
        f"邀请链接（7天内有效，仅限一次）：{escape(link or '')}",
        "请把链接发给该支部书记，点击即可绑定。",
    ]
    if branch.secretary_user_id is not None:
        who = escape(branch.secretary_name or str(branch.secretary_user_id))
        lines += [
            "",
            f"⚠️ 该支部现任书记是{who}。其他人打开这个链接后将成为新书记，{who}将不再担任该支部书记"
            "（届时会通知本人）；之前的邀请链接已作废。",
        ]
    if warnings:
        lines += ["", "⚠️ 对照讲话要求："] + [f"• {escape(w)}" for w in warnings]
    return "\n".join(lines)


@pending.on("newbranch")
async def _newbranch_text(update: Update, context: BotContext, raw: dict) -> None:
    state = wizard.NewBranchState.from_dict(raw)
    if state is None:
        await pending.clear(context)
        return
    if state.step == "form" and (typed := wizard.take_form(state, incoming_text(update).strip())) is None:
        await update.effective_message.reply_text(wizard.CHOOSE_FORM, reply_markup=form_keyboard("nb:form"))
        return
    if state.step == "form":  # the label typed (联合建) chooses as the button does
        await _newbranch_next(update, context, typed, update.effective_chat.id)
        return
    if state.step is None:
        await update.effective_message.reply_text(wizard.CONFIRM_FIRST, reply_markup=CONFIRM_KEYBOARD)
        return
    try:
        state = wizard.take_text(state, incoming_text(update))
    except ValueError as exc:
        await update.effective_message.reply_text(f"⚠️ {exc}\n{RETRY}")
        return
    await _newbranch_next(update, context, state, update.effective_chat.id)


async def on_newbranch_form(update: Update, context: BotContext) -> None:
    query = update.callback_query
    state = _newbranch_state(context)
    chosen = wizard.take_form(state, (query.data or "")[8:]) if state is not None else None
    if chosen is None:
        await query.answer(STALE, show_alert=True)
        return
    await query.answer()
    await _newbranch_next(update, context, chosen, query.message.chat.id)


async def invite(update: Update, context: BotContext) -> None:
    """/invite <branch id>: a new invitation (replaces the old ones; the next to open it becomes secretary)."""
    if not _is_admin(update, context):
        await update.effective_message.reply_text("只有上级党委管理员可以生成邀请链接。")
        return
    branch_id = parse_typed_id(context.args[0]) if context.args else None
    if branch_id is None:
        await update.effective_message.reply_text("用法：/invite 支部编号（编号见 /branches）")
        return
    try:
        created = await context.services.branches.invite(branch_id, created_by=update.effective_user.id)
    except BranchClosedError as exc:
        await update.effective_message.reply_text(
            f"“{exc.name}”（编号 {branch_id}）已撤销，不能生成邀请链接。"
            f"如需恢复该支部，请先发送 /reopenbranch {branch_id}。"
        )
        return
    if created is None:
        await update.effective_message.reply_text("没有这个编号的支部。发送 /branches 查看全部支部。")
        return
    await update.effective_message.reply_text(
        _invitation_text(context, created, head="已生成新的邀请链接"), parse_mode=ParseMode.HTML
    )


async def branches(update: Update, context: BotContext) -> None:
    if not _is_admin(update, context):
        await update.effective_message.reply_text("只有上级党委管理员可以查看全部支部。")
        return
    rows = await context.services.branches.list_all()
    if not rows:
        await update.effective_message.reply_text("还没有支部。发送 /newbranch 新建。")
        return
    tz = context.services.clock.tz
    for text in split_messages([branch_line(b, tz) for b in rows]):  # whole lines, every branch
        await update.effective_message.reply_text(text)


def register(application: Application) -> None:
    application.add_handler(command("newbranch", newbranch))
    application.add_handler(command("invite", invite))
    application.add_handler(command("branches", branches))
    application.add_handler(command("branch", branch))
    application.add_handler(CallbackQueryHandler(on_branch_button, pattern=r"^b:"))
    application.add_handler(CallbackQueryHandler(on_newbranch_form, pattern=r"^nb:form:"))
    application.add_handler(CallbackQueryHandler(on_newbranch_confirm, pattern=r"^nb:(ok|redo|no)$"))
