"""The emulator's records and server state: API calls, sent messages, chats, pending updates, faults."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.emulator.files import UploadedFile

# --------------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------------


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
class Fault:
    kind: str  # "error" | "delay" | "drop"
    status: int = 0
    retry_after: float | None = None
    description: str | None = None
    seconds: float = 0.0
    before: bool = True
    chat_id: str | None = None  # only a call to this chat (None: any call of the method)


@dataclass
class Pending:
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
class ChatState:
    chat: dict
    next_message_id: int = 1
    messages: dict[int, dict] = field(default_factory=dict)  # current Message objects
    bot_messages: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)  # raw text, mode
    log: list[SentMessage] = field(default_factory=list)
    blocked: bool = False


# --------------------------------------------------------------------------------------------------
# Errors and keys
# --------------------------------------------------------------------------------------------------


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def chat_key(chat_id: int | str) -> int | str:
    if isinstance(chat_id, bool):
        raise bad("chat not found")
    if isinstance(chat_id, int):
        return chat_id
    try:
        return int(str(chat_id))
    except ValueError:
        return str(chat_id)


def scope_key(scope: Any) -> str:
    if not scope:
        return "default"
    return json.dumps(scope, sort_keys=True)


# --------------------------------------------------------------------------------------------------
# State shared by the methods and the test-control side (a mixin of BotApiEmulator)
# --------------------------------------------------------------------------------------------------


class StateMixin:
    """Chats, message ids, the clock and the change notification of :class:`BotApiEmulator`."""

    def _now(self) -> int:
        return int(self._clock())

    def _next_message_id(self, chat_id: int | str) -> int:
        state = self._chat_state(chat_id)
        message_id = state.next_message_id
        state.next_message_id += 1
        return message_id

    def _chat_state(self, chat_id: int | str) -> ChatState:
        key = chat_key(chat_id)
        state = self._chats.get(key)
        if state is None:
            if self.strict_chats:
                raise bad("chat not found")
            chat = {"id": key, "type": "private" if isinstance(key, int) and key > 0 else "supergroup"}
            state = self._chats[key] = ChatState(chat=chat)
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

    def _bot_user(self, token: str) -> dict:
        return {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

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
