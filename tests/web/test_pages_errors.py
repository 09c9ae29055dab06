"""Error pages and the review's outcome in Chinese: no bare aiohttp page, no 500 for a huge id, no text from the
link on the page, no review buttons where a review cannot work."""

from __future__ import annotations

from tests.services.supervision_world import ADMIN, SUPERVISOR
from tests.web.world import logged_in


def _csrf(html: str) -> str:
    return html.split('name="csrf" value="')[1].split('"')[0]


async def test_ids_no_row_can_have_are_pages_that_do_not_exist(client, site):
    await logged_in(client, site, SUPERVISOR)
    for path in (
        "/record/2147483648",
        "/record/99999999999999999999",
        "/branch/99999999999999999999",
        "/file/99999999999999999999",
        "/file/99999999999999999999/thumb",
        "/record/0",
        "/record/abc",
        "/record/１２",  # full-width digits
        "/no/such/page",
    ):
        resp = await client.get(path)
        html = await resp.text()
        assert resp.status == 404, path
        assert "找不到" in html and "Not Found" not in html and "返回总览" in html, path
        assert "/dashboard" not in html  # the login hint is for people who are not logged in


async def test_review_outcomes_are_chinese_and_a_crafted_flash_shows_nothing(client, site):
    await logged_in(client, site, ADMIN)
    page = await client.get(f"/record/{site.record_a}?done=您的账号已冻结")
    html = await page.text()
    assert "您的账号已冻结" not in html and 'id="flash"' not in html
    url = f"/record/{site.record_a}/review"
    csrf = _csrf(html)
    returned = await client.post(
        url, data={"action": "return", "comment": "照片不清楚，请补充", "csrf": csrf}
    )
    html = await returned.text()
    assert "已处理，已通知支部书记" in html
    # A returned record waits for the secretary: no 通过/退回 buttons, a note instead.
    assert 'id="pass"' not in html and 'id="return"' not in html and "等支部书记修改后重新提交" in html
    again = await client.post(url, data={"action": "pass", "csrf": csrf})
    html = await again.text()
    assert "审核状态已经变化" in html and "stale" not in html
    unchanged = await client.get(f"/record/{site.record_a}?done=unchanged")
    assert "无需再处理" in await unchanged.text()


async def test_an_unknown_action_or_another_districts_record_is_a_chinese_page(client, site):
    await logged_in(client, site, SUPERVISOR)
    csrf = _csrf(await (await client.get(f"/record/{site.record_a}")).text())
    bad = await client.post(f"/record/{site.record_a}/review", data={"action": "delete", "csrf": csrf})
    assert bad.status == 400 and "Bad Request" not in await bad.text()
    other = await client.post(f"/record/{site.record_c}/review", data={"action": "pass", "csrf": csrf})
    html = await other.text()
    assert other.status == 404 and "找不到这条记录" in html and "Not Found" not in html


def test_an_amendment_reads_as_old_and_new_never_digests():
    from datetime import datetime

    from handlers.services.history import HistoryEntry
    from handlers.web.pages import _changes

    digests = ["a" * 64, "b" * 64]
    changes = {
        "photos": [digests, [*digests, "c" * 64]],
        "expected": [None, 5],
        "actual": [4, 5],
        "absentees": [[{"name": "张三", "reason": "出差"}], []],
        "topic": ["旧主题", "新主题"],
    }
    text = _changes(HistoryEntry(datetime(2026, 12, 1), 1, "amended", "补充", changes))
    assert (
        text
        == "照片：2 张 → 3 张；应到人数：（空） → 5；实到人数：4 → 5；缺席人员：张三 → （空）；主题：旧主题 → 新主题"
    )
    assert "a" * 8 not in text and "None" not in text and "[" not in text


async def test_a_file_out_of_scope_is_the_chinese_error_page(client, site):
    """Another district's photo or its thumbnail: the same 404 page as any other page, not a line of plain text."""
    await logged_in(client, site, SUPERVISOR)
    for path in (f"/file/{site.photo_c}", f"/file/{site.photo_c}/thumb"):
        resp = await client.get(path)
        html = await resp.text()
        assert resp.status == 404 and resp.content_type == "text/html", path
        assert "<h1>找不到这个文件</h1>" in html and "不在您的督导范围内" in html and "返回总览" in html, path
        assert resp.headers["Cache-Control"] == "no-store"
