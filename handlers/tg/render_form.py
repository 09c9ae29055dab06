"""The form's replies in Telegram: button rows as inline keyboards, notices and skip hints in commands."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.services.form.model import Notice, Reply
from handlers.tg.callbacks import encode_form

NOTICES = {
    Notice.HOW_TO_START: "发送 /submit 开始填写活动记录。",
    Notice.DRAFT_GONE: "请发送 /submit 重新开始。",
    Notice.CANCELLED: "需要时可发送 /submit 重新填写。",
    Notice.BROKEN: "请发送 /cancel 后重新开始。",
    Notice.HOW_TO_VIEW: "发送 /records 可查看本支部的活动记录；24小时内可撤回。",
    Notice.HOW_TO_RESUME: "请发送 /submit 并点击“继续填写”，填到这一步时再发送。",
    Notice.ASK_LATER: "\n（如要问政策问题，可先填完或发送 /cancel 取消表单后再问。）",
    Notice.NOT_A_PERSON: "",
}


def form_text(reply: Reply) -> str:
    text = reply.text
    if reply.skip_hint:
        text += f"\n{reply.skip_hint}可发送 /skip。"
    if reply.notice is not None:
        text += NOTICES[reply.notice]
    return text


def form_markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=encode_form(action)) for label, action in row]
            for row in reply.buttons
        ]
    )
