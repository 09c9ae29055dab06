"""The dashboard's test world: the supervision world's branches and users, services over it, seeded records with
a photo (and its thumbnail) and minutes, login links, and an aiohttp test client on the web app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from handlers.services import Services
from handlers.services.auth import _digest
from handlers.services.metrics import Metrics
from handlers.web import WebConfig, build_web_app
from handlers.web.pages import NOTIFY
from handlers.web.session import COOKIE
from storage.repositories.web_auth import LoginLinkRepository
from tests.services.supervision_world import (
    ADMINS,
    SEC_A,
    SEC_C,
    World,
    add_record,
    jpeg,
    make_world,
    stored_photo,
)


@dataclass
class Site:
    world: World
    services: Services
    metrics: Metrics
    record_a: int  # branch a (the supervisor's district), pending review, with a photo and minutes
    record_c: int  # branch c (the other district)
    photo_a: int  # record_files ids
    photo_c: int
    notified: list
    ready: list[bool]


async def make_site(factory, tmp_path: Path) -> Site:
    world = await make_world(factory, tmp_path)
    services = Services(
        kb=None, session_factory=factory, clock=world.clock, admin_ids=ADMINS, data_dir=tmp_path / "data",
        files=world.store,
    )  # fmt: skip
    photo = await stored_photo(world, jpeg(800, 600))
    record_a = await add_record(
        world, world.a, SEC_A, files=[photo], place="会议室", expected=5, actual=4,
        minutes_text="会议记录：学习<script>alert(1)</script>全会精神。", held_on=date(2026, 11, 5),
    )  # fmt: skip
    other = await stored_photo(world, jpeg(640, 480, (30, 30, 200)))
    record_c = await add_record(world, world.c, SEC_C, files=[other])
    for rid in (record_a, record_c):
        assert await services.thumbnails.for_record(rid) == 1
    page_a = await services.browse.branch_page(900, world.a)
    page_c = await services.browse.branch_page(900, world.c)
    return Site(
        world, services, Metrics(), record_a, record_c,
        page_a.records[0].photos[0].file_id, page_c.records[0].photos[0].file_id, [], [True],
    )  # fmt: skip


def web_app(site: Site, public_url: str = "http://127.0.0.1:8080"):
    config = WebConfig(public_url=public_url, ready=lambda: site.ready[0], metrics=site.metrics)
    app = build_web_app(site.services, config)

    async def notify(items):
        site.notified.extend(items)

    app[NOTIFY] = notify
    return app


async def client_for(site: Site, **kwargs) -> TestClient:
    client = TestClient(TestServer(web_app(site, **kwargs)))
    await client.start_server()
    return client


async def link_for(site: Site, user_id: int, *, expires_in: timedelta = timedelta(minutes=10)) -> str:
    """A login link for anyone (also one the service would refuse to issue, e.g. a secretary's)."""
    token = f"test-token-{user_id}-{int(expires_in.total_seconds())}-abcdef"
    now = site.world.clock.now()
    async with site.world.factory() as session, session.begin():
        await LoginLinkRepository(session).add(
            token_hash=_digest(token), user_id=user_id, at=now, expires_at=now + expires_in
        )
    return token


async def logged_in(client: TestClient, site: Site, user_id: int) -> None:
    link = await site.services.auth.issue_login_link(user_id)
    assert link.status == "ok"
    resp = await client.get(f"/login/{link.token}", allow_redirects=False)
    assert resp.status == 302 and COOKIE in resp.cookies
