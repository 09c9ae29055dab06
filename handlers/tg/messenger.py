"""Reminders leave through Telegram here: the :class:`~handlers.services.reminders.Messenger` over
``bot.send_message``, and the rate limiter that shares Telegram's ~30 messages a second between the broadcast
and the people who are typing.

**Errors** (:func:`delivery_error`): 403 and "chat not found" -> ``Blocked`` (the secretary is marked
unreachable); 429 -> ``RetryAfter(seconds)`` (the broadcast pauses); time-outs, network errors and 5xx ->
``Transient`` (retried with backoff). Any other 400 is a bug of ours; it is retried like a transient error and
ends in a dead row administrators see. A reason is a fixed phrase, never Telegram's text (which may quote ours).

**Rate** (:class:`SharedRateLimiter`): one sliding window of one second counts every request that names a chat.
Broadcast requests (``rate_limit_args=BROADCAST``) start only while the broadcast has fewer than ``broadcast``
requests in the window and all traffic together fewer than ``total`` (Telegram's 30); interactive requests only
need the total. As the broadcast never takes more than its share, at least ``total - broadcast`` (5 a second at
the default 25) is always left for replies, which therefore never wait behind a broadcast; and the two together
never pass ``total`` in any one-second window. Broadcast requests are also spaced evenly (one every 40 ms at 25
a second) rather than sent a second's share at a time (see :class:`TrafficWindow`). A 429 on a broadcast request
goes back to the sender (it pauses the broadcast) and never holds up replies; interactive requests keep PTB's
``AIORateLimiter`` handling (group limits, retries after a 429).
"""

from __future__ import annotations

import asyncio
import math
import time
import warnings
from collections import deque
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import AIORateLimiter

from handlers.services.reminders import Audience, Blocked, DeliveryError, DeliveryView, Transient
from handlers.services.reminders import RetryAfter as PauseFor
from handlers.tg.render_digest import digest_html
from handlers.tg.render_reminders import reminder_html, reminder_markup

TELEGRAM_RATE = 30  # messages a second Telegram allows a bot overall
BROADCAST = "broadcast"  # ``rate_limit_args`` of a reminder: counted against the broadcast's share
WINDOW = 1.0
# A reminder's answer is waited for this long (PTB's default: 5 s). A time-out is retried, and Telegram may have
# delivered the message meanwhile (helper-85's review: an answer 6.5 s late showed the reminder twice); nobody
# waits for a reminder, so a slow answer is waited for rather than sent again.
READ_TIMEOUT = 30.0
CATCH_UP = 2  # broadcast starts that may be made up at once after a late one (see TrafficWindow)


