"""``branchbot reminders plan|send``: what the bot's minute job does, from a shell or a timer.

- ``plan [--at ISO-8601] [--json]``: what is due at that moment (default now), nothing written or sent; one line
  per delivery, with ``--json`` one JSON object per line and nothing else on stdout. Each says when it will
  really go (立即发送, 08:00 after the quiet hours, a retry's time (12-31 20:58 重试) for a delivery waiting for
  one, or 不发送 when its period ends in tonight's quiet hours;
  ``send_at`` in JSON, null for the last), and a catch-up digest names the periods it holds.
- ``send [--at ISO-8601] [--rate R]``: plan and deliver what is due at that moment, then exit. Safe beside
  ``branchbot run`` and in two copies on PostgreSQL (rows are claimed with ``FOR UPDATE SKIP LOCKED`` and a
  lease); on SQLite run one sender at a time (set ``BRANCHBOT_REMINDERS=off`` for the bot). A progress line goes to
  stderr every few seconds; the last line on stdout is ``sent S failed F skipped K retrying R rate X msg/s``
  (``retrying``: deliveries left waiting for a retry after a network error or a 5xx). A failure is one Chinese
  line per kind on stderr, with its count, never a traceback (PTB's log of Telegram's HTML error pages is held
  back, except with ``BRANCHBOT_LOG_LEVEL=DEBUG``). Exit status 1 when nothing could be delivered because
  Telegram or the network failed (all left for a retry, or dead); else 0.

A moment without a zone is read in ``BRANCHBOT_TZ``. Bad input: one Chinese line on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from datetime import datetime

from bot.errors import StartupError

PROGRESS_SECONDS = 5.0
AT_EXAMPLE = "2026-11-02T09:00 或 2026-11-02T09:00+08:00"


def parse_at(text: str | None, settings) -> datetime | None:
    """``--at``: an ISO-8601 moment (a date alone means its 00:00), aware in ``BRANCHBOT_TZ`` when it has no zone."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise StartupError(f"--at：“{text}”不是 ISO-8601 时间；应形如 {AT_EXAMPLE}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=settings.zone)
    return moment


def parse_rate(text: str | None, settings) -> float:
    from bot.config import check_push_rate

    if text is None:
        return settings.push_rate
    try:
        return check_push_rate(text)
    except ValueError as exc:
        raise StartupError(f"--rate：{exc}") from None


def _schedule(settings, clock):
    from bot.app import schedule_config

    return schedule_config(settings, clock)


WHY_LAPSES = "本期在今晚静默时段（21:00–08:00）内结束"
LAPSES = f"不发送：{WHY_LAPSES}"


def _when(delivery, at: datetime | None, zone) -> str:
    """When the sender will really send it: 立即, a later moment (after the quiet hours, or a retry's), or not at
    all."""
    if delivery.send_at is None:
        return LAPSES
    if at is not None and delivery.send_at <= at:
        return "立即发送"
    return f"{delivery.send_at.astimezone(zone):%m-%d %H:%M} {'重试' if delivery.retry else '发送'}"


def _line(delivery, at: datetime | None = None, zone=None) -> str:
    from knowledge.activities import activity_by_code

    names = "、".join(k.name if (k := activity_by_code(c)) else c for c in delivery.kinds)
    when = _when(delivery, at, zone)
    if delivery.branch_id is None:
        what = "月度汇总"
        if delivery.digest is not None and delivery.digest.catch_up:
            what = "补发汇总（" + "、".join(p.label for p in delivery.digest.periods) + "）"
        return f"管理员 {delivery.chat_id}\t{delivery.period}\t{delivery.stage}\t{what}\t{when}"
    branch = f"{delivery.branch_name or '支部'}（支部 {delivery.branch_id}）"
    name = delivery.secretary_name
    secretary = f"书记 {name}（{delivery.chat_id}）" if name else f"书记（{delivery.chat_id}）"
    return f"{branch}\t{secretary}\t{delivery.period}\t{delivery.stage}\t{names}\t{when}"


