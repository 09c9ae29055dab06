"""The review loop in chat: a stored record reaches its reviewers with 通过 / 退回; 退回 asks for a comment;
the secretary is told (and amends from that message, see ``records``); 通过 tells the secretary too."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import Bot, CallbackQuery, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler

from handlers.services import Services
from handlers.services.review import MAX_COMMENT, Notify, ReviewResult
from handlers.tg import pending
from handlers.tg.callbacks import REVIEW_PREFIX, STALE, decode_review
from handlers.tg.context import SERVICES_KEY, BotContext
from handlers.tg.edit import drop_buttons, edit_markup
from handlers.tg.evidence import send_evidence
from handlers.tg.guards import incoming_text, user_name
from handlers.tg.records import stored_copy
from handlers.tg.render_records import describe
from handlers.tg.render_review import (
    COMMENT_TOO_LONG,
    MISSING,
    RESULT_ALERTS,
    SPENT,
    done_text,
    notice_keyboard,
    notice_text,
    reopen_keyboard,
    result_alert,
    review_keyboard,
)

log = logging.getLogger(__name__)
HOOKED = "review_hook_installed"


async def send_notices(bot: Bot, notices: Iterable[Notify]) -> int:
    """Send each notice; a user who blocked the bot (or never started it) is logged and skipped."""
    sent = 0
    for notify in notices:
        try:
            await bot.send_message(
                notify.user_id,
                notice_text(notify),
                parse_mode=ParseMode.HTML,
                reply_markup=notice_keyboard(notify),
            )
            sent += 1
        except TelegramError as exc:
            log.warning(
                "could not tell user %s about record %s: %s", notify.user_id, notify.record.record_id, exc
            )
    return sent


async def notify_resubmitted(
    bot: Bot, services: Services, record_id: int, reviewers: list[int], was: str | None = None
) -> None:
    """After an amendment put a returned (``was``) or passed record back to review: tell its reviewers again,
    saying which of the two it was."""
    notices = await services.review.new_record_notice(record_id)
    if not notices:
        return
    info = notices[0].record
    event = "passed_amended" if was == "passed" else "resubmitted"
    await send_notices(bot, [Notify(user_id, event, info) for user_id in reviewers])


def install_hook(application: Application) -> None:
    """Register the on_stored hook once: every stored record reaches the administrators and its supervisors."""
    services: Services | None = application.bot_data.get(SERVICES_KEY)
    if services is None or application.bot_data.get(HOOKED):
        return
    application.bot_data[HOOKED] = True

    async def on_stored(record_id: int) -> None:
        await send_notices(application.bot, await services.review.new_record_notice(record_id))

    services.forms.on_stored.append(on_stored)


async def on_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    decoded = decode_review(query.data or "")
    if decoded is None:
        await query.answer(STALE, show_alert=True)
        return
    act, record_id = decoded
    chat_id = query.message.chat.id if query.message else query.from_user.id
    if act == "pass":
        await _pass(update, context, chat_id, record_id)
    elif act == "ret":
        await _ask_comment(update, context, chat_id, record_id)
    else:
        await _open(update, context, chat_id, record_id)


async def _refuse(query: CallbackQuery, context: BotContext, result: ReviewResult) -> None:
    """Say why the review did not happen; buttons of a record that no longer waits for review go."""
    await query.answer(result_alert(result, context.services.clock.tz), show_alert=True)
    if result.status in SPENT:
        await edit_markup(query, None)


async def _pass(update: Update, context: BotContext, chat_id: int, record_id: int) -> None:
    query = update.callback_query
    result = await context.services.review.pass_record(query.from_user.id, record_id, name=user_name(update))
    if result.status != "ok":
        await _refuse(query, context, result)
        return
    await query.answer("已通过。")
    await edit_markup(query, None)
    # An administrator may take a pass back at once: 退回更正 (``review_reopen``).
    undo = reopen_keyboard(record_id) if query.from_user.id in context.services.admin_ids else None
    try:
        await context.bot.send_message(
            chat_id, done_text(result), parse_mode=ParseMode.HTML, reply_markup=undo
        )
    finally:  # the secretary is told even when the reviewer's own line fails (helper-84's review)
        await send_notices(context.bot, result.notify)


async def _ask_comment(update: Update, context: BotContext, chat_id: int, record_id: int) -> None:
    """退回 asks for a comment only while the record waits for review (the comment's arrival checks again)."""
    query = update.callback_query
    result = await context.services.review.may_return(query.from_user.id, record_id)
    if result.status != "ok" or result.record is None:
        await _refuse(query, context, result)
        return
    await query.answer()
    origin = query.message.message_id if query.message else None  # its buttons go once the record moves
    dropped = await pending.leave(context)
    number = result.record.number
    await pending.expect(context, "review_return", record_id=record_id, origin=origin, number=number)
    await context.bot.send_message(
        chat_id,
        replaced_note(dropped, record_id)
        + f"请填写退回意见，说明需要修改什么（2至500字，发送 /cancel 取消）：\n记录编号：{number}",
    )


def replaced_note(dropped: dict | None, record_id: int, kind: str = "review_return") -> str:
    """What the new question (``kind`` of ``record_id``) replaced, nothing when it asked the same again: another
    record's return still without its comment, a change half-entered, another input the bot was waiting for."""
    if not dropped or (dropped.get("kind") == kind and dropped.get("record_id") == record_id):
        return ""
    note = pending.dropped_note(dropped)
    return f"{note}\n\n" if note else ""


async def _open(update: Update, context: BotContext, chat_id: int, record_id: int) -> None:
    query = update.callback_query
    view = await context.services.review.open(query.from_user.id, record_id)
    if view is None:
        await query.answer(MISSING, show_alert=True)
        return
    await query.answer()
    if (
        view.record.status != "active"
    ):  # withdrawn: the notice's 通过 / 退回 are spent, as after a refused press
        await edit_markup(query, None)
    copies = stored_copy(context, query.from_user.id)  # the photos are what a reviewer checks most
    await send_evidence(context.bot, chat_id, view.files, *copies)
    markup = review_keyboard(record_id) if view.reviewable else None
    passed = view.review_state == "passed" and view.record.status == "active"
    if passed and query.from_user.id in context.services.admin_ids:
        markup = reopen_keyboard(record_id)  # 退回更正 (``review_reopen``)
    await context.bot.send_message(chat_id, describe(view, context.services.clock.tz), reply_markup=markup)


@pending.on("review_return")
async def _return_comment(update: Update, context: BotContext, state: dict) -> None:
    """The comment: the record is returned only if it still waits for review (a pass meanwhile stands)."""
    text = incoming_text(update)
    result = await context.services.review.return_record(
        update.effective_user.id, state["record_id"], text, name=user_name(update)
    )
    message = update.effective_message
    if result.status == "comment_required":
        too_long = len(text) > MAX_COMMENT
        await message.reply_text(
            COMMENT_TOO_LONG.format(len(text)) if too_long else RESULT_ALERTS["comment_required"]
        )
        return
    await pending.clear(context)
    if result.status == "ok" or result.status in SPENT:
        origin = state.get("origin")
        if isinstance(origin, int):
            await drop_buttons(context.bot, message.chat.id, origin)
    if result.status != "ok":
        await message.reply_text(result_alert(result, context.services.clock.tz))
        return
    try:
        await message.reply_text(done_text(result), parse_mode=ParseMode.HTML)
    finally:  # the secretary is told even when the reviewer's own line fails (helper-84's review)
        await send_notices(context.bot, result.notify)


def register(application: Application) -> None:
    install_hook(application)
    # 退回更正 (rv:reopen:) is ``review_reopen``'s.
    application.add_handler(CallbackQueryHandler(on_button, pattern=f"^{REVIEW_PREFIX}(?!reopen:)"))
