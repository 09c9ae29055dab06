"""A branch closed (撤销) on 3 December 2026 (the branches: 20 November) on the dashboard: the quarter and the
year still show it for November, the month it existed in, marked closed with the date, and owing nothing from
December; its branch page opens with its records but says it was closed and asks for nothing more."""

from __future__ import annotations

from datetime import datetime

from handlers.services.clock import SHANGHAI
from storage.repositories import BranchRepository
from tests.services.supervision_world import ADMIN, SUPERVISOR
from tests.web.world import logged_in


async def _close_a(site, day: int = 3) -> None:
    site.world.clock.current = datetime(2026, 12, day, 15, 0, tzinfo=SHANGHAI)
    assert (await site.services.branch_admin.close(site.world.a)).status == "ok"
    site.world.clock.current = datetime(2026, 12, 5, 10, 0, tzinfo=SHANGHAI)


def _row(html: str, name: str) -> str:
    return html.split(f"{name}</a>")[1].split("</tr>")[0]


async def test_a_quarter_and_a_year_keep_a_branch_closed_within_them(client, site):
    await _close_a(site)
    await logged_in(client, site, SUPERVISOR)
    for period in ("2026-Q4", "2026"):
        html = await (await client.get(f"/?period={period}")).text()
        assert "第一支部</a>" in html, period  # it existed all November
        row = _row(html, "第一支部")
        assert 'data-reason="closed">已撤销（2026-12-03）</small>' in row
        # A monthly kind: November owed (its record waits; the others missed, overdue), December not: 0/1.
        assert 'data-state="waiting">待审核 0/1<' in row
        assert row.count('class="cell overdue" title="未完成" data-state="missing">未完成 0/1<') == 3, row
        # The three quarterly kinds and the yearly one end after the closure: not owed.
        assert row.count('class="cell na" title="已撤销" data-state="closed">已撤销<') == 4, row
        assert row.endswith("<td>3</td>\n"), row  # November's three missed kinds, nothing of December
        assert "已撤销</small>" not in _row(html, "第二支部")
    december = await (await client.get("/?period=2026-12")).text()
    assert "第一支部</a>" not in december  # it owes nothing in December


async def test_a_closed_branch_page_says_so_and_asks_for_nothing(client, site):
    async with site.world.factory() as session, session.begin():
        await BranchRepository(session).update(site.world.a, at=site.world.clock.now(), formal_members=2)
    await logged_in(client, site, ADMIN)
    before = await (await client.get(f"/branch/{site.world.a}")).text()
    assert "应采取联合建或挂靠建" in before and "撤销" not in before
    await _close_a(site)
    await logged_in(client, site, ADMIN)  # two weeks later: a new session
    page = await client.get(f"/branch/{site.world.a}")
    html = await page.text()
    assert page.status == 200
    assert '<p class="notice error" data-reason="closed">该支部已于2026-12-03撤销' in html
    assert f"/file/{site.photo_a}/thumb" in html  # its records stay visible
    assert "应采取联合建或挂靠建" not in html and "组织设置符合讲话要求" not in html  # no profile to fix
    assert "尚无书记" not in html and "无（已撤销）" in html  # no secretary to find
    other = await (await client.get(f"/branch/{site.world.b}")).text()
    assert "撤销" not in other


async def test_a_month_keeps_a_branch_closed_within_it_with_its_record(client, site):
    """Closed on 25 November after its 主题党日 of the 5th (waiting): the November page shows it with that record,
    marked closed with the date, its other kinds 已撤销, nothing owed or overdue; the branch closed that day with
    nothing in November stays out."""
    site.world.clock.current = datetime(2026, 11, 25, 15, 0, tzinfo=SHANGHAI)
    for branch in (site.world.a, site.world.b):
        assert (await site.services.branch_admin.close(branch)).status == "ok"
    site.world.clock.current = datetime(2026, 12, 5, 10, 0, tzinfo=SHANGHAI)
    await logged_in(client, site, ADMIN)
    html = await (await client.get("/?period=2026-11")).text()
    assert "第一支部</a>" in html and "第二支部</a>" not in html
    row = _row(html, "第一支部")
    assert 'data-reason="closed">已撤销（2026-11-25）</small>' in row
    assert row.count('data-state="waiting">') == 1, row  # its 主题党日
    assert row.count('class="cell na" title="已撤销" data-state="closed">已撤销<') == 7, row
    assert "overdue" not in row and row.endswith("<td>0</td>\n"), row
