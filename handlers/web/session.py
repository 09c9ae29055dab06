"""Sessions: ``/login/{token}`` redeems a one-time link and sets the cookie; every other page needs it.

A page asked for without a session is remembered in a short-lived cookie (``NEXT``, sent only to ``/login``) and
the login link leads back to it: only a path of this site (one leading ``/``), never another address.

The cookie holds the session id (HttpOnly, SameSite=Lax, Secure behind https, 12 hours). POST forms carry a
CSRF token: an HMAC of the session id under a per-process key, checked with ``hmac.compare_digest``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from urllib.parse import quote, unquote

from aiohttp import web

from handlers.services.auth import SESSION_TTL
from handlers.web.render import render_page

COOKIE = "bb_session"
NEXT = "bb_next"  # the page asked for before logging in (quoted), for the login link to return to
NEXT_TTL = 30 * 60  # seconds: time to ask the bot for a link (valid 10 minutes) and open it
SAME_SITE = re.compile(r"/(?!/)[\x21-\x5b\x5d-\x7e]{0,1999}")  # printable ASCII, no backslash; not //host
CSRF_KEY = web.AppKey("csrf_key", bytes)
USER = web.RequestKey("user", object) if hasattr(web, "RequestKey") else "user"
OPEN = ("/login", "/static/", "/healthz", "/metrics", "/telegram/", "/welcome")
# Who may use the dashboard, in the chat's words (/dashboard, /supervisor): 上级党委管理员, 片区督导员.
ROLE_LABELS = {"admin": "上级党委管理员", "supervisor": "片区督导员"}
WHO_MAY_LOG_IN = f"{ROLE_LABELS['admin']}和{ROLE_LABELS['supervisor']}"
REFUSED = {
    "forged": (403, "无效的登录链接", "这个链接不是机器人发出的，或者被改动过。"),
    "expired": (410, "登录链接已过期", "登录链接只在发出后 10 分钟内有效。"),
    "reused": (410, "登录链接已使用过", "每个登录链接只能用一次。"),
    "secretary": (
        403,
        "支部书记不能登录网页看板",
        f"网页看板供{WHO_MAY_LOG_IN}使用。支部书记请在聊天中用 /records 查看和修改本支部的记录，用 /status 查看完成情况。",
    ),
    "not_allowed": (
        403,
        "无权使用网页看板",
        f"只有{WHO_MAY_LOG_IN}可以登录。支部书记请在聊天中用 /records 查看本支部的记录。",
    ),
}


def csrf_token(request: web.Request) -> str:
    key = request.app[CSRF_KEY]
    sid = request.cookies.get(COOKIE, "")
    return hmac.new(key, sid.encode(), hashlib.sha256).hexdigest()


def csrf_ok(request: web.Request, sent: object) -> bool:
    return isinstance(sent, str) and hmac.compare_digest(sent.encode(), csrf_token(request).encode())


def _is_open(path: str) -> bool:
    return path.startswith(OPEN)


@web.middleware
async def middleware(request: web.Request, handler):
    from handlers.web import SERVICES

    if _is_open(request.path):
        return await handler(request)
    user = await request.app[SERVICES].auth.session_user(request.cookies.get(COOKIE))
    if user is None:
        raise _to_login(request)
    request[USER] = user
    return await handler(request)


def _to_login(request: web.Request) -> web.HTTPFound:
    """To the login explanation, remembering the page asked for (a GET of this site) for after the login."""
    found = web.HTTPFound("/login")
    wanted = str(request.rel_url)
    if request.method in ("GET", "HEAD") and safe_next(wanted) is not None:
        found.set_cookie(
            NEXT, quote(wanted, safe=""), max_age=NEXT_TTL, httponly=True, samesite="Lax", path="/login"
        )
    return found


def safe_next(path: str | None) -> str | None:
    """``path`` if it is a page of this site to return to after logging in (not the login itself), else None."""
    if not path or not SAME_SITE.fullmatch(path) or path.startswith("/login"):
        return None
    return path


def refused(request: web.Request, status: str) -> web.Response:
    code, title, text = REFUSED[status]
    return render_page(request, "refused.html", {"title": title, "text": text, "reason": status}, status=code)


async def login(request: web.Request) -> web.Response:
    from handlers.web import CONFIG, SERVICES

    services = request.app[SERVICES]
    token = request.match_info["token"]
    result = await services.auth.redeem_login(token)
    if result.status == "reused" and await services.auth.used_link_of_session(
        token, request.cookies.get(COOKIE)
    ):
        return _to_dashboard(request)
    if result.status == "not_allowed" and await _is_secretary(services, token):
        return refused(request, "secretary")
    if result.status != "ok" or result.session_id is None:
        return refused(request, result.status if result.status in REFUSED else "forged")
    response = _to_dashboard(request)
    response.set_cookie(
        COOKIE,
        result.session_id,
        max_age=int(SESSION_TTL.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=request.app[CONFIG].secure,
        path="/",
    )
    return response


def _to_dashboard(request: web.Request) -> web.Response:
    """To the page asked for before logging in (see ``NEXT``), else the overview."""
    wanted = safe_next(unquote(request.cookies.get(NEXT, "")))
    response = web.Response(status=302, headers={"Location": wanted or "/"})
    if NEXT in request.cookies:
        response.del_cookie(NEXT, path="/login")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


async def _is_secretary(services, token: str) -> bool:
    """Whether the link (already refused as not allowed) belonged to a branch secretary."""
    user_id = await services.auth.link_user(token)
    if user_id is None:
        return False
    return (await services.supervision.viewer(user_id)).own_branch is not None


async def how_to_login(request: web.Request) -> web.Response:
    """How to log in; someone logged in already (a bookmark, the back button) goes on to the dashboard."""
    from handlers.web import SERVICES

    if await request.app[SERVICES].auth.session_user(request.cookies.get(COOKIE)) is not None:
        return _to_dashboard(request)
    return render_page(request, "login.html", {"title": "登录", "who_may_log_in": WHO_MAY_LOG_IN}, status=401)


async def logout(request: web.Request) -> web.Response:
    from handlers.web import SERVICES

    data = await request.post()
    if not csrf_ok(request, data.get("csrf")):  # e.g. a tab opened before a newer login: its 退出 is stale
        context = {"title": "请求已失效", "text": "请刷新页面后再试。", "reason": "csrf"}
        context |= {"user": request.get(USER), "csrf": csrf_token(request)}
        response = render_page(request, "refused.html", context, status=403)
        response.headers["Cache-Control"] = "no-store"
        return response
    await request.app[SERVICES].auth.logout(request.cookies.get(COOKIE))
    response = web.Response(status=302, headers={"Location": "/login"})
    response.del_cookie(COOKIE, path="/")
    return response


def add_routes(app: web.Application) -> None:
    app.router.add_get("/login", how_to_login)
    app.router.add_get("/login/{token}", login)
    app.router.add_post("/logout", logout)
