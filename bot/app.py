"""Wiring: build the services once, then the PTB ``Application`` around them."""

from __future__ import annotations

import logging

from telegram import BotCommand
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults

from bot.config import Settings
from bot.persistence import SQLAlchemyPersistence
from handlers.services import Services
from handlers.services.clock import Clock, SystemClock
from handlers.tg.context import BotContext, attach_services
from handlers.tg.registry import register_handlers

log = logging.getLogger(__name__)

COMMANDS = [
    BotCommand("start", "开始使用"),
    BotCommand("help", "查看帮助"),
    BotCommand("topics", "浏览讲话目录"),
    BotCommand("submit", "登记活动记录"),
    BotCommand("records", "查看本支部活动记录"),
    BotCommand("branch", "查看或修改支部信息"),
    BotCommand("cancel", "取消正在填写的内容"),
    BotCommand("skip", "跳过可选的一项"),
]


def build_services(settings: Settings, *, clock: Clock | None = None, kb=None) -> Services:
    from knowledge import KnowledgeBase
    from storage.db import make_engine, make_session_factory

    engine = make_engine(settings.database_url)
    return Services(
        kb=kb if kb is not None else KnowledgeBase.default(kb_dir=settings.kb_dir),
        session_factory=make_session_factory(engine),
        clock=clock or SystemClock(settings.zone),
        admin_ids=settings.admin_ids,
        data_dir=settings.data_dir,
    )


async def _post_init(application: Application) -> None:
    await application.bot.set_my_commands(COMMANDS)


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
        .rate_limiter(AIORateLimiter(max_retries=3))
        .persistence(SQLAlchemyPersistence(services.session_factory, services.clock))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if settings.telegram_api_base_url:
        base = settings.telegram_api_base_url.rstrip("/")
        builder = builder.base_url(base).base_file_url(_file_url_for(base))
    application = builder.build()
    attach_services(application, services)
    register_handlers(application)
    return application


def _file_url_for(base_url: str) -> str:
    """``http://host:port/bot`` -> ``http://host:port/file/bot`` (the Bot API's file download path)."""
    head, sep, tail = base_url.rpartition("/")
    return f"{head}/file/{tail}" if sep else f"{base_url}/file/bot"
