"""/reminders, the reminder buttons, and the job that wakes the planner and the sender.

- ``/reminders``: what is due this month, quarter and year (done / missing / muted with the reason) and when the
  next reminder comes; buttons to pick the hour, to mute a kind (the reason is typed next, a pending input) for
  this period or until unmuted, and to unmute it.
- A reminder's kind button (``rm:new:<kind>``) opens /submit with that kind chosen (``FormService.start_with``).
- :class:`ReminderRunner`: every minute PTB's JobQueue calls :func:`reminder_job`, which starts one
  plan-and-send run unless the previous one is still going (a 10,000-branch broadcast outlasts a minute). The
  state lives in the database; the job only wakes the planner and the sender, so a missed or skipped tick loses
  nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler

from handlers.services import Services
from handlers.services.reminders import Messenger, MuteScope, SenderOptions, SendReport
from handlers.tg import pending
from handlers.tg.callbacks import REMINDER_PREFIX, STALE, ReminderButton, decode_reminder
from handlers.tg.context import BotContext
from handlers.tg.edit import edit_text
from handlers.tg.guards import NO_BRANCH, command, incoming_text
from handlers.tg.render_dead import dead_html
from handlers.tg.render_form import form_markup, form_text
from handlers.tg.render_reminders import (
    button,
    hours_markup,
    muted_text,
    scope_markup,
    scope_text,
    status_html,
    status_markup,
)
from knowledge.activities import activity_by_code, period_of
from knowledge.schedule import local

log = logging.getLogger(__name__)

RUNNER_KEY = "reminder_runner"
JOB_NAME = "reminders"
TICK_SECONDS = 60.0
FIRST_TICK_SECONDS = 10.0  # the first run soon after start: what fell due while the bot was down goes out
DEAD_SHOWN = 20
ASK_REASON = "请发送免提醒的原因（2到100字，例如“与某单位党支部联合开展”）；发送 /cancel 取消："


# -- /reminders -------------------------------------------------------------------------------------------------


async def _status_view(context: BotContext, user_id: int):
    status = await context.services.reminders.status(user_id)
    if status is None:
        return None
    clock = context.services.clock
    return status_html(status, clock.tz, clock.now().astimezone(clock.tz).date()), status_markup(status)


async def reminders(update: Update, context: BotContext) -> None:
    """A secretary's dues and settings; for an administrator (no branch of their own), the failed deliveries."""
    user_id = update.effective_user.id
    view = await _status_view(context, user_id)
    if view is None and user_id in context.services.admin_ids:
        dead = await context.services.reminders.dead(limit=DEAD_SHOWN)
        names = {user_id: f"{update.effective_user.full_name}（您）"}
        await update.effective_message.reply_text(
            dead_html(dead, context.services.clock.tz, names), parse_mode=ParseMode.HTML
        )
        return
    if view is None:
        await update.effective_message.reply_text(NO_BRANCH)
        return
    text, markup = view
    await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def _show(query, context: BotContext, text: str, markup, *, in_place: bool = True) -> None:
    """In place when the message can still be edited (and ``in_place``), else as a new message."""
    if in_place and isinstance(query.message, Message):
        await edit_text(query, text, parse_mode=ParseMode.HTML, reply_markup=markup)
    else:
        await context.bot.send_message(
            query.from_user.id, text, parse_mode=ParseMode.HTML, reply_markup=markup
        )


async def on_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    action = decode_reminder(query.data or "")
    if action is None:
        await query.answer(STALE, show_alert=True)
        return
    user_id = query.from_user.id
    if action.act == "new":
        await _open_form(query, context, user_id, action.kind, action.period)
        return
    if action.act in ("hours", "mute"):
        await _ask(query, context, user_id, action)
        return
    services = context.services.reminders
    toast = None
    if action.act == "hour":
        if await services.set_hour(user_id, action.hour) is None:
            await query.answer(NO_BRANCH, show_alert=True)
            return
        toast = f"提醒时间已改为 {action.hour:02d}:00"
    elif action.act == "unmute":
        done = await services.unmute(user_id, action.kind)
        if done is None:
            await query.answer(NO_BRANCH, show_alert=True)
            return
        toast = "已恢复提醒。" if done else "这项本来就会提醒。"
    view = await _status_view(context, user_id)
    if view is None:
        await query.answer(NO_BRANCH, show_alert=True)
        return
    await query.answer(toast)
    await _show(query, context, *view, in_place=action.act != "settings")


async def _open_form(query, context: BotContext, user_id: int, kind: str, period: str | None = None) -> None:
    await pending.clear(context)  # a reason left unanswered must not swallow the form's input
    reply = await context.services.forms.start_with(user_id, kind, period=period)
    await query.answer()
    chat_id = query.message.chat.id if query.message is not None else user_id
    await context.bot.send_message(chat_id, form_text(reply), reply_markup=form_markup(reply))


