"""``branchbot run --webhook``'s loop (``bot.web.serve_webhook``) against the Bot API emulator: setWebhook with the
secret, the dashboard up beside the bot, an update stored by a process that died is processed at start-up."""

from __future__ import annotations

import asyncio

import aiohttp

from bot.app import build_application, build_services
from bot.web import attach, serve_webhook
from handlers.web.webhook import SECRET_HEADER
from tests.fixtures_bot import make_settings, run_migrations


async def test_serve_webhook_recovers_and_serves(emulator, tmp_path, kb):
    settings = make_settings(
        emulator, tmp_path, BRANCHBOT_REMINDERS="off", BRANCHBOT_PUBLIC_URL="https://bot.example.org",
    ).model_copy(update={"web_port": 0})  # fmt: skip
    # port 0 (a free one, read back below) is refused in the environment, so it is set here
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await run_migrations(settings)
    services = build_services(settings, kb=kb)
    alice = emulator.user(5151, "Alice")
    left_over = alice.text_update("/help", 880001)
    assert await services.updates.store_update(880001, left_over)  # stored, then the process died
    application = build_application(settings, services)
    await application.initialize()
    server = attach(application, settings, services, "https://bot.example.org/telegram/xyz")
    assert application.bot_data["public_url"] == "https://bot.example.org"
    stop = asyncio.Event()
    task = asyncio.create_task(serve_webhook(application, server, stop))
    try:
        reply = await emulator.wait_for_message(alice.id)
        assert reply.plain_text
        assert emulator.webhook_url == "https://bot.example.org/telegram/xyz"
        for _ in range(100):
            if await services.updates.depth() == 0:
                break
            await asyncio.sleep(0.05)
        assert await services.updates.depth() == 0
        port = server.runner.addresses[0][1]
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                assert resp.status == 200
            async with http.post(f"http://127.0.0.1:{port}/telegram/xyz", json={"update_id": 1}) as resp:
                assert resp.status == 403
            headers = {SECRET_HEADER: server.secret}
            async with http.post(
                f"http://127.0.0.1:{port}/telegram/xyz", json=left_over, headers=headers
            ) as resp:
                assert resp.status == 200  # a duplicate of the recovered one: ignored
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
    assert not application.running and server.runner is None
