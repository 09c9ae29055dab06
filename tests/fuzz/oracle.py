"""The properties checked after each batch, and what violated them (with the update that did it).

* ``unhandled``: an error reached PTB's error handling, or something logged at ERROR with a traceback
  (the bot's own error handler saying sorry to the user still counts: the update was not handled).
* ``unanswered_buttons``: a callback query never got its ``answerCallbackQuery`` (the client spins).
* ``exception_text_replies``: a message, edit, caption or button alert of the bot shows exception text or a
  Python repr (``junk.EXCEPTION_TEXT``; the fuzz's own inputs never contain any, see ``junk.defang``).
* ``unreplied``: a private text message from a user (not a replay) got no message back.
* ``duplicates``: one update answered twice: a replayed update_id handled again with effects, an edited
  message answered (edits must not re-run commands), or an update that failed and then still reached
  later handlers (the error text plus another reply).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.fuzz.actions import Action
from tests.fuzz.harness import TAG_PARAM, Failure, parse_tag
from tests.fuzz.junk import EXCEPTION_TEXT

MESSAGE_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "sendVideo",
        "sendAudio",
        "sendVoice",
        "sendSticker",
        "sendLocation",
        "sendContact",
        "sendAnimation",
        "copyMessage",
        "forwardMessage",
        "editMessageText",
        "editMessageCaption",
        "editMessageMedia",
    }
)
COUNTERS = ("unhandled", "unanswered_buttons", "exception_text_replies", "unreplied", "duplicates")


@dataclass
class Sent:
    """An update the fuzz enqueued."""

    update: dict
    action: Action
    replay_of: int | None = None  # the update_id replayed

    @property
    def update_id(self) -> int:
        return self.update["update_id"]

    @property
    def type(self) -> str:
        return next(k for k in self.update if k != "update_id")

    @property
    def query_id(self) -> str | None:
        query = self.update.get("callback_query")
        return query["id"] if query else None

    @property
    def is_edited_question(self) -> bool:
        """A user's edit of a private text (no command): answered when the message was answered as a question.
        A command is what Telegram marks as one (a ``bot_command`` entity at its start): "/帮助" is text."""
        message = self.update.get("edited_message")
        if message is None or "from" not in message or message["chat"]["type"] != "private":
            return False
        entities = message.get("entities") or ()
        command = any(e.get("type") == "bot_command" and e.get("offset") == 0 for e in entities)
        return bool(message.get("text")) and not command

    @property
    def needs_reply(self) -> bool:
        """A private text message from a user (not a replay): the bot must say something."""
        message = self.update.get("message")
        return (
            self.replay_of is None
            and message is not None
            and "from" in message
            and message["chat"]["type"] == "private"
            and "text" in message
        )


@dataclass
class Violation:
    counter: str
    update_id: int | None
    detail: str
    sent: Sent | None

    def describe(self) -> str:
        head = f"{self.counter}: update {self.update_id}"
        if self.sent is not None:
            head += f" [{self.sent.action.describe()}]"
        lines = [f"{head}: {self.detail}"]
        if self.sent is not None:
            lines.append("    " + json.dumps(compact(self.sent.update), ensure_ascii=False))
        return "\n".join(lines)


@dataclass
class Tally:
    updates: int = 0
    unhandled: int = 0
    unanswered_buttons: int = 0
    exception_text_replies: int = 0
    unreplied: int = 0
    duplicates: int = 0
    violations: list[Violation] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not any(getattr(self, name) for name in COUNTERS)

    def add(self, other: Tally) -> None:
        self.updates += other.updates
        for name in COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.violations += other.violations

    def line(self) -> str:
        return (
            f"updates {self.updates} unhandled {self.unhandled} unanswered_buttons {self.unanswered_buttons} "
            f"exception_text_replies {self.exception_text_replies} unreplied {self.unreplied} "
            f"duplicates {self.duplicates}"
        )

    def describe(self, limit: int = 12) -> str:
        """The counters, then one line per kind of violation (how many, and the first update that did it)."""
        groups: dict[str, list[Violation]] = {}
        for v in self.violations:
            groups.setdefault(signature(v), []).append(v)
        lines = [self.line()]
        for key, items in list(groups.items())[:limit]:
            lines.append(f"{len(items)} x {key}")
            lines.append("  first: " + items[0].describe().replace("\n", "\n  "))
        if len(groups) > limit:
            lines.append(f"... and {len(groups) - limit} more kinds of violation")
        return "\n".join(lines)


def signature(v: Violation) -> str:
    """What makes two violations the same defect, roughly: the counter and the gist of the detail."""
    update = v.sent.update if v.sent is not None else {}
    if v.counter == "unanswered_buttons":
        data = (update.get("callback_query") or {}).get("data")
        family = (data or "").split(":")[0]
        if data is None:
            return f"{v.counter}: a query without data"
        if family in ("f", "qa", "r", "b", "nb", "toc"):
            return f"{v.counter}: data {family}:..."
        return f"{v.counter}: data with an unknown prefix"
    if v.counter in ("duplicates", "unreplied"):
        return f"{v.counter}: {v.detail.split(':')[0]}"
    gist = re.sub(r"\d+", "N", v.detail.split("\n")[0])
    return f"{v.counter}: {gist[:110]}"


def compact(value: Any, depth: int = 0) -> Any:
    """An update made short enough to read: long strings cut, keyboards, entities and thumbnails dropped."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in ("reply_markup", "entities", "caption_entities", "thumbnail", "chat_instance"):
                continue
            if key == "photo" and isinstance(item, list) and item:
                item = item[-1:]
            if key == "reply_to_message" or (key == "message" and depth > 0):
                item = {k: item[k] for k in ("message_id", "chat", "text") if k in item}
            out[key] = compact(item, depth + 1)
        return out
    if isinstance(value, list):
        return [compact(v, depth + 1) for v in value]
    if isinstance(value, str) and len(value) > 80:
        return f"{value[:60]}…<{len(value)} chars>"
    return value