def plan(args: argparse.Namespace, settings) -> int:
    from bot.startup import migrate_database
    from handlers.services.clock import SystemClock
    from handlers.services.reminders import ReminderPlanner
    from storage.db import make_engine, make_session_factory

    at = parse_at(args.at, settings)
    migrate_database(settings)

    async def work():
        engine = make_engine(settings.database_url)
        clock = SystemClock(settings.zone)
        try:
            planner = ReminderPlanner(
                make_session_factory(engine),
                clock,
                config=_schedule(settings, clock),
                admin_ids=settings.admin_ids,
            )
            moment = at if at is not None else clock.now()
            return await planner.plan_preview(moment), moment
        finally:
            await engine.dispose()

    due, moment = asyncio.run(work())
    for delivery in due:
        print(
            json.dumps(delivery.as_json(), ensure_ascii=False)
            if args.json
            else _line(delivery, moment, settings.zone)
        )
    if not args.json:
        lapsing = sum(d.send_at is None for d in due)
        note = f"；另有 {lapsing} 条不再发送（{WHY_LAPSES}）" if lapsing else ""
        print(f"共 {len(due) - lapsing} 条待发送{note}（只是计划，没有发送任何消息）。", file=sys.stderr)
    return 0


class _Counting:
    """The messenger, counting what Telegram accepted (for the progress line)."""

    def __init__(self, messenger) -> None:
        self.messenger = messenger
        self.sent = 0

    async def send_reminder(self, chat_id, delivery):
        message_id = await self.messenger.send_reminder(chat_id, delivery)
        self.sent += 1
        return message_id


async def _progress(counter: _Counting, started: float) -> None:
    while True:
        await asyncio.sleep(PROGRESS_SECONDS)
        elapsed = time.monotonic() - started
        print(f"发送中：已发送 {counter.sent} 条，用时 {elapsed:.0f} 秒", file=sys.stderr, flush=True)


def send(args: argparse.Namespace, settings) -> int:
    from bot.logging_setup import configure_logging
    from bot.startup import MISSING_TOKEN, migrate_database

    at = parse_at(args.at, settings)
    rate = parse_rate(args.rate, settings)
    if not settings.token:
        raise StartupError(MISSING_TOKEN)
    configure_logging(
        settings.token, logging.DEBUG if settings.logging_level <= logging.DEBUG else logging.WARNING
    )
    migrate_database(settings)
    if settings.logging_level > logging.DEBUG:
        for name, quiet in QUIET_LOGS.items():
            logging.getLogger(name).addFilter(_Drop(quiet))
    report, quiet = asyncio.run(_send(settings, at, rate))
    for line in [*failure_lines(report), *quiet]:
        print(line, file=sys.stderr)
    print(
        f"sent {report.sent} failed {report.failed} skipped {report.skipped} retrying {report.waiting_retry} "
        f"rate {report.rate_achieved:.1f} msg/s"
    )
    return OUTAGE if outage(report) else 0


OUTAGE = (
    1  # nothing delivered: Telegram or the network failed (as ``branchbot run`` when it cannot reach them)
)
BLOCKED_REASONS = frozenset({"403 forbidden", "400 chat not found"})  # the chat's doing, not an outage
# Logged once per failed request by PTB (with a traceback) or per row by the sender: the summary counts them.
QUIET_LOGS = {
    # PTB's own line, or the one line ``configure_logging`` makes of it (``ShortErrorPages``).
    "telegram.request.BaseRequest": (
        "Can not load invalid JSON data",
        "Telegram answered with an error page",
    ),
    "handlers.services.reminders.sender": "reminder %d is dead after",
}


class _Drop(logging.Filter):
    """Drops the records whose message (the format string) starts with ``prefix``."""

    def __init__(self, prefix: str | tuple[str, ...]) -> None:
        super().__init__()
        self.prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.prefix)


