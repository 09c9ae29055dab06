"""Pages, scope, review with CSRF, files and export."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

from openpyxl import load_workbook

from tests.services.supervision_world import ADMIN, SEC_A, SUPERVISOR, add_record
from tests.web.world import logged_in


def _csrf(html: str) -> str:
    return html.split('name="csrf" value="')[1].split('"')[0]


async def test_overview_matrix_periods_and_escaping(client, site):
    await logged_in(client, site, SUPERVISOR)
    html = await (await client.get("/")).text()
    assert "第一支部" in html and "第二支部" in html and "第三支部" not in html  # the supervisor's district
    assert 'data-state="waiting"' in html and "待审核" in html and "合计" in html
    quarter = await client.get("/?period=2026-Q4")
    assert quarter.status == 200 and "2026年第四季度" in await quarter.text()
    bad = await client.get("/?period=2026-13")
    assert bad.status == 400 and "期间应写成" in await bad.text()


async def test_quarter_cells_and_totals_show_waiting_slots(client, site):
    """A quarter cell whose worst month is missing still says how many months wait for review, and the totals
    count waiting slots apart, as /status does (before: 未完成 0/2 and 0 / 0, the pending record invisible)."""
    site.world.clock.advance(timedelta(days=30))  # 20 December: November's record waits, December is missing
    await logged_in(client, site, SUPERVISOR)
    html = await (await client.get("/?period=2026-Q4")).text()
    assert "合计（已完成/待审核/逾期）" in html
    row = html.split("第一支部</a></td>")[1].split("</tr>")[0]
    assert 'data-state="missing"' in row and "0/2" in row and "（1期待审核）" in row
    foot = html.split("<tfoot>")[1].split("</tfoot>")[0]
    assert "<th>0 / 1 / 1</th>" in foot  # 第二支部 missed November


async def test_branch_and_record_pages(client, site):
    await logged_in(client, site, SUPERVISOR)
    branch = await (await client.get(f"/branch/{site.world.a}")).text()
    assert f"/file/{site.photo_a}/thumb" in branch and "组织" in branch
    record = await (await client.get(f"/record/{site.record_a}")).text()
    assert "会议室" in record and "&lt;script&gt;" in record and "<script>alert" not in record
    assert "<dd>主题党日（2026年11月）</dd>" in record  # the period as users read it, not 2026-11 (review 82)
    assert "提交" in record and 'id="return"' in record
    # The photo as its thumbnail, linking to the full image; the full image is never put on the page.
    assert f'<a href="/file/{site.photo_a}" title="查看原图"><img src="/file/{site.photo_a}/thumb"' in record
    assert f'src="/file/{site.photo_a}"' not in record
    thumb = await client.get(f"/file/{site.photo_a}/thumb")
    assert thumb.status == 200 and thumb.content_type == "image/jpeg" and len(await thumb.read()) > 100


async def test_supervisor_refused_another_district(client, site):
    await logged_in(client, site, SUPERVISOR)
    for path in (
        f"/branch/{site.world.c}",
        f"/record/{site.record_c}",
        f"/file/{site.photo_c}",
        f"/file/{site.photo_c}/thumb",
        "/branch/99999",
        "/branch/x",
    ):
        assert (await client.get(path)).status == 404, path
    resp = await client.post(f"/record/{site.record_c}/review", data={"action": "pass", "csrf": "x"})
    assert resp.status == 403


async def test_review_needs_csrf_and_tells_the_secretary(client, site):
    await logged_in(client, site, ADMIN)
    url = f"/record/{site.record_a}/review"
    for token in (None, "forged"):
        data = {"action": "return", "comment": "照片不清楚"} | ({"csrf": token} if token else {})
        assert (await client.post(url, data=data)).status == 403
    assert site.notified == []
    csrf = _csrf(await (await client.get(f"/record/{site.record_a}")).text())
    short = await client.post(url, data={"action": "return", "comment": "x", "csrf": csrf})
    assert "退回时请写明意见" in await short.text()
    resp = await client.post(url, data={"action": "return", "comment": "照片不清楚，请补充", "csrf": csrf})
    html = await resp.text()
    assert resp.status == 200 and "已退回" in html and "照片不清楚，请补充" in html
    [notice] = site.notified
    assert notice.user_id == SEC_A and notice.event == "returned" and notice.comment == "照片不清楚，请补充"


async def test_a_passed_record_is_not_returned_from_a_stale_page(client, site):
    """Chat and web agree: a page loaded before another reviewer passed the record cannot return it."""
    await logged_in(client, site, ADMIN)
    url = f"/record/{site.record_a}/review"
    csrf = _csrf(await (await client.get(f"/record/{site.record_a}")).text())
    assert (await site.services.review.pass_record(SUPERVISOR, site.record_a)).status == "ok"
    resp = await client.post(url, data={"action": "return", "comment": "照片不清楚，请补充", "csrf": csrf})
    html = await resp.text()
    assert resp.status == 200 and "这条记录已通过，无需再审核" in html
    assert 'id="return"' not in html and site.notified == []


async def test_export_xlsx_and_zip(client, site):
    await logged_in(client, site, SUPERVISOR)
    resp = await client.get("/export?period=2026-Q4&what=xlsx")
    assert resp.status == 200 and 'filename="ledger-2026-Q4.xlsx"' in resp.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(await resp.read()))
    assert len(wb.sheetnames) > 1
    resp = await client.get("/export?period=2026-11&what=zip")
    names = zipfile.ZipFile(io.BytesIO(await resp.read())).namelist()
    assert names and all("第三支部" not in n for n in names)  # scoped to the supervisor's district
    assert (await client.get("/export?period=nope")).status == 400


def test_period_choices_keep_the_year_that_has_just_closed():
    from datetime import date

    from handlers.web.pages import period_choices

    codes = [p.code for p in period_choices(date(2027, 1, 2))]
    assert codes == ["2026-11", "2026-12", "2027-01", "2027-Q1", "2026-Q4", "2027", "2026"]


async def test_overview_counts_every_record_waiting_for_review(client, site):
    """The page lists the oldest 20, but the heading counts them all (it used to count the page: 20)."""
    for day in range(1, 25):
        await add_record(site.world, site.world.a, SEC_A, kind="group_meeting", held_on=date(2026, 11, day))
    await logged_in(client, site, SUPERVISOR)
    html = await (await client.get("/")).text()
    assert "待审核（25）" in html  # record_a and the 24 above
    assert "以下为最早提交的 20 条" in html and html.count('<li><a href="/record/') == 20


async def test_a_withdrawn_record_shows_withdrawn_not_its_review(client, site):
    """A record passed and then withdrawn (possible before review 82) showed a green 已通过 with a grey note."""
    from storage.repositories import RecordRepository

    assert (await site.services.review.pass_record(ADMIN, site.record_a)).status == "ok"
    async with site.world.factory() as session, session.begin():
        await RecordRepository(session).withdraw(site.record_a, site.world.clock.now())
    await logged_in(client, site, SUPERVISOR)
    record = await (await client.get(f"/record/{site.record_a}")).text()
    assert '<span class="cell missing" id="review-state">已撤回</span>' in record and "已通过" not in record
    branch = await (await client.get(f"/branch/{site.world.a}")).text()
    card = branch.split(f'<a href="/record/{site.record_a}">')[1].split('<div class="card record">')[0]
    assert '<span class="cell missing">已撤回</span>' in card and "已通过" not in card


async def test_the_whole_review_queue_a_page_at_a_time(client, site):
    """The overview lists the 20 oldest waiting records and had no way to the rest (review 82): /queue?page=N,
    50 a page, scoped like the overview."""
    ids = [site.record_a]
    for i in range(119):
        site.world.clock.advance(timedelta(seconds=1))
        ids.append(await add_record(site.world, site.world.a, SEC_A, topic=f"第{i + 2:03d}条"))
    await logged_in(client, site, SUPERVISOR)
    overview = await (await client.get("/")).text()
    assert "待审核（120）" in overview and '<a class="btn" id="queue-all" href="/queue">' in overview

    def listed(html: str) -> list[int]:
        return [int(part.split('"')[0]) for part in html.split('<li><a href="/record/')[1:]]

    pages = [await (await client.get(path)).text() for path in ("/queue", "/queue?page=2", "/queue?page=3")]
    assert [listed(html) for html in pages] == [ids[:50], ids[50:100], ids[100:]]  # oldest first, none twice
    assert site.record_c not in listed("".join(pages))  # the other district's record
    assert "第 1 / 3 页" in pages[0] and 'id="queue-prev"' not in pages[0]
    assert 'href="/queue?page=2"' in pages[0] and '<ol class="list" start="1">' in pages[0]
    assert 'href="/queue?page=1"' in pages[1] and 'href="/queue?page=3"' in pages[1]
    assert 'id="queue-next"' not in pages[2] and '<ol class="list" start="101">' in pages[2]
    beyond = await client.get("/queue?page=9")
    assert beyond.status == 200 and "这一页没有记录。" in await beyond.text()
    assert 'href="/queue?page=3"' in await beyond.text()  # 上一页 leads back to the last page
    for bad in ("0", "-1", "x", "２", "99999999999"):
        assert (await client.get(f"/queue?page={bad}")).status == 400, bad
    client.session.cookie_jar.clear()
    assert (await client.get("/queue", allow_redirects=False)).headers["Location"] == "/login"
