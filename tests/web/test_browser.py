"""The dashboard in headless Chromium (Debian's ``chromium``, driven by playwright with ``executable_path``).

Logs in by link, sees a seeded branch's status, loads a thumbnail, returns a record with a comment (the secretary is
told), downloads an export and opens it with openpyxl, and meets each refused page. Screenshots of the overview at
390 px and 1280 px go to the test's tmp dir and to ``artifacts/`` at the repository root.
"""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web
from openpyxl import load_workbook

from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade_async
from tests.services.supervision_world import ADMIN, SEC_A, SUPERVISOR
from tests.web.world import link_for, make_site, web_app

CHROMIUM = Path(os.environ.get("BRANCHBOT_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason=f"{CHROMIUM} is missing (apt-get install chromium)",
)


@pytest.fixture
async def served(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/db.sqlite"
    await upgrade_async(url)
    engine = make_engine(url)
    site = await make_site(make_session_factory(engine), tmp_path)
    runner = web.AppRunner(web_app(site))
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = runner.addresses[0][1]
    try:
        yield site, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
        await engine.dispose()


@pytest.fixture
async def browser():
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True
        )
        try:
            yield chromium
        finally:
            await chromium.close()


def _keep(path: Path) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    kept = ARTIFACTS / path.name
    shutil.copyfile(path, kept)
    print(f"screenshot: {path} -> {kept}")
    return kept


async def test_dashboard_in_chromium(served, browser, tmp_path):
    site, base = served
    context = await browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
    page = await context.new_page()
    link = await site.services.auth.issue_login_link(ADMIN)
    await page.goto(f"{base}/login/{link.token}")
    assert page.url == f"{base}/"
    row = page.locator("table.matrix tbody tr", has_text="第一支部")
    assert await row.locator('.cell.wait[data-state="waiting"]').count() >= 1
    await page.click("text=2026年第四季度")
    assert page.url == f"{base}/?period=2026-Q4"
    # The branches were created on 20 November: October's monthly slots are not owed, so nothing is overdue yet.
    assert await page.locator("table.matrix .cell.overdue").count() == 0
    assert await row.locator(".cell.missing", has_text="0/2").count() >= 1
    phone = tmp_path / "overview-390.png"
    await page.screenshot(path=str(phone), full_page=True)
    await page.set_viewport_size({"width": 1280, "height": 900})
    desk = tmp_path / "overview-1280.png"
    await page.screenshot(path=str(desk), full_page=True)
    for shot in (phone, desk):
        assert shot.stat().st_size > 5000
        _keep(shot)

    await page.click("text=第一支部")
    thumb = page.locator(".thumbs img").first
    await thumb.wait_for()
    await page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=await thumb.element_handle()
    )
    assert await thumb.evaluate("img => img.naturalWidth") > 0

    await page.goto(f"{base}/record/{site.record_a}")
    await page.fill("#comment", "照片看不清，请补拍")
    await page.click("#return")
    assert await page.locator("#review-state").inner_text() == "已退回"
    assert "照片看不清，请补拍" in await page.content()
    await page.set_viewport_size({"width": 390, "height": 844})
    record_shot = tmp_path / "record-390.png"
    await page.screenshot(path=str(record_shot), full_page=True)
    _keep(record_shot)
    [notice] = site.notified
    assert (notice.user_id, notice.event, notice.comment) == (SEC_A, "returned", "照片看不清，请补拍")
    view = await site.services.review.open(ADMIN, site.record_a)
    assert view.review_state == "returned" and view.return_comment == "照片看不清，请补拍"

    await page.goto(f"{base}/?period=2026-Q4")
    async with page.expect_download() as info:
        await page.click("#export-xlsx")
    download = await info.value
    saved = tmp_path / download.suggested_filename
    await download.save_as(str(saved))
    wb = load_workbook(saved)
    assert saved.name == "党支部活动台账-2026年第四季度.xlsx" and len(wb.sheetnames) > 1
    await context.close()


async def test_refused_pages_in_chromium(served, browser):
    site, base = served
    page = await browser.new_page()
    cases = []
    response = await page.goto(f"{base}/login/forged-link-never-issued")
    cases.append((response.status, "无效的登录链接", await page.content()))
    expired = await link_for(site, SUPERVISOR, expires_in=timedelta(minutes=1))
    site.world.clock.advance(timedelta(minutes=2))
    response = await page.goto(f"{base}/login/{expired}")
    cases.append((response.status, "登录链接已过期", await page.content()))
    response = await page.goto(f"{base}/login/{await link_for(site, SEC_A)}")
    cases.append((response.status, "支部书记不能登录网页看板", await page.content()))
    for (status, title, html), expected in zip(cases, (403, 410, 403), strict=True):
        assert status == expected and title in html and "/dashboard" in html
    link = await site.services.auth.issue_login_link(SUPERVISOR)
    await page.goto(f"{base}/login/{link.token}")
    second = await browser.new_page()
    response = await second.goto(f"{base}/login/{link.token}")
    assert response.status == 410 and "登录链接已使用过" in await second.content()
    response = await page.goto(f"{base}/branch/{site.world.c}")
    assert response.status == 404 and "不在您的督导范围内" in await page.content()
    response = await page.goto(f"{base}/file/{site.photo_c}")
    assert response.status == 404
    await second.close()
    fresh = await browser.new_context()
    anon = await fresh.new_page()
    await anon.goto(f"{base}/")
    assert anon.url == f"{base}/login" and "/dashboard" in await anon.content()
    await fresh.close()


async def test_the_matrix_keeps_its_headings_and_a_narrow_name_column_on_a_phone(served, browser, tmp_path):
    """helper-74's review: on a 390 px phone a long branch name made the sticky name column 220 px wide (one kind
    column left in view), and scrolling down carried the heading row away (sticky cannot hold in a box that
    only scrolls sideways)."""
    site, base = served
    context = await browser.new_context(viewport={"width": 390, "height": 844})
    page = await context.new_page()
    link = await site.services.auth.issue_login_link(ADMIN)
    await page.goto(f"{base}/login/{link.token}")
    # 200 rows, the first with a long name, as a district of many branches would give.
    await page.evaluate(
        """() => {
            const body = document.querySelector('table.matrix tbody');
            const first = body.querySelector('tr');
            first.querySelector('td a').textContent = '某某市某某区某某科技发展有限公司联合党支部';
            for (let i = 0; i < 200; i++) body.appendChild(first.cloneNode(true));
        }"""
    )
    width = await page.evaluate(
        "() => document.querySelector('table.matrix td').getBoundingClientRect().width"
    )
    assert width <= 0.35 * 390, width
    wrap = page.locator(".table-wrap")
    assert await wrap.evaluate("w => w.scrollHeight > w.clientHeight + 100")  # it scrolls inside itself
    await wrap.evaluate("w => { w.scrollIntoView(); w.scrollTop = 3000; }")
    top = await page.evaluate(
        """() => {
            const wrap = document.querySelector('.table-wrap').getBoundingClientRect();
            const head = document.querySelector('table.matrix thead th:nth-child(2)').getBoundingClientRect();
            return head.top - wrap.top;
        }"""
    )
    assert -1 <= top <= 2, top  # the heading row stays at the top of the box
    shot = tmp_path / "overview-390-scrolled.png"
    await page.screenshot(path=str(shot))
    _keep(shot)
    await context.close()