def outage(report) -> bool:
    """Nothing was delivered, and something failed for Telegram's or the network's sake (not a blocked chat)."""
    transient = any(reason.lower() not in BLOCKED_REASONS for reason, _ in report.failures)
    return report.sent == 0 and transient and (report.waiting_retry > 0 or report.dead > 0)


def failure_lines(report) -> list[str]:
    """One Chinese line per kind of failure, then one for the deliveries waiting for a retry."""
    from handlers.tg.render_dead import failure_reason

    lines = [f"发送失败 {count} 次：{failure_reason(reason)}" for reason, count in report.failures]
    if report.dead:
        lines.append(f"{report.dead} 条提醒重试已用完，不再发送（管理员发送 /reminders 可查看）。")
    if report.waiting_retry:
        lines.append(
            f"{report.waiting_retry} 条提醒等待重试（10 秒、1 分钟、5 分钟、30 分钟后），"
            "请稍后再运行 branchbot reminders send。"
        )
    return lines


QUIET_HOURS = "21:00 至次日 08:00 不发送"


def quiet_lines(planned, at: datetime, config) -> list[str]:
    """In the quiet hours: how many of the reminders just planned wait for them to end (review item 15)."""
    from knowledge.schedule import is_quiet, release_time

    if not is_quiet(at, config):
        return []
    release = release_time(at, config).astimezone(config.tz)
    waiting = sum(d.send_at is not None and d.send_at > at for d in planned)
    when = (
        f"{release:%H:%M}" if release.date() == at.astimezone(config.tz).date() else f"{release:%m-%d %H:%M}"
    )
    if not waiting:
        return [f"现在是静默时段（{QUIET_HOURS}），本次没有发送提醒；已计划的提醒到 {when} 后才发送。"]
    return [
        f"{waiting} 条等到 {when} 发送（{QUIET_HOURS}），届时由运行中的机器人或下一次 reminders send 发出。"
    ]


async def _send(settings, at: datetime | None, rate: float):
    from telegram.error import TelegramError
    from telegram.ext import ExtBot

    from bot.app import _file_url_for
    from bot.startup import telegram_error
    from handlers.services.clock import SystemClock
    from handlers.services.reminders import ReminderPlanner, ReminderSender
    from handlers.tg.messenger import BROADCAST, SharedRateLimiter, TelegramMessenger
    from knowledge import KnowledgeBase
    from storage.db import make_engine, make_session_factory

    kwargs = {}
    if settings.telegram_api_base_url:
        base = settings.telegram_api_base_url.rstrip("/")
        kwargs = {"base_url": base, "base_file_url": _file_url_for(base)}
    # The same limiter as the bot's: at most ``rate`` in any second, evenly spaced (it has no replies to share with).
    bot = ExtBot(settings.token, rate_limiter=SharedRateLimiter(broadcast=rate), **kwargs)
    try:
        await bot.initialize()  # one getMe: the token and Telegram
    except TelegramError as exc:
        raise telegram_error(exc, settings) from None
    engine = make_engine(settings.database_url)
    clock = SystemClock(settings.zone)
    config = _schedule(settings, clock)
    try:
        factory = make_session_factory(engine)
        at = at if at is not None else clock.now()
        planned = await ReminderPlanner(factory, clock, config=config, admin_ids=settings.admin_ids).plan(at)
        print(
            f"已计划 {len(planned)} 条新提醒，开始发送（每秒最多 {rate:g} 条）……", file=sys.stderr, flush=True
        )
        quiet = quiet_lines(planned, at, config)
        kb = KnowledgeBase.default(kb_dir=settings.kb_source())
        dashboard = bool(settings.public_url)
        messenger = TelegramMessenger(
            bot, lambda: kb, clock.tz, rate_limit_args=BROADCAST, dashboard=lambda: dashboard
        )
        counter = _Counting(messenger)
        progress = asyncio.create_task(_progress(counter, time.monotonic()))
        try:
            return await ReminderSender(factory, clock, counter, config=config).send_due(at, rate), quiet
        finally:
            progress.cancel()
    finally:
        await engine.dispose()
        await bot.shutdown()
