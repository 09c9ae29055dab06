"""Bot API methods about the bot itself and its updates: getMe, getUpdates, webhooks, the command list."""

from __future__ import annotations

import asyncio
import re

from tests.emulator.constants import CONFLICT_POLL, CONFLICT_WEBHOOK, MAX_LONG_POLL
from tests.emulator.state import ApiCall, ApiError, bad, scope_key

_BOT_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")

UPDATE_TYPES = (
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
DEFAULT_ALLOWED = frozenset(UPDATE_TYPES) - {"chat_member", "message_reaction", "message_reaction_count"}


class UpdatesMixin:
    """getMe, getUpdates (long polling), the webhook methods and the bot commands."""

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
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED

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
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
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
            raise bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad("too many commands")
        for command in commands:
            if not isinstance(command, dict) or not _BOT_COMMAND_NAME_RE.match(
                str(command.get("command", ""))
            ):
                raise bad("BOT_COMMAND_INVALID")
            description = str(command.get("description", "")).strip()
            if not 1 <= len(description) <= 256:
                raise bad(
                    "command description is empty" if not description else "BOT_COMMAND_DESCRIPTION_INVALID"
                )
        scope = call.params.get("scope")
        if isinstance(scope, dict) and "chat_id" in scope:
            self._chat_state(scope["chat_id"])  # a chat Telegram does not know: "chat not found"
        key = (scope_key(scope), call.params.get("language_code") or "")
        self._commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
        return True

    async def _api_getMyCommands(self, call: ApiCall) -> list[dict]:
        key = (scope_key(call.params.get("scope")), call.params.get("language_code") or "")
        return list(self._commands.get(key, []))

    async def _api_deleteMyCommands(self, call: ApiCall) -> bool:
        key = (scope_key(call.params.get("scope")), call.params.get("language_code") or "")
        self._commands.pop(key, None)
        return True
