"""An in-process emulator of the Telegram Bot API, so that tests never talk to Telegram.

``BotApiEmulator`` is a small aiohttp server on ``127.0.0.1`` that answers ``/bot<token>/<method>``
with the same JSON shapes as ``api.telegram.org`` and validates requests the way Telegram does for the
methods the bot uses (empty or too long texts, HTML that Telegram cannot parse, edits that change
nothing, oversized ``callback_data`` ...). Point PTB's ``base_url`` at :attr:`BotApiEmulator.base_url`.

Simulated users (:meth:`BotApiEmulator.user`) enqueue realistic updates that the bot fetches with
``getUpdates`` (long polling, ``offset`` confirmation and ``limit`` as on the real server). Every call
is recorded in :attr:`BotApiEmulator.calls`; what the bot sent or edited is in
:attr:`BotApiEmulator.sent`. Faults can be injected (:meth:`BotApiEmulator.fail_next`,
:meth:`BotApiEmulator.delay_next`, :meth:`BotApiEmulator.drop_next`).

Example::

    async with BotApiEmulator() as emu:
        alice = emu.user(1001, "Alice")
        alice.send_text("/start")
        reply = await emu.wait_for_message(alice.id)
        assert "您好" in reply.text

Deliberate differences from the real server (all on the strict side): in ``parse_mode=HTML`` a bare
``&`` or ``>`` is rejected (Telegram tolerates them, but they mean some text was not escaped and the
next ``<`` in user input will break the message); pass ``strict_html=False`` to relax this.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import itertools
import json
import logging
import re
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

DEFAULT_BOT_USERNAME = "branchbot_test_bot"
DEFAULT_BOT_FIRST_NAME = "BranchBot Test"

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
MAX_LONG_POLL = 50.0

_TOKEN_RE = re.compile(r"^(\d+):([A-Za-z0-9_-]{20,})$")
_COMMAND_RE = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?(?![\w/])")
_BOT_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)

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

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

_UPDATE_TYPES = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
)
# Without allowed_updates Telegram sends every type except these three.
_DEFAULT_ALLOWED = frozenset(_UPDATE_TYPES) - {"chat_member", "message_reaction", "message_reaction_count"}

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

_INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


# --------------------------------------------------------------------------------------------------
# Text helpers: UTF-16 lengths, entity parsing (HTML, MarkdownV2, Markdown)
# --------------------------------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text.encode("utf-16-le")) // 2


class EntityParseError(ValueError):
    """The text cannot be parsed in the given parse mode (Telegram: "can't parse entities")."""


_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_HTML_NAME_RE = re.compile(r"[A-Za-z0-9-]+")
_HTML_UNQUOTED_RE = re.compile(r"[^\s>]+")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


@dataclass
class _OpenTag:
    name: str
    offset: int  # UTF-16 offset in the output text
    byte_offset: int
    attrs: dict[str, str]
    language: str | None = None


def parse_html(text: str, *, strict: bool = True) -> tuple[str, list[dict]]:
    """Parse Telegram-flavoured HTML into ``(plain_text, entities)``; raise :class:`EntityParseError`.

    Follows tdlib's ``parse_html``: only Telegram's tags, properly nested and closed; ``&lt;`` ``&gt;``
    ``&amp;`` ``&quot;`` and numeric character references. With ``strict`` a bare ``&`` or ``>`` is an
    error as well (Telegram keeps them literally, but they betray unescaped text).
    """
    out: list[str] = []
    pos = 0
    stack: list[_OpenTag] = []
    entities: list[dict] = []
    n = len(text)
    i = 0

    def boff(index: int) -> int:
        return len(text[:index].encode("utf-8"))

    def emit(chunk: str) -> None:
        nonlocal pos
        out.append(chunk)
        pos += utf16_len(chunk)

    def skip_spaces(j: int) -> int:
        while j < n and text[j] in " \t\r\n":
            j += 1
        return j

    while i < n:
        c = text[i]
        if c == "&":
            m = _HTML_ENTITY_RE.match(text, i)
            if m:
                if m.group(1):
                    emit(_NAMED[m.group(1)])
                else:
                    code = int(m.group(2)) if m.group(2) else int(m.group(3), 16)
                    try:
                        emit(chr(code))
                    except (ValueError, OverflowError):
                        emit(m.group(0))
                i = m.end()
                continue
            if strict:
                raise EntityParseError(f'Unescaped "&" at byte offset {boff(i)}: write "&amp;"')
            emit(c)
            i += 1
            continue
        if c == ">":
            if strict:
                raise EntityParseError(f'Unescaped ">" at byte offset {boff(i)}: write "&gt;"')
            emit(c)
            i += 1
            continue
        if c != "<":
            j = i + 1
            while j < n and text[j] not in "&<>":
                j += 1
            emit(text[i:j])
            i = j
            continue

        begin = i
        if i + 1 < n and text[i + 1] == "/":
            m = _HTML_NAME_RE.match(text, i + 2)
            name = m.group(0).lower() if m else ""
            j = skip_spaces(m.end() if m else i + 2)
            if j >= n or text[j] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {boff(begin)}")
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {boff(begin)}")
            top = stack[-1]
            if name != top.name:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {boff(begin)}, expected "</{top.name}>", '
                    f'found "</{name}>"'
                )
            stack.pop()
            _close_html_tag(top, pos, stack, entities)
            i = j + 1
            continue

        m = _HTML_NAME_RE.match(text, i + 1)
        name = m.group(0).lower() if m else ""
        if name not in _HTML_TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {boff(begin)}')
        j = m.end()
        attrs: dict[str, str] = {}
        while True:
            j = skip_spaces(j)
            if j >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {boff(begin)}")
            if text[j] == ">":
                j += 1
                break
            am = _HTML_NAME_RE.match(text, j)
            if not am:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset {boff(begin)}'
                )
            attr = am.group(0).lower()
            j = skip_spaces(am.end())
            value = ""
            if j < n and text[j] == "=":
                j = skip_spaces(j + 1)
                if j >= n:
                    raise EntityParseError(f"Unclosed start tag at byte offset {boff(begin)}")
                if text[j] in "\"'":
                    end = text.find(text[j], j + 1)
                    if end < 0:
                        raise EntityParseError(f"Unclosed start tag at byte offset {boff(begin)}")
                    value = html.unescape(text[j + 1 : end])
                    j = end + 1
                else:
                    vm = _HTML_UNQUOTED_RE.match(text, j)
                    value = html.unescape(vm.group(0)) if vm else ""
                    j = vm.end() if vm else j
            attrs[attr] = value
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {boff(begin)}')
        if name == "tg-emoji" and not attrs.get("emoji-id"):
            raise EntityParseError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {boff(begin)}'
            )
        stack.append(_OpenTag(name=name, offset=pos, byte_offset=boff(begin), attrs=attrs))
        i = j

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _close_html_tag(tag: _OpenTag, pos: int, stack: list[_OpenTag], entities: list[dict]) -> None:
    length = pos - tag.offset
    kind = _HTML_TAGS[tag.name]
    if kind == "code" and stack and stack[-1].name == "pre":
        # <pre><code class="language-x"> is one pre entity with a language.
        cls = tag.attrs.get("class", "")
        if cls.startswith("language-") and len(cls) > len("language-"):
            stack[-1].language = cls[len("language-") :]
        return
    if length <= 0:
        return
    entity: dict[str, Any] = {"type": kind, "offset": tag.offset, "length": length}
    if kind == "text_link":
        url = tag.attrs.get("href", "").strip()
        if not url:
            return
        entity["url"] = url
    elif kind == "pre" and tag.language:
        entity["language"] = tag.language
    elif kind == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = tag.attrs["emoji-id"]
    entities.append(entity)


_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_KINDS = {"*": "Bold", "_": "Italic", "__": "Underline", "~": "Strikethrough", "||": "Spoiler"}


def parse_markdown_v2(text: str) -> str:
    """Validate MarkdownV2 like Telegram does and return the plain text (entities are not computed)."""
    out: list[str] = []
    stack: list[tuple[str, int]] = []  # (marker, byte offset)
    n = len(text)
    i = 0

    def boff(index: int) -> int:
        return len(text[:index].encode("utf-8"))

    def toggle(marker: str, at: int) -> None:
        if stack and stack[-1][0] == marker:
            stack.pop()
        elif any(m == marker for m, _ in stack):
            top, top_off = stack[-1]
            raise EntityParseError(
                f"Can't find end of {_MDV2_KINDS.get(top, 'TextUrl')} entity at byte offset {top_off}"
            )
        else:
            stack.append((marker, boff(at)))

    while i < n:
        c = text[i]
        if c == "\\":
            if i + 1 < n and 1 <= ord(text[i + 1]) <= 126:
                out.append(text[i + 1])
                i += 2
            else:
                out.append(c)
                i += 1
            continue
        if c == "`":
            fence = "```" if text.startswith("```", i) else "`"
            j = i + len(fence)
            while j < n and not text.startswith(fence, j):
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                kind = "Pre" if fence == "```" else "Code"
                raise EntityParseError(f"Can't find end of {kind} entity at byte offset {boff(i)}")
            body = text[i + len(fence) : j]
            if fence == "```" and "\n" in body:
                body = body.split("\n", 1)[1]  # first line is the language
            out.append(re.sub(r"\\([`\\])", r"\1", body))
            i = j + len(fence)
            continue
        if c == "_" and text.startswith("__", i):
            toggle("__", i)
            i += 2
            continue
        if c == "|" and text.startswith("||", i):
            toggle("||", i)
            i += 2
            continue
        if c in "*_~":
            toggle(c, i)
            i += 1
            continue
        if c == "[":
            stack.append(("[", boff(i)))
            i += 1
            continue
        if c == "]" and stack and stack[-1][0] == "[":
            stack.pop()
            if not text.startswith("(", i + 1):
                raise EntityParseError(
                    "Character ']' is reserved and must be escaped with the preceding '\\'"
                )
            j = i + 2
            while j < n and text[j] != ")":
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise EntityParseError(f"Can't find end of a URL at byte offset {boff(i + 1)}")
            i = j + 1
            continue
        if c == ">" and (i == 0 or text[i - 1] == "\n"):
            i += 1  # block quotation marker
            continue
        if c in _MDV2_RESERVED:
            raise EntityParseError(f"Character '{c}' is reserved and must be escaped with the preceding '\\'")
        out.append(c)
        i += 1
    if stack:
        marker, offset = stack[-1]
        kind = "TextUrl" if marker == "[" else _MDV2_KINDS[marker]
        raise EntityParseError(f"Can't find end of {kind} entity at byte offset {offset}")
    return "".join(out)


def parse_markdown(text: str) -> str:
    """Validate legacy Markdown (``*bold*``, ``_italic_``, `` `code` ``, ``[text](url)``)."""
    out: list[str] = []
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            i += 2
            continue
        if c in "*_`[":
            closing = {"[": "]"}.get(c, c)
            if c == "`" and text.startswith("```", i):
                closing = "```"
            start = i + len(closing)
            j = text.find(closing, start)
            if j < 0:
                raise EntityParseError(
                    f"Can't find end of the entity starting at byte offset {len(text[:i].encode())}"
                )
            out.append(text[start:j])
            i = j + len(closing)
            if c == "[" and text.startswith("(", i):
                k = text.find(")", i)
                if k < 0:
                    raise EntityParseError(
                        f"Can't find end of the entity starting at byte offset {len(text[:i].encode())}"
                    )
                i = k + 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _trim(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Telegram strips leading and trailing whitespace; entity offsets follow."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] - lead + entity["length"], total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


def command_entities(text: str) -> list[dict]:
    """``bot_command`` entities as Telegram adds them to incoming texts and captions."""
    entities = []
    for m in _COMMAND_RE.finditer(text):
        entities.append(
            {
                "type": "bot_command",
                "offset": utf16_len(text[: m.start()]),
                "length": utf16_len(m.group(0)),
            }
        )
    return entities


# --------------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------------


@dataclass
class UploadedFile:
    field: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class ApiCall:
    """One HTTP request to the emulator."""

    index: int
    method: str  # canonical Bot API name, e.g. "sendMessage"
    params: dict[str, Any]
    files: dict[str, UploadedFile] = field(default_factory=dict)
    token: str = field(default="", repr=False)
    started: float = 0.0
    status: int | None = None  # HTTP status answered; 499 if the client went away first
    response: dict | None = None  # JSON answered (None for non-JSON answers)

    @property
    def done(self) -> bool:
        return self.status is not None

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def description(self) -> str | None:
        return (self.response or {}).get("description")

    @property
    def result(self) -> Any:
        return (self.response or {}).get("result")


@dataclass
class SentMessage:
    """A message the bot sent or edited.

    ``kind``: ``"send"`` (sendMessage), ``"document"``/``"photo"`` (sendDocument/sendPhoto, or one item of
    a sendMediaGroup album, then also ``"video"``/``"audio"``; ``text`` is the caption), ``"edit_text"``
    (editMessageText) or ``"edit_markup"`` (editMessageReplyMarkup). ``method`` tells which call made it.
    """

    kind: str
    chat_id: int | str
    message_id: int
    text: str | None  # as the bot sent it, markup included (for edit_markup: the current text)
    plain_text: str | None  # as the user sees it (tags removed, entities decoded)
    parse_mode: str | None
    reply_markup: dict | None
    message: dict  # the Message object answered to the bot
    call: ApiCall = field(repr=False)
    method: str = "sendMessage"

    @property
    def is_edit(self) -> bool:
        return self.kind.startswith("edit")

    @property
    def inline_keyboard(self) -> list[list[dict]]:
        return list((self.reply_markup or {}).get("inline_keyboard") or [])

    @property
    def buttons(self) -> list[dict]:
        return [button for row in self.inline_keyboard for button in row]

    @property
    def button_texts(self) -> list[str]:
        return [button.get("text", "") for button in self.buttons]

    def button(self, text_contains: str) -> dict:
        for button in self.buttons:
            if text_contains in button.get("text", ""):
                return button
        raise AssertionError(f"no button containing {text_contains!r}; buttons: {self.button_texts}")

    def callback_data(self, text_contains: str) -> str:
        return self.button(text_contains)["callback_data"]


@dataclass
class _Fault:
    kind: str  # "error" | "delay" | "drop"
    status: int = 0
    retry_after: float | None = None
    description: str | None = None
    seconds: float = 0.0
    before: bool = True


@dataclass
class _Pending:
    update: dict
    forced: bool = False
    delivered: bool = False

    @property
    def update_id(self) -> int:
        return self.update["update_id"]

    @property
    def type(self) -> str:
        return next((k for k in self.update if k != "update_id"), "")


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_size: int
    file_path: str
    content: bytes | None  # None: ``file_size`` zero bytes, made on download


@dataclass
class _ChatState:
    chat: dict
    next_message_id: int = 1
    messages: dict[int, dict] = field(default_factory=dict)  # current Message objects
    bot_messages: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)  # raw text, mode
    log: list[SentMessage] = field(default_factory=list)
    blocked: bool = False


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


# --------------------------------------------------------------------------------------------------
# Simulated users
# --------------------------------------------------------------------------------------------------


class SimUser:
    """A Telegram user talking to the bot in a private chat (chat id == user id).

    The ``send_*`` and ``press`` methods are synchronous: they enqueue an update and return it.
    """

    def __init__(
        self,
        emulator: BotApiEmulator,
        user_id: int,
        first_name: str,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "zh-hans",
    ) -> None:
        self.emulator = emulator
        self.id = user_id
        self.first_name = first_name
        self.username = username
        self.last_name = last_name
        self.language_code = language_code

    def __repr__(self) -> str:
        return f"SimUser(id={self.id}, first_name={self.first_name!r})"

    @property
    def chat_id(self) -> int:
        return self.id

    @property
    def user_dict(self) -> dict:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    @property
    def chat_dict(self) -> dict:
        chat: dict[str, Any] = {"id": self.id, "first_name": self.first_name}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        chat["type"] = "private"
        return chat

    # -- blocking -----------------------------------------------------------------------------------

    def block(self) -> None:
        """The user blocks the bot: sending to them answers 403 as Telegram does."""
        self.emulator._chat_state(self.id).blocked = True

    def unblock(self) -> None:
        self.emulator._chat_state(self.id).blocked = False

    # -- messages -----------------------------------------------------------------------------------

    def _message(self, content: dict, reply_to: SentMessage | dict | int | None = None) -> dict:
        emu = self.emulator
        state = emu._chat_state(self.id)
        message: dict[str, Any] = {
            "message_id": emu._next_message_id(self.id),
            "from": self.user_dict,
            "chat": self.chat_dict,
            "date": emu._now(),
        }
        if reply_to is not None:
            original = emu._resolve_message(self.id, reply_to)
            message["reply_to_message"] = {k: v for k, v in original.items() if k != "reply_to_message"}
        message.update(content)
        state.messages[message["message_id"]] = message
        return message

    def _send(self, content: dict, reply_to: SentMessage | dict | int | None = None) -> dict:
        return self.emulator.enqueue_raw({"message": self._message(content, reply_to)})

    def send_text(self, text: str, *, reply_to: SentMessage | dict | int | None = None) -> dict:
        """A text message; ``/commands`` get ``bot_command`` entities like on Telegram."""
        content: dict[str, Any] = {"text": text}
        entities = command_entities(text)
        if entities:
            content["entities"] = entities
        return self._send(content, reply_to)

    def send_sticker(self, emoji: str = "👍", *, set_name: str = "TestStickers") -> dict:
        file_id, unique_id = self.emulator._new_file_ids("CAACAgIAAxkBAAI")
        sticker = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "thumbnail": self._photo_size(128, 128, 4_000),
            "emoji": emoji,
            "set_name": set_name,
            "file_size": 24_000,
        }
        return self._send({"sticker": sticker})

    def _photo_size(
        self,
        width: int,
        height: int,
        size: int,
        file_id: str | None = None,
        unique_id: str | None = None,
        content: bytes | None = None,
    ) -> dict:
        generated_id, generated_unique = self.emulator._new_file_ids("AgACAgUAAxkBAAI")
        file_id = file_id or generated_id
        unique_id = unique_id or generated_unique
        if content is not None:
            size = len(content)
        self.emulator.add_file(
            file_id,
            content if content is not None else b"\xff\xd8" + bytes(size - 2),
            file_unique_id=unique_id,
            kind="photos",
            ext="jpg",
        )
        return {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "file_size": size,
            "width": width,
            "height": height,
        }

    def send_photo(
        self,
        file_id: str | None = None,
        file_unique_id: str | None = None,
        caption: str | None = None,
        media_group_id: str | None = None,
        *,
        content: bytes | None = None,
    ) -> dict:
        """A photo as Telegram delivers it: three sizes, the largest one last (``file_id`` is its id)."""
        photo = [
            self._photo_size(90, 68, 1_200),
            self._photo_size(320, 240, 16_000),
            self._photo_size(1280, 960, 120_000, file_id, file_unique_id, content),
        ]
        content_dict: dict[str, Any] = {"photo": photo}
        if media_group_id is not None:
            content_dict["media_group_id"] = str(media_group_id)
        self._add_caption(content_dict, caption)
        return self._send(content_dict)

    def send_album(
        self,
        contents: list[bytes | None],
        *,
        media_group_id: str | None = None,
        order: Iterable[int] | None = None,
        file_ids: list[str | None] | None = None,
        file_unique_ids: list[str | None] | None = None,
    ) -> list[dict]:
        """An album of photos: one message per photo sharing a ``media_group_id``, with consecutive message
        ids (in ``contents`` order) like on Telegram, but enqueued in ``order`` (indexes into ``contents``;
        default: in order), because Telegram does not promise to deliver an album's updates in order.

        Returns the updates in ``contents`` order.
        """
        group = str(media_group_id or next(self.emulator._file_counter) + 13_000_000_000_000_000)
        messages = []
        for index, content in enumerate(contents):
            file_id = (file_ids or [None] * len(contents))[index]
            unique_id = (file_unique_ids or [None] * len(contents))[index]
            photo = [
                self._photo_size(90, 68, 1_200),
                self._photo_size(320, 240, 16_000),
                self._photo_size(1280, 960, 120_000, file_id, unique_id, content),
            ]
            messages.append(self._message({"photo": photo, "media_group_id": group}))
        indexes = list(range(len(contents))) if order is None else list(order)
        if sorted(indexes) != list(range(len(contents))):
            raise ValueError(f"order must be a permutation of 0..{len(contents) - 1}, got {indexes}")
        updates: dict[int, dict] = {}
        for index in indexes:
            updates[index] = self.emulator.enqueue_raw({"message": messages[index]})
        return [updates[i] for i in range(len(contents))]

    def send_document(
        self,
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        file_size: int | None = None,
        file_id: str | None = None,
        *,
        file_unique_id: str | None = None,
        caption: str | None = None,
        content: bytes | None = None,
    ) -> dict:
        """A document; ``content`` (or ``file_size`` zero bytes) is downloadable through ``getFile``."""
        generated_id, generated_unique = self.emulator._new_file_ids("BQACAgUAAxkBAAI")
        if content is None and file_size is None:
            content = bytes(2_048)
        if file_size is None:
            file_size = len(content)
        document = {
            "file_name": file_name,
            "mime_type": mime_type,
            "file_id": file_id or generated_id,
            "file_unique_id": file_unique_id or generated_unique,
            "file_size": file_size,
        }
        ext = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        self.emulator.add_file(
            document["file_id"],
            content,
            file_unique_id=document["file_unique_id"],
            kind="documents",
            ext=ext,
            file_size=file_size,
        )
        content_dict: dict[str, Any] = {"document": document}
        self._add_caption(content_dict, caption)
        return self._send(content_dict)

    def send_voice(
        self, duration: int = 3, file_id: str | None = None, *, content: bytes | None = None
    ) -> dict:
        generated_id, unique_id = self.emulator._new_file_ids("AwACAgUAAxkBAAI")
        if content is None:
            content = b"OggS" + bytes(duration * 2_000)
        voice = {
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_id": file_id or generated_id,
            "file_unique_id": unique_id,
            "file_size": len(content),
        }
        self.emulator.add_file(voice["file_id"], content, file_unique_id=unique_id, kind="voice", ext="oga")
        return self._send({"voice": voice})

    @staticmethod
    def _add_caption(content: dict, caption: str | None) -> None:
        if caption is not None:
            content["caption"] = caption
            entities = command_entities(caption)
            if entities:
                content["caption_entities"] = entities

    def edit_text(self, message: dict, new_text: str) -> dict:
        """The user edits one of their text messages: an ``edited_message`` update."""
        emu = self.emulator
        original = emu._resolve_message(self.id, message)
        edited = {**original, "text": new_text, "edit_date": emu._now()}
        edited.pop("entities", None)
        entities = command_entities(new_text)
        if entities:
            edited["entities"] = entities
        emu._chat_state(self.id).messages[edited["message_id"]] = edited
        return emu.enqueue_raw({"edited_message": edited})

    def press(
        self,
        message: SentMessage | dict | int,
        callback_data: str | None = None,
        *,
        button_text: str | None = None,
        check: bool = True,
    ) -> dict:
        """Press an inline button of a bot message: a ``callback_query`` update.

        ``message`` is a :class:`SentMessage`, a Message dict or a message id in this user's chat; the
        update carries the message as it currently is (after edits), like Telegram. Give either the
        ``callback_data`` or (part of) the button's text. With ``check`` the button must exist.
        """
        emu = self.emulator
        current = emu._resolve_message(self.id, message)
        buttons = [b for row in (current.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
        if button_text is not None:
            matching = [b for b in buttons if button_text in b.get("text", "") and "callback_data" in b]
            if not matching:
                raise ValueError(f"no callback button with text {button_text!r} in {buttons}")
            callback_data = matching[0]["callback_data"]
        if callback_data is None:
            raise ValueError("give callback_data or button_text")
        if check and not any(b.get("callback_data") == callback_data for b in buttons):
            raise ValueError(f"message {current['message_id']} has no button with data {callback_data!r}")
        query_id = str(next(emu._query_ids))
        emu._open_queries[query_id] = self.id
        query = {
            "id": query_id,
            "from": self.user_dict,
            "message": current,
            "chat_instance": str(-(7_000_000_000_000_000_000 + self.id)),
            "data": callback_data,
        }
        return emu.enqueue_raw({"callback_query": query})


# --------------------------------------------------------------------------------------------------
# The emulator
# --------------------------------------------------------------------------------------------------


class BotApiEmulator:
    """The Bot API on ``127.0.0.1``: see the module docstring."""

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

        self.calls: list[ApiCall] = []
        self.sent: list[SentMessage] = []
        self.unknown_calls: list[ApiCall] = []
        self.deleted: list[tuple[int | str, int]] = []
        self.callback_answers: dict[str, dict] = {}
        self.internal_errors: list[BaseException] = []
        self.webhook_url: str = ""

        self._users: dict[int, SimUser] = {}
        self._chats: dict[int | str, _ChatState] = {}
        self._pending: list[_Pending] = []
        self._update_ids = itertools.count(700_000_001)
        self._last_update_id = 0
        self._query_ids = itertools.count(4_360_128_790_000_000_001)
        self._open_queries: dict[str, int] = {}
        self._file_counter = itertools.count(1)
        self._files: dict[str, StoredFile] = {}
        self._commands: dict[tuple[str, str], list[dict]] = {}
        self._allowed_updates: frozenset[str] = _DEFAULT_ALLOWED
        self._faults: dict[str, deque[_Fault]] = {}
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

    # -- users, chats and updates --------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "测试",
        username: str | None = None,
        *,
        last_name: str | None = None,
        language_code: str | None = "zh-hans",
    ) -> SimUser:
        """The simulated user ``user_id`` (created on first use; its private chat has the same id)."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        sim = SimUser(self, user_id, first_name, username, last_name, language_code)
        self._users[user_id] = sim
        self._chats.setdefault(user_id, _ChatState(chat=sim.chat_dict))
        return sim

    def register_chat(self, chat: dict) -> None:
        """Make a (group, channel) chat known, e.g. ``{"id": -100123, "type": "supergroup", "title": "X"}``."""
        self._chats.setdefault(chat["id"], _ChatState(chat=dict(chat)))

    def enqueue_raw(self, update: dict) -> dict:
        """Queue an update for ``getUpdates``; an ``update_id`` is assigned when missing."""
        update = dict(update)
        if "update_id" not in update:
            update = {"update_id": next(self._update_ids), **update}
        elif update["update_id"] > self._last_update_id:
            self._update_ids = itertools.count(update["update_id"] + 1)
        self._last_update_id = max(self._last_update_id, update["update_id"])
        self._pending.append(_Pending(update))
        self._activity()
        return update

    def redeliver(self, update: dict) -> dict:
        """Deliver an update again with the same ``update_id``, even if the bot already confirmed it
        (what a bot sees after crashing between handling an update and confirming it)."""
        self._pending.append(_Pending(dict(update), forced=True))
        self._activity()
        return update

    @property
    def pending_updates(self) -> list[dict]:
        """Updates not yet confirmed by the bot (delivered or not)."""
        return [p.update for p in self._pending]

    def add_file(
        self,
        file_id: str,
        content: bytes | None,
        *,
        file_unique_id: str | None = None,
        kind: str = "documents",
        ext: str = "bin",
        file_size: int | None = None,
    ) -> StoredFile:
        """Make ``file_id`` downloadable (``getFile`` and ``/file/bot<token>/<path>``).

        ``content=None`` with a ``file_size`` stands for that many zero bytes (big files cost nothing).
        """
        if content is None and file_size is None:
            raise ValueError("give the content or the file_size")
        n = next(self._file_counter)
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=file_unique_id or self._new_file_ids("")[1],
            file_size=file_size if file_size is not None else len(content or b""),
            file_path=f"{kind}/file_{n}.{ext}",
            content=content,
        )
        self._files[file_id] = stored
        return stored

    # -- fault injection ----------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: float | None = 1,
        count: int = 1,
        description: str | None = None,
    ) -> None:
        """The next ``count`` calls of ``method`` ("*" = any method but getUpdates) fail with ``status``.

        429 answers ``parameters.retry_after`` (Telegram sends whole seconds; a float is accepted for
        fast tests); 502 answers nginx's HTML page like the real front end; others answer JSON.
        """
        fault = _Fault(
            "error",
            status=status,
            retry_after=retry_after if status == 429 else None,
            description=description,
        )
        self._faults.setdefault(self._fault_key(method), deque()).extend([fault] * count)

    def delay_next(self, method: str, seconds: float, count: int = 1, *, before: bool = True) -> None:
        """Delay the answer to the next ``count`` calls of ``method``.

        ``before=True``: wait, then handle (a client that times out first leaves no effect).
        ``before=False``: handle, then wait (the message is sent although the client timed out).
        """
        fault = _Fault("delay", seconds=seconds, before=before)
        self._faults.setdefault(self._fault_key(method), deque()).extend([fault] * count)

    def drop_next(self, method: str, count: int = 1) -> None:
        """Close the connection without answering the next ``count`` calls of ``method``."""
        self._faults.setdefault(self._fault_key(method), deque()).extend([_Fault("drop")] * count)

    def clear_faults(self) -> None:
        self._faults.clear()

    def _fault_key(self, method: str) -> str:
        return "*" if method == "*" else self._canonical.get(method.lower(), method)

    def _take_fault(self, method: str) -> _Fault | None:
        for key in (method, "*"):
            if key == "*" and method == "getUpdates":
                continue
            queue = self._faults.get(key)
            if queue:
                return queue.popleft()
        return None

    # -- inspection ----------------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        method = self._canonical.get(method.lower(), method)
        return [c for c in self.calls if c.method == method]

    def messages(self, chat_id: int | str) -> list[SentMessage]:
        """Everything the bot sent or edited in ``chat_id``, in order."""
        state = self._chats.get(_chat_key(chat_id))
        return list(state.log) if state else []

    def current_message(self, chat_id: int | str, message_id: int) -> dict | None:
        """The message as it is now (after edits), or None if unknown or deleted."""
        state = self._chats.get(_chat_key(chat_id))
        return state.messages.get(message_id) if state else None

    def my_commands(self, scope: dict | None = None, language_code: str = "") -> list[dict]:
        return list(self._commands.get((_scope_key(scope), language_code), []))

    # -- waiting ------------------------------------------------------------------------------------

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - the documented API
    ) -> ApiCall:
        """The next answered call of ``method`` not returned before (calls skipped because the
        predicate rejected them are consumed too). Raises AssertionError after ``timeout``."""
        method = self._canonical.get(method.lower(), method)

        def find() -> ApiCall | None:
            start = self._call_cursors.get(method, 0)
            for index in range(start, len(self.calls)):
                call = self.calls[index]
                if call.method != method:
                    continue
                if not call.done:
                    return None  # keep the order: wait for this one to be answered
                if predicate is None or predicate(call):
                    self._call_cursors[method] = index + 1
                    return call
            return None

        found = await self._wait_until(find, timeout)
        if found is None:
            seen = [(c.method, c.status) for c in self.calls if c.method != "getUpdates"][-10:]
            raise AssertionError(f"no {method} call within {timeout}s; recent calls: {seen}")
        return found

    async def wait_for_message(
        self,
        chat_id: int | str,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - the documented API
    ) -> SentMessage:
        """The next message/edit to ``chat_id`` after the last one returned (per-chat cursor).

        Records rejected by ``predicate`` before the match are consumed. Raises AssertionError after
        ``timeout`` (the cursor is then left where it was).
        """
        found = await self._wait_until(lambda: self._next_message(chat_id, predicate), timeout)
        if found is None:
            rest = [
                (m.kind, m.plain_text)
                for m in self.messages(chat_id)[self._message_cursors.get(_chat_key(chat_id), 0) :]
            ]
            failed = [
                (c.method, c.status, c.description)
                for c in self.calls
                if c.method != "getUpdates" and c.done and not c.ok
            ][-5:]
            raise AssertionError(
                f"no message to chat {chat_id} within {timeout}s; unconsumed: {rest}; failed calls: {failed}"
            )
        return found

    async def expect_no_message(self, chat_id: int | str, within: float = 0.5) -> None:
        """Assert that the bot sends nothing (new) to ``chat_id`` during ``within`` seconds."""
        found = await self._wait_until(lambda: self._next_message(chat_id, None), within)
        if found is not None:
            raise AssertionError(f"unexpected message to chat {chat_id}: {found.kind} {found.plain_text!r}")

    def skip_messages(self, chat_id: int | str) -> None:
        """Mark everything sent to ``chat_id`` so far as read."""
        key = _chat_key(chat_id)
        self._message_cursors[key] = len(self.messages(key))

    async def idle(self, timeout: float = 5.0, quiet: float = 0.3) -> None:  # noqa: ASYNC109
        """Wait until every queued update was fetched, no request is being handled and nothing happened
        for ``quiet`` seconds. Raises AssertionError after ``timeout``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            undelivered = any(not p.delivered for p in self._pending)
            silent_for = time.monotonic() - self._last_activity
            if not undelivered and self._in_flight == 0 and silent_for >= quiet:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"emulator not idle after {timeout}s (undelivered={undelivered}, in_flight={self._in_flight})"
                )
            await self._wait_changed(min(remaining, max(quiet - silent_for, 0.02)))

    async def _wait_until(self, find: Callable[[], Any], seconds: float) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            found = find()
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            await self._wait_changed(remaining)

    def _next_message(
        self, chat_id: int | str, predicate: Callable[[SentMessage], bool] | None
    ) -> SentMessage | None:
        key = _chat_key(chat_id)
        records = self.messages(key)
        for index in range(self._message_cursors.get(key, 0), len(records)):
            if predicate is None or predicate(records[index]):
                self._message_cursors[key] = index + 1
                return records[index]
        return None

    def _changed(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def _wait_changed(self, seconds: float) -> None:
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), seconds)
        except TimeoutError:
            pass

    def _activity(self) -> None:
        self._last_activity = time.monotonic()
        self._changed()

    # -- internals ----------------------------------------------------------------------------------

    def _now(self) -> int:
        return int(self._clock())

    def _next_message_id(self, chat_id: int | str) -> int:
        state = self._chat_state(chat_id)
        message_id = state.next_message_id
        state.next_message_id += 1
        return message_id

    def _chat_state(self, chat_id: int | str) -> _ChatState:
        key = _chat_key(chat_id)
        state = self._chats.get(key)
        if state is None:
            if self.strict_chats:
                raise _bad("chat not found")
            chat = {"id": key, "type": "private" if isinstance(key, int) and key > 0 else "supergroup"}
            state = self._chats[key] = _ChatState(chat=chat)
        return state

    def _resolve_message(self, chat_id: int | str, message: SentMessage | dict | int) -> dict:
        if isinstance(message, SentMessage):
            message_id = message.message_id
        elif isinstance(message, dict):
            message_id = message.get("message_id") or message.get("message", {}).get("message_id")
        else:
            message_id = int(message)
        current = self.current_message(chat_id, message_id)
        if current is None:
            raise ValueError(f"no message {message_id} in chat {chat_id} (never sent, or deleted)")
        return current

    def _new_file_ids(self, prefix: str) -> tuple[str, str]:
        n = next(self._file_counter)
        digest = hashlib.sha1(f"{prefix}{n}".encode()).hexdigest()
        return f"{prefix}{digest[:40]}", f"AQAD{digest[:12]}"

    def _bot_user(self, token: str) -> dict:
        return {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

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
                raise _bad("parameters must be a JSON object")
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
        status, body = 200, None
        fault: _Fault | None = None
        try:
            call.params, call.files = await self._read_params(request)
            if not _TOKEN_RE.match(token):
                raise ApiError(404, "Not Found")
            if self.expected_token is not None and token != self.expected_token:
                raise ApiError(401, "Unauthorized")
            fault = self._take_fault(call.method)
            if fault is not None and fault.kind == "delay" and fault.before:
                await asyncio.sleep(fault.seconds)
            if fault is not None and fault.kind == "drop":
                call.status = 0
                if request.transport is not None:
                    request.transport.abort()
                return web.Response(status=204)  # never written: the connection is gone
            if fault is not None and fault.kind == "error":
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
            handler = self._methods.get(call.method.lower())
            if handler is None:
                self.unknown_calls.append(call)
                raise ApiError(404, "Not Found: method not found")
            body = {"ok": True, "result": await handler(call)}
        except ApiError as err:
            status = err.status
            body = {"ok": False, "error_code": err.status, "description": err.description}
            if err.parameters:
                body["parameters"] = err.parameters
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

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        for stored in self._files.values():
            if stored.file_path == path:
                body = stored.content if stored.content is not None else bytes(stored.file_size)
                return web.Response(body=body, content_type="application/octet-stream")
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)

    # -- Bot API methods ------------------------------------------------------------------------------

    async def _api_getMe(self, call: ApiCall) -> dict:
        return {
            **self._bot_user(call.token),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _api_getUpdates(self, call: ApiCall) -> list[dict]:
        params = call.params
        if self.webhook_url:
            raise ApiError(409, CONFLICT_WEBHOOK)
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = min(max(float(params.get("timeout") or 0), 0.0), MAX_LONG_POLL)
        allowed = params.get("allowed_updates")
        if allowed is not None:
            self._allowed_updates = frozenset(allowed) if allowed else _DEFAULT_ALLOWED

        me = object()
        self._poller = me
        self._changed()  # an older long poll gets its 409
        self._confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while True:
                if self._poller is not me:
                    raise ApiError(409, CONFLICT_POLL)
                batch = self._select(limit)
                remaining = deadline - loop.time()
                if batch or self._closing or remaining <= 0:
                    if batch:
                        self._activity()
                    return batch
                await self._wait_changed(remaining)
        finally:
            if self._poller is me:
                self._poller = None

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._pending = [
                p for p in self._pending if p.update_id >= offset or (p.forced and not p.delivered)
            ]
        elif offset < 0:
            regular = [p for p in self._pending if not p.forced]
            keep = {id(p) for p in regular[offset:]}
            self._pending = [p for p in self._pending if id(p) in keep or p.forced]

    def _select(self, limit: int) -> list[dict]:
        self._pending = [p for p in self._pending if p.type in self._allowed_updates]
        forced = [p for p in self._pending if p.forced and not p.delivered]
        # A redelivered update comes alone, so that confirming it does not re-confirm newer ones.
        chosen = forced[:limit] if forced else self._pending[:limit]
        for p in chosen:
            p.delivered = True
        return [p.update for p in chosen]

    async def _api_deleteWebhook(self, call: ApiCall) -> bool:
        self.webhook_url = ""
        if call.params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _api_setWebhook(self, call: ApiCall) -> bool:
        url = call.params.get("url") or ""
        if url and not url.startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = url
        if call.params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _api_getWebhookInfo(self, call: ApiCall) -> dict:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    async def _api_setMyCommands(self, call: ApiCall) -> bool:
        commands = call.params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands")
        for command in commands:
            if not isinstance(command, dict) or not _BOT_COMMAND_NAME_RE.match(
                str(command.get("command", ""))
            ):
                raise _bad("BOT_COMMAND_INVALID")
            description = str(command.get("description", "")).strip()
            if not 1 <= len(description) <= 256:
                raise _bad(
                    "command description is empty" if not description else "BOT_COMMAND_DESCRIPTION_INVALID"
                )
        key = (_scope_key(call.params.get("scope")), call.params.get("language_code") or "")
        self._commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
        return True

    async def _api_getMyCommands(self, call: ApiCall) -> list[dict]:
        key = (_scope_key(call.params.get("scope")), call.params.get("language_code") or "")
        return list(self._commands.get(key, []))

    async def _api_deleteMyCommands(self, call: ApiCall) -> bool:
        key = (_scope_key(call.params.get("scope")), call.params.get("language_code") or "")
        self._commands.pop(key, None)
        return True

    def _target_chat(self, params: dict) -> _ChatState:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        state = self._chat_state(chat_id)
        if state.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return state

    def _render(self, params: dict, key: str, *, limit: int, required: bool) -> tuple[str, list[dict]]:
        """Parse ``params[key]`` as Telegram would: (plain text, entities) or an ApiError."""
        raw = params.get(key)
        if raw is None:
            if required:
                raise _bad("message text is empty")
            return "", []
        text = raw if isinstance(raw, str) else str(raw)
        mode = params.get("parse_mode")
        explicit = params.get(f"{key}_entities" if key == "caption" else "entities")
        try:
            if explicit:
                plain, entities = text, [dict(e) for e in explicit]
            elif mode is None or mode == "":
                plain, entities = text, []
            elif str(mode).lower() == "html":
                plain, entities = parse_html(text, strict=self.strict_html)
            elif str(mode).lower() == "markdownv2":
                plain, entities = parse_markdown_v2(text), []
            elif str(mode).lower() == "markdown":
                plain, entities = parse_markdown(text), []
            else:
                raise _bad("unsupported parse_mode")
        except EntityParseError as err:
            raise _bad(f"can't parse entities: {err}") from None
        plain, entities = _trim(plain, entities)
        if required and not plain:
            raise _bad("message text is empty")
        if len(plain) > limit:
            raise _bad("message is too long" if key == "text" else "message caption is too long")
        return plain, entities

    def _markup(self, params: dict) -> dict | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
            if sum(len(row) for row in rows) > 100:
                raise _bad("reply markup is too long")
            for row in rows:
                for button in row:
                    _check_inline_button(button)
        elif "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad("can't parse reply keyboard markup JSON object")
            for row in rows:
                for button in row:
                    text = button if isinstance(button, str) else (button or {}).get("text")
                    if not text:
                        raise _bad("keyboard button text is empty")
        elif not (markup.get("remove_keyboard") or markup.get("force_reply")):
            raise _bad("can't parse reply keyboard markup JSON object")
        return markup

    def _reply_to(self, state: _ChatState, params: dict) -> dict | None:
        reply = params.get("reply_parameters")
        message_id = reply.get("message_id") if isinstance(reply, dict) else params.get("reply_to_message_id")
        if message_id is None:
            return None
        original = state.messages.get(int(message_id))
        if original is None:
            allow = (
                (reply or {}).get("allow_sending_without_reply")
                if isinstance(reply, dict)
                else params.get("allow_sending_without_reply")
            )
            if allow:
                return None
            raise _bad("message to be replied not found")
        return {k: v for k, v in original.items() if k != "reply_to_message"}

    def _record(
        self,
        kind: str,
        state: _ChatState,
        message: dict,
        call: ApiCall,
        raw: str | None,
        mode: str | None,
        markup: dict | None,
        plain: str | None,
    ) -> SentMessage:
        record = SentMessage(
            kind=kind,
            chat_id=state.chat["id"],
            message_id=message["message_id"],
            text=raw,
            plain_text=plain,
            parse_mode=mode,
            reply_markup=markup,
            message=message,
            call=call,
            method=call.method,
        )
        state.log.append(record)
        self.sent.append(record)
        return record

    def _new_bot_message(self, call: ApiCall, state: _ChatState, content: dict, markup: dict | None) -> dict:
        message: dict[str, Any] = {
            "message_id": self._next_message_id(state.chat["id"]),
            "from": self._bot_user(call.token),
            "chat": state.chat,
            "date": self._now(),
        }
        reply_to = self._reply_to(state, call.params)
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(content)
        if markup is not None and markup.get("inline_keyboard"):
            message["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        state.messages[message["message_id"]] = message
        return message

    async def _api_sendMessage(self, call: ApiCall) -> dict:
        params = call.params
        state = self._target_chat(params)
        plain, entities = self._render(params, "text", limit=MAX_TEXT_LENGTH, required=True)
        markup = self._markup(params)
        content: dict[str, Any] = {"text": plain}
        if entities:
            content["entities"] = entities
        message = self._new_bot_message(call, state, content, markup)
        raw, mode = str(params["text"]), params.get("parse_mode")
        state.bot_messages[message["message_id"]] = (raw, mode)
        self._record("send", state, message, call, raw, mode, markup, plain)
        return message

    async def _api_sendDocument(self, call: ApiCall) -> dict:
        return await self._send_media(call, "document")

    async def _api_sendPhoto(self, call: ApiCall) -> dict:
        return await self._send_media(call, "photo")

    def _media_object(self, kind: str, ref: Any, upload: UploadedFile | None) -> Any:
        """The ``photo``/``document``/``video``/``audio`` field of a Message for a file the bot sends: an
        upload (stored, so its new file_id can be sent again) or the file_id of a known file."""
        if upload is not None:
            prefix = {"document": "BQACAgUAAxkDAAI", "photo": "AgACAgUAAxkDAAI"}.get(kind, "BAACAgUAAxkDAAI")
            file_id, unique_id = self._new_file_ids(prefix)
            self.add_file(
                file_id,
                upload.data,
                file_unique_id=unique_id,
                kind="documents" if kind == "document" else "photos" if kind == "photo" else f"{kind}s",
            )
            size = len(upload.data)
        else:
            stored = self._files.get(ref) if isinstance(ref, str) else None
            if stored is None:
                raise _bad("wrong file identifier/HTTP URL specified")
            file_id, unique_id, size = stored.file_id, stored.file_unique_id, stored.file_size
        if kind == "photo":
            return [
                {
                    "file_id": file_id,
                    "file_unique_id": unique_id,
                    "file_size": size,
                    "width": 1280,
                    "height": 960,
                }
            ]
        media: dict[str, Any] = {"file_id": file_id, "file_unique_id": unique_id, "file_size": size}
        if kind == "document":
            media["file_name"] = (upload.filename if upload else None) or "file"
            if upload is not None and upload.content_type:
                media["mime_type"] = upload.content_type
        elif kind == "video":
            media.update(width=1280, height=720, duration=1)
        elif kind == "audio":
            media["duration"] = 1
        return media

    async def _api_sendMediaGroup(self, call: ApiCall) -> list[dict]:
        """An album: 2-10 photos/videos, or 2-10 documents, or 2-10 audios; one Message per item, all
        with the same ``media_group_id`` (captions and their parse_mode per item; no reply_markup)."""
        params = call.params
        state = self._target_chat(params)
        media = params.get("media")
        if isinstance(media, str):
            try:
                media = json.loads(media)
            except ValueError:
                raise _bad("can't parse media JSON object") from None
        if not isinstance(media, list) or not all(isinstance(item, dict) for item in media):
            raise _bad("can't parse media JSON object")
        if not 2 <= len(media) <= 10:
            raise _bad("wrong number of media in the album: must be 2-10 items")
        kinds = [item.get("type") for item in media]
        if any(k not in ("photo", "video", "document", "audio") for k in kinds):
            raise _bad("can't parse InputMedia: unsupported type")
        for only in ("document", "audio"):
            if only in kinds and any(k != only for k in kinds):
                raise _bad(f"{only}s can't be mixed with other media types in an album")
        prepared = []
        for item in media:
            kind = item["type"]
            ref = item.get("media")
            upload = None
            if isinstance(ref, str) and ref.startswith("attach://"):
                upload = call.files.get(ref[len("attach://") :])
                if upload is None:
                    raise _bad("wrong file identifier/HTTP URL specified")
            elif not (isinstance(ref, str) and ref):
                raise _bad("there is no media in the request")
            plain, entities = self._render(item, "caption", limit=MAX_CAPTION_LENGTH, required=False)
            prepared.append((kind, item, self._media_object(kind, ref, upload), plain, entities))
        group_id = str(next(self._file_counter) + 14_000_000_000_000_000)
        messages = []
        for kind, item, media_object, plain, entities in prepared:
            content: dict[str, Any] = {kind: media_object, "media_group_id": group_id}
            if plain:
                content["caption"] = plain
                if entities:
                    content["caption_entities"] = entities
            message = self._new_bot_message(call, state, content, None)
            raw, mode = item.get("caption"), item.get("parse_mode")
            state.bot_messages[message["message_id"]] = (raw, mode)
            self._record(kind, state, message, call, raw, mode, None, plain or None)
            messages.append(message)
        return messages

    async def _send_media(self, call: ApiCall, kind: str) -> dict:
        params = call.params
        state = self._target_chat(params)
        ref = params.get(kind)
        upload = call.files.get(kind)
        if upload is None and isinstance(ref, str) and ref.startswith("attach://"):
            upload = call.files.get(ref[len("attach://") :])
        if upload is None and not (isinstance(ref, str) and ref):
            raise _bad(f"there is no {kind} in the request")
        plain, entities = self._render(params, "caption", limit=MAX_CAPTION_LENGTH, required=False)
        markup = self._markup(params)
        content: dict[str, Any] = {kind: self._media_object(kind, ref, upload)}
        if plain:
            content["caption"] = plain
            if entities:
                content["caption_entities"] = entities
        message = self._new_bot_message(call, state, content, markup)
        raw, mode = params.get("caption"), params.get("parse_mode")
        state.bot_messages[message["message_id"]] = (raw, mode)
        self._record(kind, state, message, call, raw, mode, markup, plain or None)
        return message

    def _bot_message_for_edit(self, call: ApiCall) -> tuple[_ChatState, dict]:
        params = call.params
        if params.get("inline_message_id"):
            raise _bad("MESSAGE_ID_INVALID")
        state = self._target_chat(params)
        if params.get("message_id") in (None, ""):
            raise _bad("message identifier is not specified")
        message = state.messages.get(int(params["message_id"]))
        if message is None:
            raise _bad("message to edit not found")
        if int(params["message_id"]) not in state.bot_messages:
            raise _bad("message can't be edited")
        return state, message

    async def _api_editMessageText(self, call: ApiCall) -> dict:
        params = call.params
        state, message = self._bot_message_for_edit(call)
        if "text" not in message:
            raise _bad("there is no text in the message to edit")
        plain, entities = self._render(params, "text", limit=MAX_TEXT_LENGTH, required=True)
        markup = self._markup(params)
        new_inline = markup if markup is not None and markup.get("inline_keyboard") else None
        old_inline = message.get("reply_markup")
        if (
            plain == message.get("text")
            and entities == message.get("entities", [])
            and _same_markup(new_inline, old_inline)
            and (params.get("parse_mode") or "").lower() not in ("markdown", "markdownv2")
        ):
            raise _bad(NOT_MODIFIED[len("Bad Request: ") :])
        edited = {k: v for k, v in message.items() if k not in ("text", "entities", "reply_markup")}
        edited["text"] = plain
        if entities:
            edited["entities"] = entities
        # Without reply_markup Telegram removes the inline keyboard.
        if new_inline is not None:
            edited["reply_markup"] = {"inline_keyboard": new_inline["inline_keyboard"]}
        edited["edit_date"] = self._now()
        state.messages[edited["message_id"]] = edited
        raw, mode = str(params["text"]), params.get("parse_mode")
        state.bot_messages[edited["message_id"]] = (raw, mode)
        self._record("edit_text", state, edited, call, raw, mode, markup, plain)
        return edited

    async def _api_editMessageReplyMarkup(self, call: ApiCall) -> dict:
        state, message = self._bot_message_for_edit(call)
        markup = self._markup(call.params)
        new_inline = markup if markup is not None and markup.get("inline_keyboard") else None
        if _same_markup(new_inline, message.get("reply_markup")):
            raise _bad(NOT_MODIFIED[len("Bad Request: ") :])
        edited = {k: v for k, v in message.items() if k != "reply_markup"}
        if new_inline is not None:
            edited["reply_markup"] = {"inline_keyboard": new_inline["inline_keyboard"]}
        edited["edit_date"] = self._now()
        state.messages[edited["message_id"]] = edited
        raw, mode = state.bot_messages[edited["message_id"]]
        self._record(
            "edit_markup", state, edited, call, raw, mode, markup, edited.get("text", edited.get("caption"))
        )
        return edited

    async def _api_deleteMessage(self, call: ApiCall) -> bool:
        params = call.params
        state = self._target_chat(params)
        if params.get("message_id") in (None, ""):
            raise _bad("message identifier is not specified")
        message_id = int(params["message_id"])
        if state.messages.pop(message_id, None) is None:
            raise _bad("message to delete not found")
        state.bot_messages.pop(message_id, None)
        self.deleted.append((state.chat["id"], message_id))
        return True

    async def _api_answerCallbackQuery(self, call: ApiCall) -> bool:
        query_id = str(call.params.get("callback_query_id") or "")
        if query_id not in self._open_queries:
            raise _bad(QUERY_TOO_OLD[len("Bad Request: ") :])
        del self._open_queries[query_id]
        self.callback_answers[query_id] = dict(call.params)
        return True

    async def _api_sendChatAction(self, call: ApiCall) -> bool:
        self._target_chat(call.params)
        if call.params.get("action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    async def _api_getFile(self, call: ApiCall) -> dict:
        stored = self._files.get(str(call.params.get("file_id") or ""))
        if stored is None:
            raise _bad("wrong file_id or the file is temporary unavailable")
        if stored.file_size > MAX_DOWNLOAD_SIZE:
            raise _bad("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "file_path": stored.file_path,
        }


# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _chat_key(chat_id: int | str) -> int | str:
    if isinstance(chat_id, bool):
        raise _bad("chat not found")
    if isinstance(chat_id, int):
        return chat_id
    try:
        return int(str(chat_id))
    except ValueError:
        return str(chat_id)


def _scope_key(scope: Any) -> str:
    if not scope:
        return "default"
    return json.dumps(scope, sort_keys=True)


def _decode_form_value(key: str, value: str) -> Any:
    if key in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _same_markup(new: dict | None, old: dict | None) -> bool:
    new_rows = (new or {}).get("inline_keyboard") or []
    old_rows = (old or {}).get("inline_keyboard") or []
    return new_rows == old_rows


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    if not str(button.get("text", "")).strip():
        raise _bad(
            "BUTTON_TEXT_INVALID"
            if "text" in button
            else 'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    actions = [name for name in _INLINE_BUTTON_ACTIONS if name in button]
    if not actions:
        raise _bad("text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise _bad("BUTTON_DATA_INVALID")
    if "url" in button:
        url = str(button["url"])
        if not re.match(r"^(https?|tg)://\S+$", url):
            raise _bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def iter_telegram_objects(obj: Any) -> Iterable[Any]:
    """Yield ``obj`` and every nested ``telegram.TelegramObject`` (to check ``api_kwargs`` in tests)."""
    from telegram import TelegramObject

    seen: set[int] = set()
    stack = [obj]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, TelegramObject):
            yield current
            for name in getattr(current, "__slots__", ()) + tuple(
                s for cls in type(current).__mro__ for s in getattr(cls, "__slots__", ())
            ):
                if name.startswith("_"):
                    continue
                value = getattr(current, name, None)
                if value is not None:
                    stack.append(value)
        elif isinstance(current, list | tuple):
            stack.extend(current)
