"""The dashboard and Telegram's webhook, served by aiohttp in the bot's own process and event loop.

``branchbot run`` (long polling) and ``branchbot run --webhook URL`` both go through :func:`run`: the usual
start-up checks (``bot.startup.start``), then :func:`attach` adds a :class:`WebServer` that ``bot.app``'s
``post_init`` starts and ``post_stop`` stops. With a webhook, Telegram posts to the URL's path on the same app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
from urllib.parse import urlsplit, urlunsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application, TypeHandler

from bot.config import Settings
from bot.errors import StartupError
from handlers.services import Services
from handlers.services.metrics import METRICS
from handlers.services.review import Notify
from handlers.services.updates import StoredUpdate
from handlers.tg.processor import PerChatUpdateProcessor
from handlers.tg.reminders import RUNNER_KEY
from handlers.tg.review import send_notices
from handlers.web import WebConfig, build_web_app
from handlers.web import login_url as _login_url
from handlers.web.pages import NOTIFY
from handlers.web.webhook import WebhookReceiver

log = logging.getLogger(__name__)
WEB_KEY = "web_server"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
DEFAULT_WEBHOOK_PATH = "/telegram"


def public_url(settings: Settings) -> str:
    """``BRANCHBOT_PUBLIC_URL``, else the address the app listens on."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    return f"http://{settings.web_host}:{settings.web_port}"


def login_url(settings: Settings, token: str) -> str:
    """The link ``/dashboard`` sends: ``{BRANCHBOT_PUBLIC_URL}/login/{token}``."""
    return _login_url(public_url(settings), token)


def webhook_route(url: str) -> tuple[str, str]:
    """(the URL to give setWebhook, the path to serve): the URL's own path, or ``/telegram/<random>``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"webhook URL must be http(s)://host/path, not {url[:60]!r}")
    path = parts.path.rstrip("/")
    if not path:
        path = f"{DEFAULT_WEBHOOK_PATH}/{secrets.token_urlsafe(12)}"
    return urlunsplit((parts.scheme, parts.netloc, path, "", "")), path


def webhook_secret(settings: Settings) -> str:
    """``BRANCHBOT_WEBHOOK_SECRET``, else a new random one (never logged)."""
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    return secrets.token_urlsafe(32)


def ptb_processor(application: Application):
    """Process a stored update through the application (its per-chat processor, its handlers)."""

    async def process(stored: StoredUpdate) -> None:
        update = Update.de_json(stored.payload, application.bot)
        await application.update_processor.process_update(update, application.process_update(update))

    return process


def review_notifier(application: Application):
    """Tell the secretary when a record was passed or returned on the web: the very message (and buttons) a review
    in chat sends (``handlers.tg.review.send_notices``)."""

    async def notify(items: list[Notify]) -> None:
        for item in items:
            if item.event not in ("returned", "passed"):
                continue
            try:
                await send_notices(application.bot, [item])
            except Exception as exc:  # the review stands even if the message does not go out
                log.warning(
                    "could not tell user %s about record %s (%s)",
                    item.user_id,
                    item.record.number,
                    type(exc).__name__,
                )

    return notify


class WebServer:
    def __init__(self, application: Application, settings: Settings, services: Services) -> None:
        self.application = application
        self.settings = settings
        self.services = services
        self.receiver: WebhookReceiver | None = None
        self.webhook_url: str | None = None
        self.webhook_path: str | None = None
        self.secret: str | None = None
        self.runner: web.AppRunner | None = None

    def use_webhook(self, url: str) -> None:
        self.webhook_url, self.webhook_path = webhook_route(url)
        self.secret = webhook_secret(self.settings)
        self.receiver = WebhookReceiver(self.services.updates, self.secret, ptb_processor(self.application))
        processor = self.application.update_processor
        if isinstance(processor, PerChatUpdateProcessor):
            processor.finished = None  # the receiver stores and marks each update itself

    def build(self) -> web.Application:
        config = WebConfig(public_url=public_url(self.settings), ready=lambda: self.application.running)
        app = build_web_app(self.services, config)
        app[NOTIFY] = review_notifier(self.application)
        if self.receiver is not None and self.webhook_path:
            app.router.add_post(self.webhook_path, self.receiver.handle)
        return app

    async def start(self) -> None:
        self.runner = web.AppRunner(self.build(), access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, self.settings.web_host, self.settings.web_port)
        await site.start()
        log.info(
            "dashboard at %s (listening on %s:%s)",
            public_url(self.settings),
            self.settings.web_host,
            self.settings.web_port,
        )

    async def stop(self) -> None:
        if self.receiver is not None:
            await self.receiver.drain()
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None


async def _count_update(update: object, context: object) -> None:
    METRICS.updates.inc()


def attach(
    application: Application, settings: Settings, services: Services, webhook: str | None = None
) -> WebServer:
    """Add the web server (started by ``post_init``), the update counter and the services' metrics."""
    server = WebServer(application, settings, services)
    if webhook:
        server.use_webhook(webhook)
    application.bot_data[WEB_KEY] = server
    if settings.public_url:  # read by /dashboard (handlers.tg.status.public_url): {public_url}/login/{token}
        application.bot_data.setdefault("public_url", public_url(settings))
    application.add_handler(TypeHandler(Update, _count_update), group=-10)
    METRICS.instrument(services)
    runner = application.bot_data.get(RUNNER_KEY)  # made by build_application before this
    if runner is not None and getattr(runner, "sender", None) is not None:
        METRICS.count_reports(runner.sender)
    return server