async def _ask(query, context: BotContext, user_id: int, action: ReminderButton) -> None:
    """The hour picker, the choice of a mute's scope, or (scope chosen) the question for the reason."""
    status = await context.services.reminders.status(user_id)
    if status is None:
        await query.answer(NO_BRANCH, show_alert=True)
        return
    await query.answer()
    if action.act == "hours":
        await _show(
            query, context, "🕘 <b>提醒时间</b>\n请选择每次提醒的发送时间：", hours_markup(status.hour)
        )
        return
    ak = activity_by_code(action.kind)
    period = period_of(ak.cadence, local(context.services.clock.now(), context.services.schedule).date())
    if action.scope is None:
        await _show(query, context, scope_text(ak.name, period.label), scope_markup(ak.code, period.label))
        return
    await pending.expect(context, "reminder_mute", activity=ak.code, scope=str(action.scope))
    chat_id = query.message.chat.id if query.message is not None else user_id
    await context.bot.send_message(chat_id, f"免提醒：{ak.name}\n{ASK_REASON}")


@pending.on("reminder_mute")
async def _mute_reason(update: Update, context: BotContext, state: dict) -> None:
    try:
        muted = await context.services.reminders.mute(
            update.effective_user.id, state.get("activity", ""), incoming_text(update), state.get("scope", "")
        )
    except ValueError as exc:
        if activity_by_code(state.get("activity", "")) is None or state.get("scope") not in set(MuteScope):
            await pending.clear(context)
        await update.effective_message.reply_text(f"⚠️ {exc}（发送 /cancel 取消）")
        return
    await pending.clear(context)
    if muted is None:
        await update.effective_message.reply_text(NO_BRANCH)
        return
    await update.effective_message.reply_text(
        muted_text(muted.name, muted.reason, muted.period_label),
        parse_mode=ParseMode.HTML,
        reply_markup=InlineKeyboardMarkup([[button("⚙️ 返回提醒设置", ReminderButton("menu"))]]),
    )


def register(application: Application) -> None:
    application.add_handler(command("reminders", reminders))
    application.add_handler(CallbackQueryHandler(on_button, pattern=f"^{REMINDER_PREFIX}"))


# -- the job ----------------------------------------------------------------------------------------------------


class ReminderRunner:
    """Plan and send, one run at a time; what was done lives in the database, not here."""

    def __init__(
        self,
        services: Services,
        messenger: Messenger,
        *,
        rate: float,
        options: SenderOptions | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.services = services
        self.sender = services.reminder_sender(messenger, options=options, worker_id=worker_id)
        self.rate = rate
        self.task: asyncio.Task[SendReport | None] | None = None
        self.skipped_ticks = 0

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    async def run_once(self, at: datetime | None = None) -> SendReport:
        """Plan what is due at ``at`` (default now) and deliver it; returns when nothing more is due."""
        at = at if at is not None else self.services.clock.now()
        planned = await self.services.planner.plan(at)
        if planned:
            log.info("reminders: %d deliveries planned", len(planned))
        report = await self.sender.send_due(at, self.rate)
        if report.sent or report.failed or report.retrying:
            log.info(
                "reminders: sent %d, failed %d, skipped %d, retrying %d (%.1f msg/s)",
                report.sent,
                report.failed,
                report.skipped,
                report.retrying,
                report.rate_achieved,
            )
        return report

    def wake(self) -> bool:
        """Start a run unless one is going; False when this tick is skipped."""
        if self.running:
            self.skipped_ticks += 1
            log.debug("reminders: the previous run is still going; this tick is skipped")
            return False
        self.task = asyncio.create_task(self._run_logged(), name="reminders")
        return True

    async def _run_logged(self) -> SendReport | None:
        try:
            return await self.run_once()
        except asyncio.CancelledError:
            raise
        except Exception:  # the next tick tries again; the rows are in the database
            log.exception("reminders: the run failed")
            return None

    async def stop(self) -> None:
        """Stop a running broadcast: messages in flight finish and are recorded, claimed ones go back."""
        task, self.task = self.task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def reminder_job(context: BotContext) -> None:
    runner: ReminderRunner | None = context.bot_data.get(RUNNER_KEY)
    if runner is not None:
        runner.wake()


def schedule(application: Application, runner: ReminderRunner) -> None:
    """Keep ``runner`` in ``bot_data`` and wake it every minute, the first time soon after start."""
    application.bot_data[RUNNER_KEY] = runner
    application.job_queue.run_repeating(
        reminder_job, interval=TICK_SECONDS, first=FIRST_TICK_SECONDS, name=JOB_NAME
    )


async def stop(application: Application) -> None:
    runner: ReminderRunner | None = application.bot_data.get(RUNNER_KEY)
    if runner is not None:
        await runner.stop()
