"""``BotApiEmulator``: the aiohttp server, its lifecycle and the HTTP side of every Bot API call.

The class is assembled from mixins, one per concern: ``control.py`` (what tests call), ``files.py``,
``methods.py`` / ``methods_media.py`` / ``methods_updates.py`` (the Bot API methods) and ``state.py``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.emulator.constants import CONFLICT_POLL, DEFAULT_BOT_FIRST_NAME, DEFAULT_BOT_USERNAME
from tests.emulator.control import ControlMixin
from tests.emulator.files import FilesMixin, StoredFile, UploadedFile
from tests.emulator.limits import RateLimits
from tests.emulator.methods import MessagesMixin
from tests.emulator.methods_media import MediaMixin
from tests.emulator.methods_updates import DEFAULT_ALLOWED, UpdatesMixin
from tests.emulator.state import ApiCall, ApiError, ChatState, Fault, Pending, SentMessage, StateMixin, bad
from tests.emulator.users import SimUser

log = logging.getLogger(__name__)

_TOKEN_RE = re.compile(r"^(\d+):([A-Za-z0-9_-]{20,})$")

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: CONFLICT_POLL,
    500: "Internal Server Error",
    503: "Service Unavailable",
}
_BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)

# Form values are strings; PTB JSON-encodes every non-string value. These parameters are strings in
# the Bot API, so they are kept verbatim (a text "123" must stay a string).
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "action",
        "url",
        "description",
        "short_description",
        "name",
        "title",
        "emoji",
        "language_code",
        "business_connection_id",
        "message_effect_id",
        "inline_message_id",
        "secret_token",
        "ip_address",
        "file_id",
        "question",
        "explanation",
        "address",
        "first_name",
        "last_name",
        "phone_number",
        "vcard",
        "query",
        "photo",
        "document",
        "voice",
        "sticker",
    }
)

_IMPLEMENTED = (
    "getMe",
    "getUpdates",
    "deleteWebhook",
    "setWebhook",
    "getWebhookInfo",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "answerCallbackQuery",
    "sendChatAction",
    "deleteMessage",
    "getFile",
    "sendDocument",
    "sendPhoto",
    "sendMediaGroup",
)


class BotApiEmulator(ControlMixin, MessagesMixin, MediaMixin, UpdatesMixin, FilesMixin, StateMixin):
    """The Bot API on ``127.0.0.1``: see the docstring of the ``tests.emulator`` package."""

    def __init__(
        self,
        *,
        bot_username: str = DEFAULT_BOT_USERNAME,
        bot_first_name: str = DEFAULT_BOT_FIRST_NAME,
        token: str | None = None,
        strict_html: bool = True,
        strict_chats: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.expected_token = token  # if set, any other well-formed token gets 401 Unauthorized
        self.strict_html = strict_html
        self.strict_chats = strict_chats
        self._clock = clock
        self.limits: RateLimits | None = None  # flood limits, when installed (limits.py)

        self.calls: list[ApiCall] = []
        self.sent: list[SentMessage] = []
        self.unknown_calls: list[ApiCall] = []
        self.deleted: list[tuple[int | str, int]] = []
        self.callback_answers: dict[str, dict] = {}
        self.internal_errors: list[BaseException] = []
        self.webhook_url: str = ""

        self._users: dict[int, SimUser] = {}
        self._chats: dict[int | str, ChatState] = {}
        self._pending: list[Pending] = []
        self._update_ids = itertools.count(700_000_001)
        self._last_update_id = 0
        self._query_ids = itertools.count(4_360_128_790_000_000_001)
        self._open_queries: dict[str, int] = {}
        self._file_counter = itertools.count(1)
        self._files: dict[str, StoredFile] = {}
        self._commands: dict[tuple[str, str], list[dict]] = {}
        self._allowed_updates: frozenset[str] = DEFAULT_ALLOWED
        self._faults: dict[str, deque[Fault]] = {}
        self._poller: object | None = None
        self._call_cursors: dict[str, int] = {}
        self._message_cursors: dict[int | str, int] = {}
        self._in_flight = 0
        self._last_activity = time.monotonic()
        self._closing = False
        self._event = asyncio.Event()

        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._methods: dict[str, Callable[[ApiCall], Any]] = {
            name.lower(): getattr(self, f"_api_{name}") for name in _IMPLEMENTED
        }
        self._canonical: dict[str, str] = {name.lower(): name for name in _IMPLEMENTED}

    # -- lifecycle ---------------------------------------------------------------------------------

    async def start(self) -> BotApiEmulator:
        if self._runner is not None:
            return self
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        # No access log: request paths carry the token. handler_cancellation: a client that gives up
        # (timeout, shutdown) cancels the request, as a dropped connection does on Telegram's side.
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._port = runner.addresses[0][1]
        self._closing = False
        log.debug("Bot API emulator listening on 127.0.0.1:%d", self._port)
        return self

    async def stop(self) -> None:
        if self._runner is None:
            return
        self._closing = True
        self._changed()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> BotApiEmulator:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the emulator is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """PTB's ``base_url`` (the token is appended by PTB)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # -- HTTP ---------------------------------------------------------------------------------------

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        params: dict[str, Any] = {}
        files: dict[str, UploadedFile] = {}
        for key, value in request.query.items():
            params[key] = _decode_form_value(key, value)
        if request.method != "POST" or not request.body_exists:
            return params, files
        if request.content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise bad("parameters must be a JSON object")
            params.update(body)
            return params, files
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = UploadedFile(key, value.filename, value.content_type, value.file.read())
            else:
                params[key] = _decode_form_value(key, value)
        return params, files

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        raw_method = request.match_info["method"]
        method = self._canonical.get(raw_method.lower(), raw_method)
        call = ApiCall(index=len(self.calls), method=method, params={}, token=token, started=time.monotonic())
        polling = method == "getUpdates"
        if not polling:
            self._in_flight += 1
        self.calls.append(call)
        self._activity()
        try:
            return await self._answer(request, call, token)
        finally:
            if call.status is None:
                call.status = 499  # the client closed the connection before the answer
            if not polling:
                self._in_flight -= 1
                self._activity()
            else:
                self._changed()

    async def _answer(self, request: web.Request, call: ApiCall, token: str) -> web.StreamResponse:
        fault: Fault | None = None
        try:
            call.params, call.files = await self._read_params(request)
            self._check_token(token)
            fault = self._take_fault(call.method, call.params)
            faulty = await self._apply_fault(request, call, fault)
            if faulty is not None:
                return faulty
            status, body = 200, {"ok": True, "result": await self._dispatch(call)}
        except ApiError as err:
            status, body = err.status, _error_body(err)
        except json.JSONDecodeError:
            status, body = (
                400,
                {"ok": False, "error_code": 400, "description": "Bad Request: can't parse JSON"},
            )
        except Exception as exc:  # a bug in the emulator: make the test fail loudly
            log.exception("Bot API emulator failed on %s", call.method)
            self.internal_errors.append(exc)
            status = 500
            body = {
                "ok": False,
                "error_code": 500,
                "description": f"Internal Server Error: emulator: {exc!r}",
            }
        call.status, call.response = status, body
        if status != 200:
            log.debug("emulator answers %s with %d: %s", call.method, status, body.get("description"))
        if fault is not None and fault.kind == "delay" and not fault.before:
            await asyncio.sleep(fault.seconds)
        return web.json_response(body, status=status, dumps=_dumps)

    def _check_token(self, token: str) -> None:
        if not _TOKEN_RE.match(token):
            raise ApiError(404, "Not Found")
        if self.expected_token is not None and token != self.expected_token:
            raise ApiError(401, "Unauthorized")

    async def _apply_fault(
        self, request: web.Request, call: ApiCall, fault: Fault | None
    ) -> web.StreamResponse | None:
        """Act out an injected fault before the method runs: wait, drop the connection, answer 502 or
        raise the injected error. A response means: answer it instead of calling the method."""
        if fault is None:
            return None
        if fault.kind == "delay" and fault.before:
            await asyncio.sleep(fault.seconds)
        if fault.kind == "drop":
            call.status = 0
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=204)  # never written: the connection is gone
        if fault.kind == "error":
            if fault.status == 502:
                call.status = 502
                return web.Response(status=502, text=_BAD_GATEWAY_HTML, content_type="text/html")
            description = fault.description or (
                f"Too Many Requests: retry after {fault.retry_after}"
                if fault.status == 429
                else _DEFAULT_DESCRIPTIONS.get(fault.status, "Error")
            )
            raise ApiError(
                fault.status,
                description,
                {"retry_after": fault.retry_after} if fault.status == 429 else None,
            )
        return None

    async def _dispatch(self, call: ApiCall) -> Any:
        handler = self._methods.get(call.method.lower())
        if handler is None:
            self.unknown_calls.append(call)
            raise ApiError(404, "Not Found: method not found")
        if self.limits is not None:
            self.limits.check(call)
        return await handler(call)


def _error_body(err: ApiError) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": err.status, "description": err.description}
    if err.parameters:
        body["parameters"] = err.parameters
    return body


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _decode_form_value(key: str, value: str) -> Any:
    if key in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value
