"""Requests to Telegram that survive a passing server error: a reply is retried, not lost.

PTB retries a request only after a 429 (``AIORateLimiter``). A 5xx (Telegram's front ends answer 500/502 now
and then) or a connection that could not be made would otherwise lose the reply itself: an answer to a question, or the next
prompt of a form, whose step has already moved on. :class:`RetryingRateLimiter` retries such a request twice,
0.5 s and 2 s later, before the error reaches the handler (and the user sees the error message).

Not retried: a time-out (Telegram may have received the request: a second ``sendMessage`` could show the message
twice), ``getUpdates`` (the updater polls again by itself), the start-up calls (``getMe`` checks Telegram once and leaves the retrying to the service manager, see
README; ``setMyCommands`` has its own retrying job; the webhook's set-up) and the reminder broadcast (its sender retries with its own
backoff and records what failed). Errors Telegram answers on purpose (400, 403, 404) are never retried.
"""

from __future__ import annotations

import asyncio
import logging

from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut

from handlers.tg.messenger import BROADCAST, SharedRateLimiter

log = logging.getLogger(__name__)

RETRY_DELAYS = (0.5, 2.0)  # seconds before the second and the third attempt
NOT_RETRIED = frozenset({"getUpdates", "getMe", "setMyCommands", "setWebhook", "deleteWebhook"})
# Acknowledgements whose failure must not stop the handler (the button's spinner stops by itself): a "query is
# too old" (a tap answered after a restart) or a 5xx there skipped the reply that mattered (helper-84's review:
# a record stored, its receipt never sent; a record passed, the secretary never told).
BEST_EFFORT = frozenset({"answerCallbackQuery"})


def passing(exc: BaseException) -> bool:
    """An error after which the request surely did nothing: Telegram answered with a server error (5xx), or the
    connection was never made. Not a time-out nor a connection lost mid-request (``httpx.ReadError``,
    ``RemoteProtocolError``: Telegram may have the message, and sending it again could show it twice), nor a 400
    (PTB's ``BadRequest`` is a ``NetworkError`` too)."""
    if not isinstance(exc, NetworkError) or isinstance(exc, (TimedOut, BadRequest)):
        return False
    text = str(exc)
    if text.startswith("httpx.") or text.startswith("Unknown error in HTTP implementation"):
        return text.startswith("httpx.ConnectError")  # PTB's words for errors below HTTP
    return True  # an answer with an error status: PTB names it by Telegram's description (Bad Gateway, ...)


class RetryingRateLimiter(SharedRateLimiter):
    """:class:`SharedRateLimiter` whose interactive requests are retried after a passing error."""

    delays: tuple[float, ...] = RETRY_DELAYS

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):  # type: ignore[override]
        try:
            return await self._retried(callback, args, kwargs, endpoint, data, rate_limit_args)
        except TelegramError as exc:
            if endpoint not in BEST_EFFORT:
                raise
            log.warning(
                "%s failed (%s: %s); the update goes on without it", endpoint, type(exc).__name__, exc
            )
            return True  # what Telegram answers to an acknowledgement

    async def _retried(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        if endpoint in NOT_RETRIED or rate_limit_args == BROADCAST:
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        for attempt, delay in enumerate((*self.delays, None), start=1):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except Exception as exc:
                if delay is None or not passing(exc):
                    raise
                log.warning(
                    "%s failed (%s, attempt %d); retrying in %.1f s",
                    endpoint,
                    type(exc).__name__,
                    attempt,
                    delay,
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")
