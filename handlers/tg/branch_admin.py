"""Administrators' branch corrections: /unbind (the secretary left), /renamebranch, /closebranch (撤销, asked first
with a button) and /reopenbranch. The use cases are ``handlers.services.branch_admin``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import tzinfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler

from handlers.services.branch_admin import Closed, Unbound
from handlers.services.branches import branch_line, closed_on
from handlers.tg.callbacks import (
    BRANCH_ADMIN_PREFIX,
    STALE,
    BranchAdminButton,
    decode_branch_admin,
    encode_branch_admin,
    parse_typed_id,
)
from handlers.tg.context import BotContext
from handlers.tg.edit import edit_markup, edit_text
from handlers.tg.guards import command, incoming_text
from handlers.tg.invitations import REPLACED_DRAFT, tell

ADMINS_ONLY = "只有上级党委管理员可以使用这个命令。"
UNKNOWN = "没有这个编号的支部。发送 /branches 查看全部支部。"
USAGE = {
    "unbind": "用法：/unbind 支部编号（编号见 /branches）\n解除该支部现任书记的绑定，例如书记已离职。",
    "closebranch": "用法：/closebranch 支部编号（编号见 /branches）\n撤销已不存在的支部，已登记的记录仍保留。",
    "reopenbranch": "用法：/reopenbranch 支部编号（编号见 /branches）\n恢复已撤销的支部。",
    "renamebranch": (
        "用法：/renamebranch 支部编号 新的支部名称（编号见 /branches）\n例如：/renamebranch 3 第一党支部\n"
        "更正单位名称：/renamebranch 支部编号 单位 新的单位名称"
    ),
}
CANCELLED = "已取消，没有做任何改动。"
ORG_WORD = re.compile(r"单位(?:名称)?(?:\s*[:：]\s*|\s+)(\S.*)", re.DOTALL)
SAME_NAME = "⚠️ 已有同名的支部："
SAME_NAME_HINT = (
    "如是不同单位的同名支部，可以忽略；如是重复建立的，可发送 /closebranch 支部编号 撤销多余的一个。"
)
SAME_NAME_NEW = "如是不同单位的同名支部，可以继续创建；如是同一个支部，请点“取消”，不要重复新建。"


def _label(branch) -> str:
    return f"“{branch.name}”（编号 {branch.id}）"


def _who(secretary: tuple[int, str | None]) -> str:
    user_id, name = secretary
    return name or f"用户 {user_id}"


def same_name_lines(others: Sequence, tz: tzinfo | None, hint: str = SAME_NAME_HINT) -> list[str]:
    """The warning about other branches of the same name (empty when there is none): a warning, not a refusal."""
    if not others:
        return []
    return [SAME_NAME, *(f"• {branch_line(b, tz)}" for b in others), hint]


async def _branch_arg(update: Update, context: BotContext, name: str) -> int | None:
    """The branch id typed after the command (full-width digits too), after checking the sender is an
    administrator; None when it is not (the reply is sent)."""
    message = update.effective_message
    if update.effective_user.id not in context.services.admin_ids:
        await message.reply_text(ADMINS_ONLY)
        return None
    branch_id = parse_typed_id(context.args[0]) if context.args else None
    if branch_id is None:
        await message.reply_text(USAGE[name])
    return branch_id


def _keyboard(confirm: str, button: BranchAdminButton) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(confirm, callback_data=encode_branch_admin(button))],
            [InlineKeyboardButton("取消", callback_data=encode_branch_admin(BranchAdminButton("no")))],
        ]
    )


async def unbind(update: Update, context: BotContext) -> None:
    """/unbind 支部编号: asks before the secretary loses the post."""
    if (branch_id := await _branch_arg(update, context, "unbind")) is None:
        return
    branch, message = await context.services.branch_admin.get(branch_id), update.effective_message
    if branch is None:
        await message.reply_text(UNKNOWN)
    elif branch.closed_at is not None:
        await message.reply_text(f"{_label(branch)}已撤销，没有书记，无需解除。")
    elif branch.secretary_user_id is None:
        await message.reply_text(
            f"{_label(branch)}目前没有书记，无需解除。可发送 /invite {branch.id} 生成邀请链接。"
        )
    else:
        who = _who((branch.secretary_user_id, branch.secretary_name))
        text = (
            f"确定解除{who}担任的{_label(branch)}书记吗？\n解除后：\n"
            "• 支部信息和已登记的活动记录全部保留；\n"
            f"• {who}不能再登记、查看或修改本支部的记录，本支部的提醒也不再发给其本人；\n"
            "• 新书记通过邀请链接加入之前，本支部没有书记。"
        )
        button = BranchAdminButton("unbind", branch.id, branch.secretary_user_id)
        await message.reply_text(text, reply_markup=_keyboard("确认解除", button))


async def closebranch(update: Update, context: BotContext) -> None:
    """/closebranch 支部编号: asks before the branch is closed."""
    if (branch_id := await _branch_arg(update, context, "closebranch")) is None:
        return
    branch, message = await context.services.branch_admin.get(branch_id), update.effective_message
    if branch is None:
        await message.reply_text(UNKNOWN)
        return
    if (closed := closed_on(branch, context.services.clock.tz)) is not None:
        await message.reply_text(
            f"{_label(branch)}已于 {closed.isoformat()} 撤销。如需恢复，请发送 /reopenbranch {branch.id}。"
        )
        return
    lines = [
        f"确定撤销{branch.org_name} · {_label(branch)}吗？\n撤销后：",
        "• 已登记的活动记录保留，以往各期的完成情况和导出的台账不变；",
        "• 从本月、本季度、本年度起不再统计其完成情况，不再发送提醒，也不列入管理员的月度汇总；",
    ]
    if branch.secretary_user_id is not None:
        who = _who((branch.secretary_user_id, branch.secretary_name))
        lines.append(f"• 书记{who}将被解除绑定（届时会通知本人）；")
    lines += ["• 尚未使用的邀请链接作废。", f"如以后需要恢复，可发送 /reopenbranch {branch.id}。"]
    button = BranchAdminButton("close", branch.id)
    await message.reply_text("\n".join(lines), reply_markup=_keyboard("确认撤销", button))


async def on_button(update: Update, context: BotContext) -> None:
    """确认解除 / 确认撤销 / 取消, under the question."""
    query = update.callback_query
    button = decode_branch_admin(query.data or "")
    if button is None or query.from_user.id not in context.services.admin_ids:
        await query.answer(STALE if button is None else ADMINS_ONLY, show_alert=True)
        return
    await query.answer()
    await edit_markup(query, None)
    if button.act == "no":
        await edit_text(query, CANCELLED)
    elif button.act == "unbind":
        result = await context.services.branch_admin.unbind(button.branch_id, button.user_id)
        await edit_text(query, _unbound_text(result))
        if result.status == "ok":
            await _tell_unbound(context, result)
    else:
        result = await context.services.branch_admin.close(button.branch_id)
        await edit_text(query, _closed_text(result, context))
        if result.status == "ok" and result.secretary is not None:
            text = f"上级党委管理员已撤销“{result.branch.name}”，您不再担任该支部书记，也不会再收到该支部的提醒。"
            await tell(context.bot, [result.secretary[0]], text + _draft_and_contact(result.draft))


def _draft_and_contact(draft: bool) -> str:
    return (REPLACED_DRAFT if draft else "") + "如有疑问，请联系上级党委管理员。"


async def _tell_unbound(context: BotContext, result: Unbound) -> None:
    """The former secretary hears of it at once (best effort: ``tell`` logs a failed send)."""
    text = (
        f"上级党委管理员已解除您担任的“{result.branch.name}”书记，您不再担任该支部书记，"
        "也不会再收到该支部的提醒。"
    )
    await tell(context.bot, [result.secretary[0]], text + _draft_and_contact(result.draft))


def _unbound_text(result: Unbound) -> str:
    branch = result.branch
    if result.status == "unknown":
        return UNKNOWN
    if result.status == "closed":
        return f"{_label(branch)}已撤销，没有书记，无需解除。"
    if result.status == "no_secretary":
        return f"{_label(branch)}目前没有书记，无需解除。可发送 /invite {branch.id} 生成邀请链接。"
    if result.status == "changed":
        return f"{_label(branch)}的书记已有变动（现为{_who(result.secretary)}），没有解除。如仍需解除，请重新发送 /unbind {branch.id}。"
    return (
        f"已解除{_who(result.secretary)}担任的{_label(branch)}书记，支部信息和活动记录均已保留，已通知本人。\n"
        f"下一步：发送 /invite {branch.id} 生成新的邀请链接，发给新书记；新书记打开链接后即可绑定。"
    )


def _closed_text(result: Closed, context: BotContext) -> str:
    branch = result.branch
    if result.status == "unknown":
        return UNKNOWN
    if result.status == "already":
        closed = closed_on(branch, context.services.clock.tz)
        return f"{_label(branch)}已于 {closed.isoformat()} 撤销。如需恢复，请发送 /reopenbranch {branch.id}。"
    lines = [f"已撤销{_label(branch)}。已登记的活动记录仍保留，以往各期的完成情况不变。"]
    if result.secretary is not None:
        lines.append(f"原书记{_who(result.secretary)}已解除绑定，已通知本人。")
    if result.revoked:
        lines.append("尚未使用的邀请链接已作废。")
    lines.append(f"如需恢复，请发送 /reopenbranch {branch.id}。")
    return "\n".join(lines)


async def reopenbranch(update: Update, context: BotContext) -> None:
    """/reopenbranch 支部编号: the branch counts again, without a secretary until one is invited."""
    if (branch_id := await _branch_arg(update, context, "reopenbranch")) is None:
        return
    result = await context.services.branch_admin.reopen(branch_id)
    message = update.effective_message
    if result.status == "unknown":
        await message.reply_text(UNKNOWN)
    elif result.status == "already":
        await message.reply_text(f"{_label(result.branch)}没有撤销，无需恢复。")
    else:
        branch = result.branch
        await message.reply_text(
            f"已恢复{_label(branch)}，自本期起重新统计其完成情况并发送提醒（撤销期间已结束的各期不计应完成）。"
            f"该支部目前没有书记，请发送 /invite {branch.id} 生成邀请链接，发给书记。"
        )


async def renamebranch(update: Update, context: BotContext) -> None:
    """/renamebranch 支部编号 新名称: a correction; another branch of the same name is warned of, not refused."""
    if (branch_id := await _branch_arg(update, context, "renamebranch")) is None:
        return
    message = update.effective_message
    parts = incoming_text(update).split(maxsplit=2)
    if len(parts) < 3 or parts[2] in ("单位", "单位名称"):
        await message.reply_text(USAGE["renamebranch"])
        return
    field, text = "name", parts[2]
    if (unit := ORG_WORD.fullmatch(text)) is not None:  # /renamebranch 3 单位 某某公司: the unit's name
        field, text = "org_name", unit.group(1)
    try:
        result = await context.services.branch_admin.rename(branch_id, text, field)
    except ValueError as exc:
        await message.reply_text(f"⚠️ {exc}\n{USAGE['renamebranch']}")
        return
    if result.status == "unknown":
        await message.reply_text(UNKNOWN)
        return
    branch = result.branch
    what, new = ("名称", branch.name) if field == "name" else ("单位名称", branch.org_name)
    if result.status == "same":
        await message.reply_text(f"支部 {branch.id} 的{what}已经是“{new}”，没有改动。")
        return
    lines = [f"已将支部 {branch.id} 的{what}由“{result.old}”改为“{new}”。"]
    warning = same_name_lines(result.same_name, context.services.clock.tz)
    await message.reply_text("\n".join(lines + ([""] + warning if warning else [])))
    if branch.secretary_user_id is not None:
        text = f"上级党委管理员已将本支部{what}由“{result.old}”更正为“{new}”。发送 /branch 查看支部信息。"
        await tell(context.bot, [branch.secretary_user_id], text)


def register(application: Application) -> None:
    application.add_handler(command("unbind", unbind))
    application.add_handler(command("closebranch", closebranch))
    application.add_handler(command("reopenbranch", reopenbranch))
    application.add_handler(command("renamebranch", renamebranch))
    application.add_handler(CallbackQueryHandler(on_button, pattern=f"^{BRANCH_ADMIN_PREFIX}"))
