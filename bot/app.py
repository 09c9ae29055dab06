"""Wiring: build the services once, then the PTB ``Application`` around them."""

from __future__ import annotations

import gc
import logging

from telegram import BotCommandScopeChat
from telegram.error import BadRequest, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from bot.commands import ADMIN_COMMANDS, COMMANDS
from bot.config import Settings
from bot.lean import release_memory
from bot.logging_setup import one_line
from bot.persistence import SQLAlchemyPersistence
from handlers.services import Services
from handlers.services.clock import Clock, SystemClock
from handlers.tg import dedupe, reminders
from handlers.tg.context import BotContext, attach_services
from handlers.tg.messenger import BROADCAST, TelegramMessenger, retry_after_seconds
from handlers.tg.processor import PerChatUpdateProcessor
from handlers.tg.registry import register_handlers
from handlers.tg.status import public_url_in
from handlers.tg.transport import RetryingRateLimiter

log = logging.getLogger(__name__)


def build_services(settings: Settings, *, clock: Clock | None = None, kb=None) -> Services:
    from knowledge import KnowledgeBase
    from knowledge.tokenizer import small_dictionary
    from storage.db import make_engine, make_session_factory

    engine = make_engine(settings.database_url)
    clock = clock or SystemClock(settings.zone)
    if kb is None:
        with small_dictionary():  # a long-running process: 7 MB less for 0.4 s more (knowledge.tokenizer)
            kb = KnowledgeBase.default(kb_dir=settings.kb_source())
        kb.prepare()  # what the first question would build (knowledge.asked's field, ~0.1 s), built now
        release_memory()  # what building it left behind (much with jieba's dictionary, little with rjieba)
    return Services(
        kb=kb,
        session_factory=make_session_factory(engine),
        clock=clock,
        admin_ids=settings.admin_ids,
        data_dir=settings.data_dir,
        schedule=schedule_config(settings, clock),
        kb_dir=settings.kb_folder,  # where /adddoc writes: the folder read above
    )


def schedule_config(settings: Settings, clock: Clock):
    """The reminders' schedule: the clock's zone and ``BRANCHBOT_REVIEW_DATE``."""
    from knowledge.schedule import ScheduleConfig

    return ScheduleConfig(tz=clock.tz, yearly_open=settings.review_date)


# Seconds before registering the command menu again after a failure; the last one repeats (hourly).
COMMANDS_RETRY_DELAYS: tuple[float, ...] = (30.0, 120.0, 600.0, 3600.0)
COMMANDS_JOB = "set_my_commands"
COMMANDS_TIMEOUT = 10.0  # seconds to wait for an answer to setMyCommands


def commands_retry_delay(failures: int) -> float:
    """The wait after the ``failures``-th failure in a row (1-based): 30 s, 2 min, 10 min, then hourly."""
    return COMMANDS_RETRY_DELAYS[min(failures, len(COMMANDS_RETRY_DELAYS)) - 1]


def _menus(admin_ids: frozenset[int]) -> list[tuple[int | None, list]]:
    """The menus to register, in order: the default scope (``None``), then each administrator's private chat."""
    return [(None, COMMANDS), *((admin_id, ADMIN_COMMANDS) for admin_id in sorted(admin_ids))]


async def _set_commands(context: BotContext) -> None:
    """Register the command menus; on a Telegram failure log one warning and try again later.

    The menus are cosmetic: a 500, 429, time-out or network error here must never stop the bot, so this runs
    as a job (never inside start-up) and reschedules itself with backoff (``COMMANDS_RETRY_DELAYS``, at
    least the ``retry_after`` a 429 asks for), going on from the menu that failed. An administrator whose chat
    Telegram does not know (they never opened the bot) is skipped with a warning: the next start sets it.
    """
    failures, first = context.job.data if context.job is not None and context.job.data else (0, 0)
    menus = _menus(context.services.admin_ids)
    for index in range(first, len(menus)):
        chat_id, commands = menus[index]
        scope = BotCommandScopeChat(chat_id) if chat_id is not None else None
        try:
            await context.bot.set_my_commands(commands, scope=scope, read_timeout=COMMANDS_TIMEOUT)
        except BadRequest as exc:
            if chat_id is None or "chat not found" not in str(exc).lower():
                _retry_commands(context, exc, failures + 1, index)
                return
            log.warning("no command menu for administrator %s yet: Telegram does not know the chat", chat_id)
        except TelegramError as exc:
            _retry_commands(context, exc, failures + 1, index)
            return
    if failures:
        log.info("command menu registered after %d failed attempts", failures)


