"""Error pages in Chinese: aiohttp's bare "404: Not Found" or "500 Internal Server Error" never reach a user.

The outermost middleware renders ``refused.html`` for an HTTP error that carries no text of its own (a path that
does not exist, a method a page does not take) and for an unexpected exception (logged with its traceback, the
page says only that something went wrong). Errors with a text of their own (the webhook's, the CSRF check's) and
the machine endpoints (``/healthz``, ``/metrics``, the webhook) are left as they are.
"""

from __future__ import annotations

import logging

from aiohttp import web

from handlers.web.pages import refused_page

log = logging.getLogger(__name__)

PAGES = {
    404: ("找不到这个页面", "页面不存在，或不在您的督导范围内。"),
    405: ("无法打开这个页面", "请从总览页面进入。"),
    400: ("无法处理这个请求", "请返回上一页后再试。"),
}
SERVER_ERROR = ("服务器出了点问题", "请稍后再试；问题已记录。")
MACHINE_PATHS = ("/healthz", "/metrics", "/telegram")


@web.middleware
async def middleware(request: web.Request, handler):
    if request.path.startswith(MACHINE_PATHS):
        return await handler(request)
    try:
        return await handler(request)
    except web.HTTPException as exc:
        bare = exc.text in (None, f"{exc.status}: {exc.reason}")
        if exc.status < 400 or not bare:
            raise
        title, text = PAGES.get(exc.status, PAGES[400])
        return refused_page(request, title, text, exc.status, str(exc.status))
    except Exception:
        log.exception("dashboard page %s %s failed", request.method, request.path)
        return refused_page(request, *SERVER_ERROR, 500, "500")
