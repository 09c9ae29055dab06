"""What a branch owed follows its profile as it was (helper-87's review): a change of form or formal members today
leaves the closed periods as they were, on the dashboard and in the ledger; a branch of fewer than 7 formal members
owes no 支部委员会 or 党小组会 (《中国共产党支部工作条例（试行）》), shown as 无需开展 and not overdue."""

from __future__ import annotations

import io
import re
from datetime import datetime

from openpyxl import load_workbook

from handlers.services.clock import SHANGHAI
from storage.repositories import BranchRepository
from tests.services.supervision_world import ADMIN
from tests.web.world import logged_in

JAN_5 = datetime(2026, 1, 5, 10, tzinfo=SHANGHAI)


async def _branch(site, name: str, form: str, members: int, secretary: int) -> int:
    async with site.world.factory() as s, s.begin():
        repo = BranchRepository(s)
        branch = await repo.add(
            org_name=name + "公司", name=name, form=form, formal_members=members, at=JAN_5
        )
        await repo.set_secretary(branch.id, secretary, "书记", JAN_5)
        return branch.id


async def _row(client, period: str, name: str) -> tuple[list[tuple[str, str]], str]:
    """The row's cells (state, label) and its overdue count on the overview of ``period``."""
    html = await (await client.get(f"/?period={period}")).text()
    row = html.split(f">{name}</a></td>")[1].split("</tr>")[0]
    overdue = row.rsplit("<td>", 1)[1].split("</td>")[0]
    return re.findall(r'data-state="([^"]+)">([^<]*)', row), overdue


async def _ledger(client, period: str, name: str) -> tuple:
    resp = await client.get(f"/export?period={period}&what=xlsx")
    sheet = load_workbook(io.BytesIO(await resp.read()))["汇总"]
    return next(r for r in sheet.iter_rows(values_only=True) if r[0] == name)


async def test_a_profile_change_leaves_closed_periods_as_they_were(client, site):
    own = await _branch(site, "缺课支部", "single", 8, 4321)
    attached = await _branch(site, "挂靠小组", "attached", 2, 4322)
    await logged_in(client, site, ADMIN)
    before = [await _row(client, "2026-Q3", name) for name in ("缺课支部", "挂靠小组")]
    ledger = await _ledger(client, "2026-Q3", "缺课支部")
    assert before[0][1] == "15"  # 4 monthly kinds x 3 and 3 quarterly ones, none recorded
    assert before[1][1] == "0" and {state for state, _ in before[1][0]} == {"exempt"}

    await site.services.branches.update(own, form="attached")  # what /branch does on 组织形式
    await site.services.branches.update(attached, form="single", formal_members=8)

    assert [await _row(client, "2026-Q3", name) for name in ("缺课支部", "挂靠小组")] == before
    assert await _ledger(client, "2026-Q3", "缺课支部") == ledger
    # A change counts from the next period (helper-89's review: a change on a period's last evening erased what
    # it owed): November is owed as the branches began it, December by their profile of today.
    now_own, now_attached = [await _row(client, "2026-11", name) for name in ("缺课支部", "挂靠小组")]
    assert "missing" in {state for state, _ in now_own[0]}
    assert {state for state, _ in now_attached[0]} == {"exempt"}
    next_own, next_attached = [await _row(client, "2026-12", name) for name in ("缺课支部", "挂靠小组")]
    assert next_own[0][0][0] == "exempt"  # December's 主题党日; Q4 and the year began with the old profile:
    assert next_own[0][3][0] == "missing" and next_own[0][7][0] == "missing"  # 党员大会, 述职评议 still owed
    assert "upcoming" in {state for state, _ in next_attached[0]}


async def test_a_small_branch_owes_no_committee_meeting(client, site):
    await _branch(site, "小支部", "single", 5, 4323)
    await _branch(site, "大支部", "single", 9, 4324)
    await logged_in(client, site, ADMIN)
    small, small_overdue = await _row(client, "2026-Q3", "小支部")
    big, big_overdue = await _row(client, "2026-Q3", "大支部")
    # Columns: 主题党日, 支部委员会, 党小组会, ...
    assert small[1] == ("exempt", "无需开展") and small[2] == ("exempt", "无需开展")
    assert big[1][0] == "missing" and big[2][0] == "missing"
    assert (small_overdue, big_overdue) == ("9", "15")
    ledger = await _ledger(client, "2026-Q3", "小支部")
    assert ledger[3] == ledger[4] == "无需开展"
    html = await (await client.get("/?period=2026-Q3")).text()
    assert "正式党员不足7名的支部不设支部委员会" in html
