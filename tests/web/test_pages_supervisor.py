"""The dashboard as a supervisor reads it: who leads a branch, downloads named as the ledger names them, the chat's
names for the roles (defects found by helper-96's review of the supervisors' web)."""

from __future__ import annotations

import io
import zipfile
from email import policy
from email.message import EmailMessage
from urllib.parse import quote

from handlers.web.session import REFUSED
from storage.repositories import BranchRepository, ReminderRepository
from tests.services.supervision_world import ADMIN, SEC_A, SUPERVISOR
from tests.web.world import logged_in


def _saved_as(disposition: str) -> tuple[str | None, str | None]:
    """What a browser saves a download as (the RFC 5987 ``filename*``, which browsers prefer, decoded as the
    standard library decodes RFC 2231 parameters) and the ASCII fallback ``filename=``."""
    params = dict(part.split("=", 1) for part in disposition.split("; ")[1:])
    extended = EmailMessage(policy=policy.default)
    extended["Content-Disposition"] = f"attachment; filename*={params.get('filename*', '')}"
    return extended.get_filename(), params.get("filename", "").strip('"') or None


async def test_the_branch_page_says_who_the_secretary_is(client, site):
    """As /branches says it: the secretary's name, 尚无书记, and the warning when the bot cannot reach them (the
    page showed the company, form and member count only)."""
    await logged_in(client, site, SUPERVISOR)
    url = f"/branch/{site.world.a}"
    html = await (await client.get(url)).text()
    assert (
        "<dt>支部书记</dt><dd>书记101" in html and "无法联系" not in html
    )  # supervision_world: 书记{user id}
    now = site.world.clock.now()
    async with site.world.factory() as session, session.begin():
        await ReminderRepository(session).mark_unreachable(site.world.a, secretary_user_id=SEC_A, at=now)
    html = await (await client.get(url)).text()
    assert "书记101" in html and "无法联系：提醒已暂停，待其重新发送 /start" in html
    async with site.world.factory() as session, session.begin():
        await BranchRepository(session).set_secretary(site.world.a, None, None, now)
    html = await (await client.get(url)).text()
    assert "尚无书记" in html and "书记101" not in html and "无法联系" not in html


async def test_downloads_are_named_in_chinese_like_the_zip(client, site):
    """The exports and a photo save under Chinese names (RFC 6266 / 5987 ``filename*=UTF-8''``, with an ASCII
    ``filename=`` for old clients); the photo's name is the one it has in the zip of the evidence."""
    await logged_in(client, site, ADMIN)
    ledger = await client.get("/export?period=2026-Q4&what=xlsx")
    assert ledger.status == 200
    header = ledger.headers["Content-Disposition"]
    assert (
        header.startswith("attachment; ")
        and f"filename*=UTF-8''{quote('党支部活动台账-2026年第四季度.xlsx')}" in header
    )
    assert _saved_as(header) == ("党支部活动台账-2026年第四季度.xlsx", "ledger-2026-Q4.xlsx")
    evidence = await client.get("/export?period=2026-11&what=zip")
    assert _saved_as(evidence.headers["Content-Disposition"]) == (
        "佐证材料-2026年11月.zip",
        "evidence-2026-11.zip",
    )
    in_zip = [n.rsplit("/", 1)[-1] for n in zipfile.ZipFile(io.BytesIO(await evidence.read())).namelist()]
    photo = await client.get(f"/file/{site.photo_a}")
    name, fallback = _saved_as(photo.headers["Content-Disposition"])
    assert photo.headers["Content-Disposition"].startswith("inline; ")
    assert name.endswith("-照片1.jpg") and name in in_zip, (name, in_zip)
    assert fallback == name.replace("照片", "photo") and fallback.isascii()
    thumb = await client.get(f"/file/{site.photo_a}/thumb")
    assert _saved_as(thumb.headers["Content-Disposition"]) == (
        name.replace(".jpg", "-缩略图.jpg"),
        fallback.replace(".jpg", "-thumb.jpg"),
    )


async def test_an_export_of_an_unknown_kind_is_refused_in_chinese(client, site):
    """?what=pdf returned the xlsx as if nothing were wrong."""
    await logged_in(client, site, SUPERVISOR)
    for what in ("pdf", "XLSX", ""):
        resp = await client.get(f"/export?period=2026-Q4&what={what}")
        html = await resp.text()
        assert resp.status == 400 and "导出类型有误" in html and "Content-Disposition" not in resp.headers


async def test_the_web_calls_supervisors_what_the_chat_calls_them(client, site):
    """The chat says 片区督导员 and 上级党委管理员 (/supervisor, /dashboard); the web said 片区督导 and
    上级党组织的管理员."""
    await logged_in(client, site, SUPERVISOR)
    html = await (await client.get("/")).text()
    assert "<span>片区督导员</span>" in html
    csrf = html.split('name="csrf" value="')[1].split('"')[0]
    await client.post("/logout", data={"csrf": csrf})
    login = await (await client.get("/login")).text()
    assert "只有上级党委管理员和片区督导员可以登录" in login and "上级党组织" not in login
    for _, title, text in REFUSED.values():
        assert "上级党组织" not in text and "片区督导使用" not in text and "片区督导可以" not in text, title
    assert "上级党委管理员和片区督导员" in REFUSED["secretary"][2] + REFUSED["not_allowed"][2]
    await logged_in(client, site, ADMIN)
    assert "<span>上级党委管理员</span>" in await (await client.get("/")).text()


async def test_the_login_page_sends_someone_logged_in_on_to_the_dashboard(client, site):
    """A logged-in user opening /login (a bookmark, the back button) was told 请先登录."""
    assert (await client.get("/login", allow_redirects=False)).status == 401
    await logged_in(client, site, SUPERVISOR)
    resp = await client.get("/login", allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"] == "/"
    page = await client.get("/login")
    assert page.status == 200 and "请先登录" not in await page.text()