def _retry_commands(context: BotContext, exc: TelegramError, failures: int, index: int) -> None:
    delay = commands_retry_delay(failures)
    if isinstance(exc, RetryAfter):
        delay = max(delay, retry_after_seconds(exc))
    log.warning(
        "could not register the command menu (%s: %s); retrying in %.0f s",
        type(exc).__name__,
        one_line(exc),
        delay,
    )
    context.job_queue.run_once(_set_commands, delay, data=(failures, index), name=COMMANDS_JOB)


async def _post_init(application: Application) -> None:
    """Schedule the command menu at once; it never delays or stops start-up (see :func:`_set_commands`). Wake
    the reminders every minute, the first time soon after start (unless ``BRANCHBOT_REMINDERS=off``)."""
    application.job_queue.run_once(_set_commands, 0, data=(0, 0), name=COMMANDS_JOB)
    await dedupe.load(application)  # updates processed before a restart, which Telegram may deliver again
    # What start-up built (the knowledge base above all, ~100,000 objects) lives as long as the process: out of
    # the cyclic collector's sight, a full collection takes well under a millisecond instead of ~65 ms, so the
    # event loop no longer stalls now and then (a stall bunches a broadcast's messages up, and delays replies).
    # The collection first, and the heap it frees back to the system (bot.lean).
    release_memory()
    gc.freeze()
    runner = application.bot_data.get(REMINDER_RUNNER)
    if runner is not None:
        reminders.schedule(application, runner)
    from bot import web  # the dashboard and webhook, when ``branchbot run`` attached them (bot.web.attach)

    await web.start(application)


async def _post_stop(application: Application) -> None:
    """Stop a broadcast in progress before the HTTP clients close: messages in flight are recorded, claimed
    ones go back to the database for the next start."""
    from bot import web

    await web.stop(application)
    await reminders.stop(application)


async def _post_shutdown(application: Application) -> None:
    services: Services | None = application.bot_data.get("services")
    engine = services.session_factory.kw.get("bind") if services is not None else None
    if engine is not None:
        await engine.dispose()


def build_application(settings: Settings, services: Services) -> Application:
    """The real application, as ``branchbot run`` starts it (tests point ``base_url`` at an emulator)."""
    token = settings.token
    if not token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    builder = (
        ApplicationBuilder()
        .token(token)
        .context_types(ContextTypes(context=BotContext))
        .defaults(Defaults(tzinfo=services.clock.tz))
        # A spare slot for the last getUpdates at stop: httpcore 1.0.9 can lose a slot to the long poll that
        # stop cancels (encode/httpcore#1093), and that call would then log a PoolTimeout traceback.
        .get_updates_connection_pool_size(2)
        .rate_limiter(RetryingRateLimiter(broadcast=settings.push_rate, max_retries=3))
        .concurrent_updates(PerChatUpdateProcessor(finished=dedupe.remember(services.updates)))
        .persistence(SQLAlchemyPersistence(services.session_factory, services.clock))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    if settings.telegram_api_base_url:
        base = settings.telegram_api_base_url.rstrip("/")
        builder = builder.base_url(base).base_file_url(_file_url_for(base))
    application = builder.build()
    attach_services(application, services)
    register_handlers(application)
    if settings.reminders:
        application.bot_data[REMINDER_RUNNER] = reminder_runner(application, services, settings.push_rate)
    return application


REMINDER_RUNNER = reminders.RUNNER_KEY


def reminder_runner(
    application: Application, services: Services, rate: float, **kwargs
) -> reminders.ReminderRunner:
    """The planner and sender of this process, delivering through the application's bot (and its shared rate
    limiter: the broadcast takes ``rate`` a second at most, replies keep the rest of Telegram's 30)."""
    messenger = TelegramMessenger(
        application.bot,
        lambda: services.kb,
        services.clock.tz,
        rate_limit_args=BROADCAST,
        dashboard=lambda: public_url_in(application.bot_data) is not None,  # set by bot.web after this
    )
    return reminders.ReminderRunner(services, messenger, rate=rate, **kwargs)


def _file_url_for(base_url: str) -> str:
    """``http://host:port/bot`` -> ``http://host:port/file/bot`` (the Bot API's file download path)."""
    head, sep, tail = base_url.rpartition("/")
    return f"{head}/file/{tail}" if sep else f"{base_url}/file/bot"
