"""The record page shows the absentees once, as names and reasons (never the stored JSON)."""

from __future__ import annotations

from tests.services.supervision_world import ADMIN, SEC_A, add_record
from tests.web.world import logged_in


async def test_the_absentees_are_shown_once_and_readable(client, site):
    absentees = [{"name": "张三", "reason": "出差"}, {"name": "李四", "reason": ""}]
    record_id = await add_record(site.world, site.world.a, SEC_A, expected=8, actual=6, absentees=absentees)
    await logged_in(client, site, ADMIN)
    page = await (await client.get(f"/record/{record_id}")).text()
    assert "<dt>缺席</dt><dd>张三（出差）；李四</dd>" in page, page
    assert "缺席人员" not in page and "&#39;name&#39;" not in page and "{" not in page.split("<main")[-1]
    assert "<dt>应到人数</dt><dd>8</dd>" in page
