"""Short follow-up inputs (a new value, a reason, a /newbranch step) that a button asks for, kept in ``user_data``.

Runs before the form and Q&A (group -2): when the user owes an answer, their next text goes to whoever asked,
unless another command came first (it drops the follow-up, except /newbranch's steps: ``register_drop``) and
within ``PENDING_TIMEOUT`` (the form's): a text an hour later is not taken as the new topic of a record asked
for long ago; the user is told it was not saved (it may be a return comment typed late), and asks again. Every change is written through to the persistence at once (PTB's own writes come every 5 s), so a follow-up
or a half-done /newbranch survives the process dying right after the reply.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import datetime

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, MessageHandler, filters

from handlers.services.form.model import FORM_TIMEOUT
from handlers.tg.context import BotContext
from handlers.tg.guards import command
from handlers.tg.render_records import unsaved_note

PENDING = "pending"
PENDING_TIMEOUT = FORM_TIMEOUT
Handler = Callable[[Update, BotContext, dict], Awaitable[None]]
_HANDLERS: dict[str, Handler] = {}
_SKIP_HANDLERS: dict[str, Handler] = {}  # /skip while the follow-up is awaited (a record's change)


async def _write_through(context: BotContext) -> None:
    persistence = context.application.persistence
    if persistence is not None and context._user_id is not None:
        await persistence.update_user_data(context._user_id, context.user_data)


async def expect(context: BotContext, kind: str, **state: object) -> None:
    asked = context.services.clock.now().isoformat()
    context.user_data[PENDING] = {"kind": kind, **state, "asked_at": asked}
    await _write_through(context)


EXPIRED = "刚才等待您输入的内容已超过30分钟，没有保存。如需继续，请重新点击对应的按钮。"


def expired(context: BotContext, state: dict) -> bool:
    """Asked longer than ``PENDING_TIMEOUT`` ago (a state kept from before this rule has no time: not expired)."""
    try:
        asked = datetime.fromisoformat(str(state["asked_at"]))
    except (KeyError, ValueError):
        return False
    return context.services.clock.now() - asked > PENDING_TIMEOUT


async def clear(context: BotContext) -> None:
    if context.user_data.pop(PENDING, None) is not None:
        await _write_through(context)


async def leave(context: BotContext) -> dict | None:
    """The user went back to the form (/submit, a form button): the follow-up is dropped, so the form's next
    answer is not taken for it. The dropped state, unless it had expired (then there is nothing to tell)."""
    state = context.user_data.get(PENDING)
    await clear(context)
    return state if state and not expired(context, state) else None


# What a follow-up dropped for another question (a form button, another record's 退回) leaves undone.
_DROPPED = {
    "reminder_mute": "免提醒的原因还没有填写，已取消，提醒照常。",
    "branch_edit": "支部信息的修改还没有填写，已取消。",
    "newbranch": "新建支部还没有完成，已取消；需要时请重新发送 /newbranch。",
}
# A record's change with nothing entered yet, dropped by a command (a form button drops it without a word: the
# user is back at the form they chose): helper-104's re-review found it silent.
_DROPPED_BY_COMMAND = {
    "amend": "记录的修改还没有填写，已取消，记录没有改动。",
    "amend_photos": "照片还没有发送，已取消，记录没有改动。",
}


def dropped_note(state: dict | None) -> str | None:
    """One line on a dropped follow-up (from :func:`leave`), or None for a kind that needs none; a record's change
    half-entered names its field (``render_records.unsaved_note``)."""
    if not state:
        return None
    if (unsaved := unsaved_note(state)) is not None:
        return unsaved
    if state.get("kind") in ("review_return", "review_reopen"):
        number = state.get("number")
        other = f"记录编号 {number} " if number else "上一条记录"
        if state["kind"] == "review_reopen":
            return f"{other}的退回更正还没有填写理由，已取消，该记录仍为已通过。"
        return f"{other}的退回还没有填写意见，已取消，该记录仍待审核。"
    return _DROPPED.get(str(state.get("kind")))


async def _drop_for_command(update: Update, context: BotContext) -> None:
    """Another command (or a /skip that is not the input's own) drops the awaited input, said in one line."""
    state = await leave(context)
    note = dropped_note(state) or (_DROPPED_BY_COMMAND.get(str(state.get("kind"))) if state else None)
    if note:
        await update.effective_message.reply_text(note)


def on(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return register


def on_skip(kind: str) -> Callable[[Handler], Handler]:
    """What /skip does while a follow-up of ``kind`` is awaited (without one, /skip goes on to the form)."""

    def register(fn: Handler) -> Handler:
        _SKIP_HANDLERS[kind] = fn
        return fn

    return register


async def _skip(update: Update, context: BotContext) -> None:
    state = context.user_data.get(PENDING)
    if not state:
        return
    if (handler := _SKIP_HANDLERS.get(state.get("kind"))) is None:
        # Not this input's /skip: it drops it as any other command does, then goes on to the form (helper-104's
        # re-review: a return or mute reason kept waiting took the form's next answer).
        await _other_command(update, context)
        return
    if expired(context, state):  # asked long ago: /skip is the form's again
        await clear(context)
        return
    await handler(update, context, state)
    raise ApplicationHandlerStop


async def _dispatch(update: Update, context: BotContext) -> None:
    state = context.user_data.get(PENDING)
    if not state:
        return
    handler = _HANDLERS.get(state.get("kind"))
    if handler is None:
        await clear(context)
        return
    if expired(context, state):  # said, not swallowed: the text may be a return comment typed late
        await clear(context)
        await update.effective_message.reply_text(EXPIRED)
        raise ApplicationHandlerStop
    await handler(update, context, state)
    raise ApplicationHandlerStop


# Kept when another command comes: /newbranch's steps end in a summary to confirm (a stray text creates
# nothing, and /status in the middle says to go on answering: ``status.NO_BRANCHES_CREATING``).
KEPT_THROUGH_COMMANDS = frozenset({"newbranch"})
# The follow-up's own commands (handled in ``register``'s group): they never drop it here (``_skip`` drops an
# input that has no /skip of its own).
_OWN_COMMANDS = r"^/(?:cancel|skip)(?:@\w+)?(?:\s|$)"


async def _other_command(update: Update, context: BotContext) -> None:
    """Any other command drops the awaited input (helper-97's review: 改支部名称, then /reminders,
    then a question typed: the question became the branch's name). Said in one line; the command then runs as
    usual."""
    state = context.user_data.get(PENDING) if context.user_data is not None else None
    if not state or state.get("kind") in KEPT_THROUGH_COMMANDS:
        return
    await _drop_for_command(update, context)


async def _cancel(update: Update, context: BotContext) -> None:
    if context.user_data.get(PENDING):
        await clear(context)
        await update.effective_message.reply_text("已取消。")
        raise ApplicationHandlerStop


def register(application: Application, *, group: int = -2) -> None:
    application.add_handler(command("cancel", _cancel), group=group)
    application.add_handler(command("skip", _skip), group=group)
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, _dispatch
        ),
        group=group,
    )


def register_drop(application: Application, *, group: int = -3) -> None:
    """In a group of its own before ``register``'s (a handler there would keep /start <code> and the others of
    that group from running): a private command other than /cancel and /skip drops the awaited input."""
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE
            & filters.ChatType.PRIVATE
            & filters.COMMAND
            & ~filters.Regex(re.compile(_OWN_COMMANDS, re.IGNORECASE)),
            _other_command,
        ),
        group=group,
    )
