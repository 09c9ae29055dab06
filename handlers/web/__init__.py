"""The dashboard: aiohttp routes over the Telegram-free services, server-rendered with jinja2 (``render``).

:func:`build_web_app` makes the application (login by one-time link, overview, branch, record, review, files,
export, ``/healthz`` and ``/metrics``); ``bot.web`` adds the Telegram webhook and runs it beside the bot.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from handlers.services import Services
from handlers.services.metrics import METRICS, Metrics
from handlers.web.render import TEMPLATES, Templates

HERE = Path(__file__).parent
SERVICES = web.AppKey("services", Services)
CONFIG = web.AppKey("web_config", object)


@dataclass
class WebConfig:
    """``public_url``: where users reach the app (links, Secure cookies when https); ``ready``: the bot is
    initialised (for ``/healthz``)."""

    public_url: str = "http://127.0.0.1:8080"
    ready: Callable[[], bool | Awaitable[bool]] = field(default=lambda: True)
    metrics: Metrics = field(default_factory=lambda: METRICS)

    @property
    def secure(self) -> bool:
        return self.public_url.lower().startswith("https://")


def login_url(public_url: str, token: str) -> str:
    """The link ``/dashboard`` sends: ``{public_url}/login/{token}``."""
    return f"{public_url.rstrip('/')}/login/{token}"


def build_web_app(services: Services, config: WebConfig | None = None) -> web.Application:
    from handlers.web import errors, ops, pages, session

    app = web.Application(middlewares=[errors.middleware, session.middleware])
    app[SERVICES] = services
    app[CONFIG] = config or WebConfig()
    app[session.CSRF_KEY] = secrets.token_bytes(32)
    app[TEMPLATES] = Templates(HERE / "templates")  # jinja2 is loaded on the first page
    app.router.add_static("/static/", HERE / "static", name="static")
    session.add_routes(app)
    pages.add_routes(app)
    ops.add_routes(app)
    return app
