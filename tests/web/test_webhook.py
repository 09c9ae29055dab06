"""Telegram's webhook: 403 on a wrong or missing secret, stored before 200, processed once, recovered on restart."""

from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestClient, TestServer

from bot.web import webhook_route
from handlers.services.updates import UpdateStore
from handlers.web.webhook import SECRET_HEADER, WebhookReceiver
from tests.web.world import web_app

SECRET = "s3cret-Token_for-the-webhook"
PATH = "/telegram/hook-abc"


def _update(update_id: int) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "你好",
            "from": {"id": 5, "is_bot": False, "first_name": "甲"},
        },
    }  # fmt: skip


async def _client(site, receiver: WebhookReceiver) -> TestClient:
    app = web_app(site)
    app.router.add_post(PATH, receiver.handle)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


def _receiver(site, seen: list[int], worker: str, gate: asyncio.Event | None = None) -> WebhookReceiver:
    async def process(stored) -> None:
        if gate is not None:
            await gate.wait()
        seen.append(stored.update_id)

    store = UpdateStore(site.services.session_factory, site.world.clock, worker=worker)
    return WebhookReceiver(store, SECRET, process)


async def test_wrong_or_missing_secret_is_403(site):
    seen: list[int] = []
    receiver = _receiver(site, seen, "w1")
    client = await _client(site, receiver)
    try:
        for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET[:-1]}):
            resp = await client.post(PATH, json=_update(1), headers=headers)
            assert resp.status == 403
        assert await site.services.updates.depth() == 0 and seen == []
        bad = await client.post(PATH, data=b"not json", headers={SECRET_HEADER: SECRET})
        assert bad.status == 400
    finally:
        await client.close()


async def test_the_same_update_twice_is_processed_once(site):
    seen: list[int] = []
    receiver = _receiver(site, seen, "w1")
    client = await _client(site, receiver)
    try:
        for _ in range(2):
            resp = await client.post(PATH, json=_update(42), headers={SECRET_HEADER: SECRET})
            assert resp.status == 200
        await receiver.drain()
        resp = await client.post(PATH, json=_update(42), headers={SECRET_HEADER: SECRET})
        await receiver.drain()
        assert resp.status == 200 and seen == [42]
        assert await site.services.updates.depth() == 0
    finally:
        await client.close()


async def test_a_crash_between_storing_and_processing_is_recovered(site):
    seen: list[int] = []
    gate = asyncio.Event()  # never set: the first process dies while processing
    first = _receiver(site, seen, "dead", gate)
    client = await _client(site, first)
    try:
        resp = await client.post(PATH, json=_update(7), headers={SECRET_HEADER: SECRET})
        assert resp.status == 200  # stored before the 200
        assert await site.services.updates.depth() == 1
        for task in list(first.tasks):
            task.cancel()
        await first.drain()
    finally:
        await client.close()
    assert seen == [] and await site.services.updates.depth() == 1

    restarted = _receiver(site, seen, "new")
    assert await restarted.recover(force=True) == 1
    assert seen == [7] and await site.services.updates.depth() == 0
    assert await restarted.recover(force=True) == 0 and seen == [7]


def test_webhook_route():
    assert webhook_route("https://bot.example.org/telegram/abc/") == (
        "https://bot.example.org/telegram/abc",
        "/telegram/abc",
    )
    url, path = webhook_route("https://bot.example.org")
    assert path.startswith("/telegram/") and url == "https://bot.example.org" + path