async def start(application: Application) -> None:
    """``post_init``: start the web server if one is attached."""
    server = application.bot_data.get(WEB_KEY)
    if server is not None:
        await server.start()


async def stop(application: Application) -> None:
    """``post_stop``: stop it."""
    server = application.bot_data.get(WEB_KEY)
    if server is not None:
        await server.stop()


async def serve_webhook(application: Application, server: WebServer, stop_event: asyncio.Event) -> None:
    """Like ``run_polling`` but fed by the webhook: post_init (web up), start, setWebhook, recover, wait."""
    assert server.receiver is not None
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        await application.bot.set_webhook(
            server.webhook_url, secret_token=server.secret, allowed_updates=ALLOWED_UPDATES
        )
        log.info("webhook set to %s", server.webhook_url)
        await server.receiver.recover(force=True)
        await stop_event.wait()
    finally:
        if application.running:
            await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def run(settings: Settings, webhook: str | None = None) -> int:
    """``branchbot run [--webhook URL]``: the checks of ``bot.startup``, then the bot with the dashboard."""
    from bot.logging_setup import configure_logging, release_held_records
    from bot.startup import require_token, start
    from bot.web_port import check_web_port
    from handlers.tg.context import SERVICES_KEY

    if webhook:
        try:
            webhook_route(webhook)  # a malformed URL fails before anything starts
        except ValueError:
            raise StartupError(
                f"--webhook：“{webhook[:60]}”不是有效的网址；应形如 https://bot.example.org/telegram/<随机路径>"
            ) from None
    token = require_token(settings)
    check_web_port(settings)  # before getMe: a port in use is named at once (exit 2)
    configure_logging(token, settings.logging_level, hold=True)
    try:
        application = start(settings)
    except BaseException:
        release_held_records(emit=settings.logging_level <= logging.DEBUG)
        raise
    release_held_records(emit=True)
    server = attach(application, settings, application.bot_data[SERVICES_KEY], webhook)
    if not webhook:
        application.run_polling(allowed_updates=ALLOWED_UPDATES, close_loop=True)
        return 0
    loop = asyncio.get_event_loop()
    stop_event = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop_event.set)
    try:
        loop.run_until_complete(serve_webhook(application, server, stop_event))
    finally:
        loop.close()
    return 0
