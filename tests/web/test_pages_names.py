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
