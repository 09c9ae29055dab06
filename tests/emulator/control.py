"""The test-control side of the emulator: simulated users, injected updates and faults, inspection and
waiting for what the bot did."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from tests.emulator.state import ApiCall, ChatState, Fault, Pending, SentMessage, chat_key, scope_key
from tests.emulator.users import SimUser


class ControlMixin:
    """What tests call on :class:`BotApiEmulator` (besides the files, see ``files.py``)."""

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
        self._chats.setdefault(user_id, ChatState(chat=sim.chat_dict))
        return sim

    def register_chat(self, chat: dict) -> None:
        """Make a (group, channel) chat known, e.g. ``{"id": -100123, "type": "supergroup", "title": "X"}``."""
        self._chats.setdefault(chat["id"], ChatState(chat=dict(chat)))

    def post(
        self,
        chat_id: int,
        content: dict,
        *,
        sender: SimUser | dict | None = None,
        sender_chat: dict | None = None,
        update_type: str = "message",
    ) -> dict:
        """A message in a known chat (see :meth:`register_chat`), enqueued as ``update_type``.

        For the shapes :class:`SimUser` does not make: a member writing in a group, an anonymous group admin
        (``sender`` = the GroupAnonymousBot user, ``sender_chat`` = the group), a ``channel_post`` (no
        ``sender``; ``sender_chat`` = the channel), or a message without ``from`` at all. ``/commands`` in a
        ``text`` get their ``bot_command`` entities. Returns the update.
        """
        from tests.emulator.entities import command_entities

        state = self._chat_state(chat_id)
        message: dict[str, Any] = {"message_id": self._next_message_id(chat_id)}
        if sender is not None:
            message["from"] = sender.user_dict if isinstance(sender, SimUser) else dict(sender)
        if sender_chat is not None:
            message["sender_chat"] = dict(sender_chat)
        message["chat"] = dict(state.chat)
        message["date"] = self._now()
        message.update(content)
        if "text" in content and "entities" not in content:
            entities = command_entities(content["text"])
            if entities:
                message["entities"] = entities
        state.messages[message["message_id"]] = message
        return self.enqueue_raw({update_type: message})

    def enqueue_raw(self, update: dict) -> dict:
        """Queue an update for ``getUpdates``; an ``update_id`` is assigned when missing."""
        update = dict(update)
        if "update_id" not in update:
            update = {"update_id": next(self._update_ids), **update}
        elif update["update_id"] > self._last_update_id:
            self._update_ids = itertools.count(update["update_id"] + 1)
        self._last_update_id = max(self._last_update_id, update["update_id"])
        self._pending.append(Pending(update))
        self._activity()
        return update

    def redeliver(self, update: dict) -> dict:
        """Deliver an update again with the same ``update_id``, even if the bot already confirmed it
        (what a bot sees after crashing between handling an update and confirming it)."""
        self._pending.append(Pending(dict(update), forced=True))
        self._activity()
        return update

    @property
    def pending_updates(self) -> list[dict]:
        """Updates not yet confirmed by the bot (delivered or not)."""
        return [p.update for p in self._pending]

    # -- fault injection ----------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: float | None = 1,
        count: int = 1,
        description: str | None = None,
        chat_id: int | str | None = None,
    ) -> None:
        """The next ``count`` calls of ``method`` ("*" = any method but getUpdates) fail with ``status``; with
        ``chat_id``, only calls to that chat (a notice to one user, not the reply sent just before it).

        429 answers ``parameters.retry_after`` (Telegram sends whole seconds; a float is accepted for
        fast tests); 502 answers nginx's HTML page like the real front end; others answer JSON.
        """
        fault = Fault(
            "error",
            status=status,
            retry_after=retry_after if status == 429 else None,
            description=description,
            chat_id=None if chat_id is None else str(chat_id),
        )
        self._faults.setdefault(self._fault_key(method), deque()).extend([fault] * count)

    def delay_next(self, method: str, seconds: float, count: int = 1, *, before: bool = True) -> None:
        """Delay the answer to the next ``count`` calls of ``method``.

        ``before=True``: wait, then handle (a client that times out first leaves no effect).
        ``before=False``: handle, then wait (the message is sent although the client timed out).
        """
        fault = Fault("delay", seconds=seconds, before=before)
        self._faults.setdefault(self._fault_key(method), deque()).extend([fault] * count)

    def drop_next(self, method: str, count: int = 1) -> None:
        """Close the connection without answering the next ``count`` calls of ``method``."""
        self._faults.setdefault(self._fault_key(method), deque()).extend([Fault("drop")] * count)

    def clear_faults(self) -> None:
        self._faults.clear()

    def _fault_key(self, method: str) -> str:
        return "*" if method == "*" else self._canonical.get(method.lower(), method)

    def _take_fault(self, method: str, params: dict | None = None) -> Fault | None:
        chat_id = str((params or {}).get("chat_id"))
        for key in (method, "*"):
            if key == "*" and method == "getUpdates":
                continue
            queue = self._faults.get(key) or ()
            for fault in queue:
                if fault.chat_id is None or fault.chat_id == chat_id:
                    queue.remove(fault)
                    return fault
        return None

    # -- inspection ----------------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        method = self._canonical.get(method.lower(), method)
        return [c for c in self.calls if c.method == method]

    def messages(self, chat_id: int | str) -> list[SentMessage]:
        """Everything the bot sent or edited in ``chat_id``, in order."""
        state = self._chats.get(chat_key(chat_id))
        return list(state.log) if state else []

    def current_message(self, chat_id: int | str, message_id: int) -> dict | None:
        """The message as it is now (after edits), or None if unknown or deleted."""
        state = self._chats.get(chat_key(chat_id))
        return state.messages.get(message_id) if state else None

    def my_commands(self, scope: dict | None = None, language_code: str = "") -> list[dict]:
        return list(self._commands.get((scope_key(scope), language_code), []))

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
                for m in self.messages(chat_id)[self._message_cursors.get(chat_key(chat_id), 0) :]
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
        key = chat_key(chat_id)
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
        key = chat_key(chat_id)
        records = self.messages(key)
        for index in range(self._message_cursors.get(key, 0), len(records)):
            if predicate is None or predicate(records[index]):
                self._message_cursors[key] = index + 1
                return records[index]
        return None
