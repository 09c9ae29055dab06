"""A record's history on the dashboard names who did each step, as the ledger's 提交人 does."""

from __future__ import annotations

from tests.services.supervision_world import ADMIN, SEC_A, SUPERVISOR
from tests.web.world import logged_in


async def test_the_history_names_the_submitter(client, site):
    await logged_in(client, site, SUPERVISOR)
    page = await (await client.get(f"/record/{site.record_a}")).text()
    assert f"提交 · 书记{SEC_A}" in page, page
    assert f"用户 {SEC_A}" not in page


async def test_an_administrator_is_labelled(client, site):
    await logged_in(client, site, ADMIN)
    page = await (await client.get(f"/record/{site.record_a}")).text()
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    await client.post(f"/record/{site.record_a}/review", data={"action": "pass", "csrf": csrf})
    page = await (await client.get(f"/record/{site.record_a}")).text()
    assert f"通过 · 管理员 {ADMIN}" in page, page


async def test_a_former_secretary_and_a_chat_reviewer_stay_named(client, site):
    """After a hand-over the former secretary still names their records (history and ledger), and a supervisor who
    reviewed in chat is named, not 用户 <id>."""
    import io

    from openpyxl import load_workbook

    from storage.repositories import BranchRepository

    passed = await site.services.review.pass_record(SUPERVISOR, site.record_a, name="赵督导")
    assert passed.status == "ok"
    async with site.world.factory() as session, session.begin():
        await BranchRepository(session).set_secretary(site.world.a, 4242, "新书记", site.world.clock.now())
    await logged_in(client, site, ADMIN)
    page = await (await client.get(f"/record/{site.record_a}")).text()
    assert f"提交 · 书记{SEC_A}" in page and "通过 · 赵督导" in page, page
    assert "用户 " not in page
    resp = await client.get("/export?period=2026-11&what=xlsx")
    cells = {c for ws in load_workbook(io.BytesIO(await resp.read())) for row in ws.values for c in row}
    assert f"书记{SEC_A}" in cells and SEC_A not in cells and str(SEC_A) not in cells


async def test_a_reviewer_who_only_acts_on_the_web_is_named(client, site):
    """The name the chat gave when the login link was issued (/dashboard) is kept: a supervisor who logs in and
    returns a record on the web is named in its history, not 用户 <id>."""
    from handlers.web.session import COOKIE

    link = await site.services.auth.issue_login_link(SUPERVISOR, "钱督导")
    resp = await client.get(f"/login/{link.token}", allow_redirects=False)
    assert resp.status == 302 and COOKIE in resp.cookies
    page = await (await client.get(f"/record/{site.record_a}")).text()
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    data = {"action": "return", "comment": "缺少签到表", "csrf": csrf}
    await client.post(f"/record/{site.record_a}/review", data=data)
    page = await (await client.get(f"/record/{site.record_a}")).text()
    assert "退回 · 钱督导" in page and f"用户 {SUPERVISOR}" not in page, page
