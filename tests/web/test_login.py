"""Login by one-time link: ok, forged, expired, reused, a secretary; no session redirects to the explanation."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from handlers.web.session import COOKIE, NEXT, safe_next
from tests.services.supervision_world import ADMIN, SEC_A, STRANGER, SUPERVISOR
from tests.web.world import client_for, link_for


async def test_login_sets_the_cookie_and_redirects(client, site):
    link = await site.services.auth.issue_login_link(ADMIN)
    resp = await client.get(f"/login/{link.token}", allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"] == "/"
    cookie = resp.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["secure"]
    assert int(cookie["max-age"]) == 12 * 3600
    page = await client.get("/")
    text = await page.text()
    assert page.status == 200 and "第一支部" in text and "第三支部" in text and "2026年11月" in text


async def test_secure_cookie_behind_https(site):
    client = await client_for(site, public_url="https://bot.example.org")
    try:
        link = await site.services.auth.issue_login_link(ADMIN)
        resp = await client.get(f"/login/{link.token}", allow_redirects=False)
        assert resp.cookies[COOKIE]["secure"]
    finally:
        await client.close()


async def test_forged_expired_reused_and_secretary_each_have_their_page(client, site):
    forged = await client.get("/login/not-a-token-from-the-bot-at-all")
    assert forged.status == 403 and 'data-reason="forged"' in await forged.text()
    assert "无效的登录链接" in await forged.text()

    token = await link_for(site, SUPERVISOR, expires_in=timedelta(minutes=1))
    site.world.clock.advance(timedelta(minutes=2))
    expired = await client.get(f"/login/{token}")
    assert expired.status == 410 and "登录链接已过期" in await expired.text()

    link = await site.services.auth.issue_login_link(SUPERVISOR)
    assert (await client.get(f"/login/{link.token}", allow_redirects=False)).status == 302
    client.session.cookie_jar.clear()
    reused = await client.get(f"/login/{link.token}")
    assert reused.status == 410 and "登录链接已使用过" in await reused.text()

    for user, reason in ((SEC_A, "secretary"), (STRANGER, "not_allowed")):
        assert (await site.services.auth.issue_login_link(user)).status == reason
        token = await link_for(site, user)
        refused = await client.get(f"/login/{token}")
        assert refused.status == 403 and f'data-reason="{reason}"' in await refused.text()
        assert COOKIE not in refused.cookies


async def test_without_a_session_every_page_redirects_to_the_explanation(client, site):
    for path in (
        "/",
        "/branch/1",
        f"/record/{site.record_a}",
        f"/file/{site.photo_a}",
        "/export?period=2026-11",
    ):
        resp = await client.get(path, allow_redirects=False)
        assert resp.status == 302 and resp.headers["Location"] == "/login", path
    page = await client.get("/login")
    assert page.status == 401 and "/dashboard" in await page.text()
    client.session.cookie_jar.update_cookies({COOKIE: "made-up"})
    assert (await client.get("/", allow_redirects=False)).status == 302


async def test_logout_needs_csrf_and_ends_the_session(client, site):
    from tests.web.world import logged_in

    await logged_in(client, site, ADMIN)
    assert (await client.post("/logout", data={"csrf": "x"})).status == 403
    page = await (await client.get("/")).text()
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    resp = await client.post("/logout", data={"csrf": csrf}, allow_redirects=False)
    assert resp.status == 302
    assert (await client.get("/", allow_redirects=False)).status == 302


async def test_a_stale_logout_answers_the_chinese_refusal_with_a_fresh_logout(client, site):
    """退出 on a tab opened before a newer login (its csrf belongs to the old session): the Chinese page, whose own
    退出 works."""
    from tests.web.world import logged_in

    await logged_in(client, site, ADMIN)
    old = await (await client.get("/")).text()
    stale = old.split('name="csrf" value="')[1].split('"')[0]
    await logged_in(client, site, ADMIN)  # a new link: a new session cookie
    resp = await client.post("/logout", data={"csrf": stale}, allow_redirects=False)
    page = await resp.text()
    assert resp.status == 403 and resp.content_type == "text/html", page
    assert "请求已失效" in page and "请刷新页面后再试。" in page
    fresh = page.split('name="csrf" value="')[1].split('"')[0]
    resp = await client.post("/logout", data={"csrf": fresh}, allow_redirects=False)
    assert resp.status == 302
    assert (await client.get("/", allow_redirects=False)).status == 302


async def test_a_used_link_opened_again_with_a_live_session_goes_to_the_dashboard(client, site):
    """Tapping the link in the chat again, still logged in: the dashboard, not 410; without the session, 410."""
    link = await site.services.auth.issue_login_link(SUPERVISOR)
    assert (await client.get(f"/login/{link.token}", allow_redirects=False)).status == 302
    site.world.clock.advance(timedelta(minutes=30))  # used and, by now, expired too
    again = await client.get(f"/login/{link.token}", allow_redirects=False)
    assert again.status == 302 and again.headers["Location"] == "/"
    page = await client.get(f"/login/{link.token}")
    assert page.status == 200 and "第一支部" in await page.text()

    other = await site.services.auth.issue_login_link(ADMIN)  # someone else's used link: still refused
    elsewhere = await client_for(site)
    try:
        assert (await elsewhere.get(f"/login/{other.token}", allow_redirects=False)).status == 302
    finally:
        await elsewhere.close()
    assert (await client.get(f"/login/{other.token}")).status == 410

    client.session.cookie_jar.clear()
    refused = await client.get(f"/login/{link.token}")
    assert refused.status == 410 and "登录链接已使用过" in await refused.text()


async def test_the_login_link_returns_to_the_page_asked_for(client, site):
    """/?period=2026-Q4 without a session, then the link from the chat: the quarter, not this month (review 82)."""
    resp = await client.get("/?period=2026-Q4", allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"] == "/login"
    assert resp.cookies[NEXT]["path"] == "/login" and resp.cookies[NEXT]["httponly"]
    link = await site.services.auth.issue_login_link(SUPERVISOR)
    resp = await client.get(f"/login/{link.token}", allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"] == "/?period=2026-Q4"
    page = await client.get(resp.headers["Location"])
    assert page.status == 200 and "2026年第四季度" in await page.text()
    # used once: the next link goes to the overview
    link = await site.services.auth.issue_login_link(SUPERVISOR)
    assert (await client.get(f"/login/{link.token}", allow_redirects=False)).headers["Location"] == "/"


async def test_the_page_to_return_to_is_never_another_site(client, site):
    cases = [("/branch/1?x=%E4%B8%80", "/branch/1?x=%E4%B8%80")]  # the cookie is read: a page of the site
    cases += [
        (forged, "/") for forged in ("//evil.example/x", "/\\evil.example", "https://evil.example/", "evil")
    ]
    for wanted, location in [*cases, ("/login/x", "/")]:
        assert (safe_next(wanted) is None) == (location == "/"), wanted
        client.session.cookie_jar.clear()
        client.session.cookie_jar.update_cookies({NEXT: quote(wanted, safe="")})
        link = await site.services.auth.issue_login_link(ADMIN)
        resp = await client.get(f"/login/{link.token}", allow_redirects=False)
        assert resp.status == 302 and resp.headers["Location"] == location, wanted
    client.session.cookie_jar.clear()
    resp = await client.post(
        f"/record/{site.record_a}/review", data={"action": "pass"}, allow_redirects=False
    )
    assert resp.status == 302 and NEXT not in resp.cookies  # only a page is returned to, not a form's POST
