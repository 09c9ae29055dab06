"""``/healthz`` (the database answers and the bot is initialised: 200, else 503) and ``/metrics``."""

from __future__ import annotations

import asyncio
import inspect
import logging

from aiohttp import web
from sqlalchemy import text

from handlers.services.metrics import CONTENT_TYPE

log = logging.getLogger(__name__)
DB_TIMEOUT = 5.0


async def _database_ok(services) -> bool:
    try:
        async with asyncio.timeout(DB_TIMEOUT), services.session_factory() as session:
            await session.execute(text("SELECT 1"))
    except Exception as exc:  # any failure is "unhealthy", never a traceback to the caller
        log.warning("healthz: the database did not answer (%s)", type(exc).__name__)
        return False
    return True


async def healthz(request: web.Request) -> web.Response:
    from handlers.web import CONFIG, SERVICES

    ready = request.app[CONFIG].ready()
    if inspect.isawaitable(ready):
        ready = await ready
    database = await _database_ok(request.app[SERVICES])
    ok = bool(ready) and database
    body = {"status": "ok" if ok else "unavailable", "database": database, "bot": bool(ready)}
    return web.json_response(body, status=200 if ok else 503, headers={"Cache-Control": "no-store"})


async def metrics(request: web.Request) -> web.Response:
    from handlers.web import CONFIG, SERVICES

    services = request.app[SERVICES]
    try:
        body = await request.app[CONFIG].metrics.render(services)
    except Exception as exc:
        log.warning("metrics: the outbox depth could not be read (%s)", type(exc).__name__)
        body = await request.app[CONFIG].metrics.render(None)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
