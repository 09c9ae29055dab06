"""A tiny Bot API stand-in for CLI tests: aiohttp on 127.0.0.1 in a thread, one canned answer per method.

The CLI runs as a subprocess, so the server cannot live on the test's event loop; a thread with its own
loop serves while the (synchronous) test waits for the process.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from dataclasses import dataclass, field

from aiohttp import web

BOT_INFO = {
    "id": 123456,
    "is_bot": True,
    "first_name": "支部助手",
    "username": "branchbot_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
DEFAULT_RESULTS: dict[str, object] = {"getMe": BOT_INFO, "getUpdates": []}
UNAUTHORIZED = (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
BAD_GATEWAY_HTML = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


def closed_port() -> int:
    """A port on 127.0.0.1 nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class FakeBotApi:
    """``answers[method] = (status, json_body | text)``; unknown methods answer ``ok: true, result: true``."""

    answers: dict[str, tuple[int, object]] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (token, method)
    port: int = 0

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._serve, name="fake-bot-api", daemon=True)

    def answer(self, method: str, status: int, body: object) -> dict[str, str]:
        """Answer every call of ``method`` with ``status`` and ``body`` (JSON, or a str sent as HTML); returns
        an empty dict so that a test can write ``api.answer(...) | env``."""
        self.answers[method] = (status, body)
        return {}

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        token, method = request.match_info["token"], request.match_info["method"]
        self.calls.append((token, method))
        status, body = self.answers.get(
            method, (200, {"ok": True, "result": DEFAULT_RESULTS.get(method, True)})
        )
        if isinstance(body, str):
            return web.Response(status=status, text=body, content_type="text/html")
        return web.Response(status=status, text=json.dumps(body), content_type="application/json")

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    def start(self) -> FakeBotApi:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the fake Bot API did not start")
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