Violate = Callable[[str, int | None, str], None]


def check(
    batch: list[Sent],
    *,
    calls: list[Any],
    sent_messages: list[Any],
    callback_answers: dict[str, dict],
    failures: list[Failure],
    all_sent: dict[int, Sent],
) -> Tally:
    """The properties over one batch: ``calls``, ``sent_messages`` and ``failures`` are what happened since
    the batch began (``ApiCall``s, ``SentMessage``s, :class:`Failure`s); ``all_sent`` maps every update_id
    the fuzz ever sent to its :class:`Sent` (to name the update behind a call)."""
    tally = Tally(updates=len(batch))

    def violate(counter: str, update_id: int | None, detail: str) -> None:
        setattr(tally, counter, getattr(tally, counter) + 1)
        tally.violations.append(Violation(counter, update_id, detail, all_sent.get(update_id)))

    by_update: dict[int, list[tuple[int, Any]]] = defaultdict(list)  # update_id -> [(n, call)]
    for call in calls:
        if call.method == "getUpdates":
            continue
        tagged = parse_tag(call.params.get(TAG_PARAM))
        if tagged is not None:
            by_update[tagged[0]].append((tagged[1], call))
    _unhandled(failures, violate)
    _unanswered_buttons(batch, callback_answers, violate)
    _exception_texts(sent_messages, calls, violate)
    _unreplied(batch, by_update, violate)
    _duplicates(batch, by_update, failures, violate)
    return tally


def _unhandled(failures: list[Failure], violate: Violate) -> None:
    """Every error, once (the error handler and a log line about the same exception count once)."""
    counted: set[int] = set()
    for failure in failures:
        if failure.error is not None:
            if id(failure.error) in counted:
                continue
            counted.add(id(failure.error))
        violate("unhandled", failure.update_id, f"{failure.source}: {failure.message[:300]}")


def _unanswered_buttons(batch: list[Sent], callback_answers: dict[str, dict], violate: Violate) -> None:
    for item in batch:
        if item.query_id is not None and item.replay_of is None and item.query_id not in callback_answers:
            violate("unanswered_buttons", item.update_id, "answerCallbackQuery was never called")


def _exception_texts(sent_messages: list[Any], calls: list[Any], violate: Violate) -> None:
    for record in sent_messages:
        for text in (record.plain_text, record.text):
            match = EXCEPTION_TEXT.search(text or "")
            if match:
                tagged = parse_tag(record.call.params.get(TAG_PARAM))
                detail = f"{record.method} shows {match.group(0)!r}: {(record.plain_text or '')[:200]!r}"
                violate("exception_text_replies", tagged[0] if tagged else None, detail)
                break
    for call in calls:
        if call.method == "answerCallbackQuery" and (
            match := EXCEPTION_TEXT.search(str(call.params.get("text") or ""))
        ):
            tagged = parse_tag(call.params.get(TAG_PARAM))
            violate(
                "exception_text_replies",
                tagged[0] if tagged else None,
                f"answerCallbackQuery shows {match.group(0)!r}: {call.params.get('text')!r}",
            )


def _unreplied(batch: list[Sent], by_update: dict[int, list[tuple[int, Any]]], violate: Violate) -> None:
    for item in batch:
        if not item.needs_reply:
            continue
        replies = [c for n, c in by_update.get(item.update_id, []) if c.method in MESSAGE_METHODS and c.ok]
        if not replies:
            violate("unreplied", item.update_id, "no reply to a private text message")


# The one line an edit of a message the form, a record's change or a profile field took gets: the edit changed
# nothing, and how to correct it (``handlers.tg.qa.EDITED_FORM_INPUT``/``EDITED_AMEND_INPUT``, ``handlers.tg.branches``).
EDIT_HINT = "提示：修改已发送的消息不会改动"


def _edit_hint(call: Any) -> bool:
    return str(call.params.get("text") or "").startswith(EDIT_HINT)


def _duplicates(
    batch: list[Sent], by_update: dict[int, list[tuple[int, Any]]], failures: list[Failure], violate: Violate
) -> None:
    """An update handled again when redelivered, an edited message answered, a failed update answered twice."""
    for update_id, tagged_calls in by_update.items():
        again = [c for n, c in tagged_calls if n >= 2]
        if again:
            methods = sorted({c.method for c in again})
            violate("duplicates", update_id, f"handled again when redelivered: {', '.join(methods)}")
    for item in batch:
        if item.type in ("edited_message", "edited_channel_post") and item.replay_of is None:
            if item.is_edited_question:
                continue  # an edited question is answered anew (handlers.tg.qa.on_edited_text)
            replies = [
                c
                for n, c in by_update.get(item.update_id, [])
                if n == 1 and c.method in MESSAGE_METHODS and not _edit_hint(c)
            ]
            if replies:
                texts = [str(c.params.get("text") or "")[:40] for c in replies]
                violate("duplicates", item.update_id, f"an edited message was answered: {texts}")
    for failure in failures:
        if failure.source != "error handler" or failure.update_id is None:
            continue
        after = [
            c
            for n, c in by_update.get(failure.update_id, [])
            if n == 1 and c.method in MESSAGE_METHODS and c.index >= failure.calls_before
        ]
        if len(after) >= 2:
            texts = [str(c.params.get("text") or "")[:30] for c in after]
            violate("duplicates", failure.update_id, f"failed, then reached later handlers: {texts}")
