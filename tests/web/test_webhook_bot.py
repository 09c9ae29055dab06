"""The webhook through the real application (Bot API emulator): an update posted to the webhook route is stored,
answered 200, processed by the bot's handlers once, and counted in /metrics; ``attach`` adds the route."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from bot.config import SecretStr
from bot.web import WebServer, attach
from handlers.services.metrics import METRICS
from handlers.web.webhook import SECRET_HEADER


async def test_webhook_update_reaches_the_bot_once(make_bot):
    async with make_bot() as bot:
        alice = bot.emulator.user(4242, "Alice")
        settings = bot.settings.model_copy(update={"webhook_secret": SecretStr("hook-secret-123")})
        server = attach(bot.application, settings, bot.services, "https://bot.example.org/telegram/hook")
        assert isinstance(server, WebServer) and server.webhook_path == "/telegram/hook"
        assert server.secret == "hook-secret-123"
        client = TestClient(TestServer(server.build()))
        await client.start_server()
        before = METRICS.updates._value.get()
        update = alice.text_update("/help", 777001)
        try:
            wrong = await client.post("/telegram/hook", json=update, headers={SECRET_HEADER: "nope"})
            assert wrong.status == 403
            for _ in range(2):
                resp = await client.post(
                    "/telegram/hook", json=update, headers={SECRET_HEADER: server.secret}
                )
                assert resp.status == 200
            await server.receiver.drain()
            reply = await bot.emulator.wait_for_message(alice.id)
            assert reply.plain_text
            assert await bot.services.updates.depth() == 0
            assert METRICS.updates._value.get() == before + 1
            health = await client.get("/healthz")
            assert health.status == 200
        finally:
            await client.close()