def retry_after_seconds(exc: RetryAfter) -> float:
    """``exc.retry_after`` in seconds (an int, or a timedelta with ``PTB_TIMEDELTA``; no deprecation warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)


def delivery_error(exc: BaseException) -> DeliveryError:
    """What the sender should do about a failed ``send_message`` (a fixed reason, no text of Telegram's)."""
    if isinstance(exc, RetryAfter):
        return PauseFor(retry_after_seconds(exc))
    if isinstance(exc, Forbidden):
        return Blocked("403 forbidden")
    if isinstance(exc, BadRequest):
        if "chat not found" in str(exc).lower():
            return Blocked("400 chat not found")
        return Transient("400 bad request")
    if isinstance(exc, TimedOut):
        return Transient("timeout")
    if isinstance(exc, NetworkError):
        return Transient("network error or 5xx")
    if isinstance(exc, TelegramError):
        return Transient(f"telegram {type(exc).__name__}")
    return Transient(f"unexpected {type(exc).__name__}")


class TelegramMessenger:
    """Sends a reminder (or a digest) as one HTML message with its buttons; returns the message id."""

    def __init__(
        self,
        bot: Any,
        kb: Callable[[], Any],
        tz: ZoneInfo,
        *,
        rate_limit_args: object | None = None,
        dashboard: Callable[[], bool] = lambda: False,
    ) -> None:
        self.bot = bot
        self.kb = kb  # a callable: the knowledge base may be swapped while the bot runs
        self.tz = tz
        # Whether the web dashboard is configured (the digest then offers /dashboard).
        self.dashboard = dashboard
        self.extra = {"rate_limit_args": rate_limit_args} if rate_limit_args is not None else {}

    def render(self, delivery: DeliveryView) -> tuple[str, Any]:
        if delivery.audience is Audience.ADMIN and delivery.digest is not None:
            return digest_html(delivery.digest, self.tz, dashboard=self.dashboard()), None
        return reminder_html(delivery, self.kb()), reminder_markup(delivery)

    async def send_reminder(self, chat_id: int, delivery: DeliveryView) -> int | None:
        text, markup = self.render(delivery)
        try:
            message = await self.bot.send_message(
                chat_id,
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                read_timeout=READ_TIMEOUT,
                **self.extra,
            )
        except (TelegramError, OSError) as exc:
            raise delivery_error(exc) from None
        return message.message_id


class TrafficWindow:
    """The requests of the last second, broadcast or not (see the module's docstring).

    Broadcast requests are also spread evenly, one every ``1 / broadcast`` seconds (virtual scheduling with a
    tolerance of :data:`CATCH_UP` intervals: the lateness of a few starts is made up by the next ones, and no
    more than ``CATCH_UP + 1`` ever go at once). The sender's own limiter lets a second's share go as one burst;
    at exactly one-second intervals, a few milliseconds' difference in how fast two bursts travel puts the end of
    one and the start of the next into the same second at Telegram. Evenly spaced, a message's neighbours are
    40 ms away, not 1.
    """

    def __init__(
        self,
        total: int = TELEGRAM_RATE,
        broadcast: float = 25,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < broadcast < total:
            raise ValueError(f"the broadcast's share must be above 0 and below {total}, got {broadcast!r}")
        self.total = total
        self.broadcast = max(1, int(broadcast))
        self.spacing = 1.0 / broadcast
        self.monotonic = monotonic
        self._starts: deque[tuple[float, bool]] = deque()
        self._broadcasts = 0
        self._next_broadcast = -math.inf  # the theoretical start of the next broadcast request
        self.waited = 0.0  # seconds interactive requests waited here (0 unless they exceeded their share)

    def _forget(self, now: float) -> None:
        while self._starts and self._starts[0][0] <= now - WINDOW:
            _, was_broadcast = self._starts.popleft()
            self._broadcasts -= was_broadcast

    def delay(self, broadcast: bool) -> float:
        """Seconds before a request of this kind may start (0: now)."""
        now = self.monotonic()
        self._forget(now)
        wait = 0.0
        if len(self._starts) >= self.total:
            wait = self._starts[0][0] + WINDOW - now
        if broadcast:
            wait = max(wait, self._next_broadcast - CATCH_UP * self.spacing - now)
            if self._broadcasts >= self.broadcast:
                oldest = next(t for t, b in self._starts if b)
                wait = max(wait, oldest + WINDOW - now)
        return max(wait, 1e-3) if wait > 1e-9 else 0.0  # not a rounding error of the spacing

    async def acquire(self, broadcast: bool) -> None:
        while True:
            wait = self.delay(broadcast)
            if wait <= 0:
                break
            if not broadcast:
                self.waited += wait
            await asyncio.sleep(wait)
        now = self.monotonic()
        self._starts.append((now, broadcast))
        if broadcast:
            self._broadcasts += 1
            self._next_broadcast = max(self._next_broadcast, now) + self.spacing


# Start-up calls are tried once, outside PTB's limiter: a 429 on getMe ends the start at once (the service manager
# restarts it later, README) instead of sleeping through its retry_after three times, silently (3 minutes for a
# retry_after of 60: helper-110's operator review).
ONCE = frozenset({"getMe", "setWebhook", "deleteWebhook"})


class SharedRateLimiter(AIORateLimiter):
    """PTB's ``AIORateLimiter`` (group limits, retries on 429) whose overall limit is a :class:`TrafficWindow`
    shared with the reminder broadcast."""

    def __init__(self, broadcast: float = 25, *, total: int = TELEGRAM_RATE, max_retries: int = 3) -> None:
        super().__init__(overall_max_rate=0, max_retries=max_retries)
        self.window = TrafficWindow(total, broadcast)

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):  # type: ignore[override]
        if endpoint in ONCE:
            return await callback(*args, **kwargs)
        if data.get("chat_id") is None:
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        if rate_limit_args == BROADCAST:  # the sender paces, pauses and retries these itself
            await self.window.acquire(True)
            return await callback(*args, **kwargs)

        async def counted(*a: Any, **kw: Any) -> Any:
            await self.window.acquire(False)
            return await callback(*a, **kw)

        return await super().process_request(counted, args, kwargs, endpoint, data, rate_limit_args)
