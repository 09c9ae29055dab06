"""The sender: claims due delivery rows in batches and delivers each through a :class:`Messenger`.

- **Claims** (``DeliveryRepository.claim``): a short transaction per batch, ``FOR UPDATE SKIP LOCKED`` on
  PostgreSQL with a lease (``lease``, default 2 minutes): two senders never hold the same row, and the rows of
  a sender that crashed become claimable again once their lease expires. On SQLite one sender process is
  assumed. Every claim counts an attempt, so a row that keeps crashing its sender ends ``dead``.
- **Checked again** just before sending: a kind recorded or muted meanwhile is dropped from the message (all
  of them: the row is ``skipped``), as is a row whose period closed, whose later stage is already due, whose
  branch lost its secretary or cannot reach them.
- **Exactly once, as far as Telegram allows**: each row is marked ``sent`` in its own short transaction right
  after Telegram confirms it, so after a crash nothing recorded as sent goes again and nothing unsent is
  skipped. The Bot API has no idempotency key, so a message in flight when the process dies (sent, but not yet
  recorded) is sent again when its lease expires: at most ``concurrency`` messages (default 4), the window of
  duplicates equals the sender's concurrency.
- **Pace**: at most ``rate`` messages in any one-second window (:class:`SlidingWindowLimiter`) and one per
  chat per second, with at most ``concurrency`` requests in flight. :class:`RetryAfter` pauses the whole
  broadcast for its seconds (the rows not yet started go back, unchanged in order) and then it resumes at the
  same rate. :class:`Transient`: retried after ``backoff`` (10 s, 1 min, 5 min, 30 min) up to ``max_attempts``
  in all, then ``dead``. :class:`Blocked`: the row is ``failed``, the secretary is flagged unreachable, their
  other waiting rows are skipped, and they get nothing more until they /start again.
- **Quiet hours**: nothing is claimed from 21:00 to 08:00; a retry that would fall then waits for 08:00, unless
  the reminder's period ends first: then it comes at 20:58, the last call (``retry_time``). A 429's pause is
  never shortened; one ending in the quiet hours of its period's last day skips the row (``pause_time``).

Time: ``send_due(at)`` runs on a timeline that starts at ``at`` and advances with the injected monotonic clock
(``now = at + elapsed``), so tests drive it with a fake clock and ``--at`` works from the command line.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.clock import Clock
from handlers.services.reminders.checks import RowCheck, check_rows
from handlers.services.reminders.limiter import SlidingWindowLimiter
from handlers.services.reminders.model import (
    DEFAULT_PUSH_RATE,
    Audience,
    Blocked,
    DeliveryView,
    Messenger,
    RetryAfter,
    SendReport,
    Transient,
)
from knowledge.schedule import ScheduleConfig, is_quiet, release_time, release_within
from storage.repositories import DeliveryRepository, ReminderRepository

log = logging.getLogger(__name__)

DEFAULT_BACKOFF: tuple[float, ...] = (10.0, 60.0, 300.0, 1800.0)
LAPSED_IN_PAUSE = "period ends in the quiet hours (429 pause)"  # skipped: see ``pause_time``
MIN_IDLE_SLEEP = 0.05  # seconds, when a due row is momentarily locked by another sender


def default_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass
class SenderOptions:
    concurrency: int = 4  # requests in flight at once (= the most a crash may send twice)
    lease: timedelta = timedelta(minutes=2)
    max_attempts: int = 5
    backoff: tuple[float, ...] = DEFAULT_BACKOFF
    linger: float = 15.0  # wait this long at most for a retry that is almost due before returning
    batch_size: int | None = None  # rows per claim; default twice the rate

    def __post_init__(self) -> None:
        if self.concurrency < 1 or self.max_attempts < 1 or not self.backoff:
            raise ValueError("concurrency and max_attempts must be >= 1, backoff not empty")


class ReminderSender:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        messenger: Messenger,
        *,
        config: ScheduleConfig | None = None,
        options: SenderOptions | None = None,
        worker_id: str | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.messenger = messenger
        self.config = config if config is not None else ScheduleConfig(tz=clock.tz)
        self.options = options if options is not None else SenderOptions()
        self.worker_id = worker_id or default_worker_id()
        self.monotonic = monotonic
        self.sleep = sleep

    async def send_due(self, at: datetime | None = None, rate: float = DEFAULT_PUSH_RATE) -> SendReport:
        """Deliver every row due at ``at`` (default now), and those falling due while it works; then return.

        It also waits up to ``options.linger`` seconds for a retry that is almost due. Run it again later
        (every minute from the bot's job queue) for later retries and stages.
        """
        run = _Broadcast(self, at if at is not None else self.clock.now(), rate)
        return await run.run()


def retry_time(view: DeliveryView, now: datetime, backoff: float, config: ScheduleConfig) -> datetime:
    """When to retry after a transient failure at ``now``: ``backoff`` seconds later, after the quiet hours; but
    a reminder whose period would end in the quiet hours meanwhile is retried at its last call (20:58), if that
    is still to come (``release_within``): at 08:00 it would be skipped, its period closed."""
    wanted = now + timedelta(seconds=backoff)
    if view.audience is Audience.BRANCH:
        within = release_within(wanted, view.deadline, config, earliest=now)
        if within is not None:
            return within
    return release_time(wanted, config)


def pause_time(view: DeliveryView, until: datetime, config: ScheduleConfig) -> datetime | None:
    """When a row held back by a 429 until ``until`` can go; None if it cannot go in its period any more.

    ``release_within`` with the pause's end as the earliest moment: Telegram refuses anything sooner, so unlike
    a transient retry it is never brought forward to the last call (20:58). A pause ending before 21:00 is
    waited out and the broadcast resumes then (the sender is running: the last call's margin for the minute job
    is not needed); one ending in the quiet hours waits for 08:00, unless the period ends in them: nothing can
    go before it closes without breaking them (as for a reminder planned after 21:00 on its last day), so the
    row is skipped now, not left pending to be skipped as "period closed" at 08:00."""
    if view.audience is not Audience.BRANCH:
        return release_time(until, config)
    return release_within(until, view.deadline, config, earliest=until)


class _Broadcast:
    """One call of ``send_due``: its timeline, limiter, counters and tasks in flight."""

    def __init__(self, sender: ReminderSender, at: datetime, rate: float) -> None:
        self.s = sender
        self.opts = sender.options
        self.start_at = at
        self.mono0 = sender.monotonic()
        self.limiter = SlidingWindowLimiter(rate, monotonic=sender.monotonic, sleep=sender.sleep)
        self.batch_size = self.opts.batch_size or max(2 * self.opts.concurrency, int(2 * rate))
        self.slots = asyncio.Semaphore(self.opts.concurrency)
        self.tasks: set[asyncio.Task[None]] = set()
        self.errors: list[BaseException] = []
        self.waiting: dict[int, DeliveryView] = {}  # claimed, not started yet
        self.blocked: set[int] = set()  # chats that answered 403 in this run
        self.pause = 0.0  # seconds asked by a 429, not yet waited out
        self.counts = {"sent": 0, "failed": 0, "dead": 0, "skipped": 0, "retrying": 0}
        self.retry_ids: dict[int, int | None] = {}  # rows put back after a transient failure -> branch
        self.failures: Counter[str] = Counter()  # the reasons of the failures of this run
        self.paused = 0.0  # seconds waiting out 429s
        self.gaps = 0.0  # seconds between sends spent waiting (429 pauses, retries not yet due)
        self._gap_pending = 0.0  # a wait that counts once a send follows it
        self.first_start: float | None = None
        self.last_end: float | None = None

    def now(self) -> datetime:
        return self.start_at + timedelta(seconds=self.s.monotonic() - self.mono0)

    async def run(self) -> SendReport:
        try:
            while not is_quiet(self.now(), self.s.config):
                views = await self._claim()
                if views is None:
                    break
                await self._dispatch(views)
                if self.pause > 0:
                    await self._wait_out_pause()
        finally:
            await self._drain()
            await self._release_waiting(self.now(), "stopped")
        if self.errors:
            raise self.errors[0]
        return self._report()

    async def _claim(self) -> list[DeliveryView] | None:
        """The next batch ready to send (possibly empty after checks); None when nothing more is due."""
        while True:
            now = self.now()
            async with self.s.session_factory() as session, session.begin():
                rows = await DeliveryRepository(session).claim(
                    now=now, limit=self.batch_size, worker=self.s.worker_id, lease=self.opts.lease
                )
                if rows:
                    checked = await check_rows(
                        ReminderRepository(session), rows, now, self.s.config, self.opts.max_attempts
                    )
                    await self._finish_checked(session, checked, now)
                    return checked.views
            if not await self._linger():
                return None

    async def _finish_checked(self, session: AsyncSession, checked: RowCheck, now: datetime) -> None:
        repo = DeliveryRepository(session)
        for reason, ids in checked.skipped.items():
            self.counts["skipped"] += await repo.finish(ids, "skipped", at=now, error=reason)
            self._settled(ids)
        if checked.dead:
            self._settled(checked.dead)
            self.failures["attempts exhausted"] += len(checked.dead)
            dead = await repo.finish(checked.dead, "dead", at=now, error="attempts exhausted")
            self.counts["dead"] += dead
            self.counts["failed"] += dead

    async def _linger(self) -> bool:
        """Wait for a pending row due within ``linger`` seconds; False if there is none."""
        await self._drain()
        async with self.s.session_factory() as session:
            next_at = await DeliveryRepository(session).next_pending_at()
        if next_at is None or is_quiet(next_at, self.s.config):
            return False
        wait = (next_at - self.now()).total_seconds()
        if wait > self.opts.linger:
            return False
        wait = max(wait, MIN_IDLE_SLEEP)
        await self.s.sleep(wait)
        self._gap_pending += wait
        return True

    async def _dispatch(self, views: Sequence[DeliveryView]) -> None:
        self.waiting.update((v.id, v) for v in views)
        queue, deferred = deque(views), set()
        while queue:
            view = queue.popleft()
            if queue and view.id not in deferred and self.limiter.chat_delay(view.chat_id) > 0:
                deferred.add(view.id)  # its chat just had one: the others go first
                queue.append(view)
                continue
            if self.pause > 0:
                return  # the rest stay in ``waiting`` and go back when the pause starts
            await self.slots.acquire()
            started = await self.limiter.acquire(view.chat_id)
            if self.pause > 0:
                self.slots.release()
                return
            if self.first_start is None:
                self.first_start = started
            else:
                self.gaps += self._gap_pending
            self._gap_pending = 0.0
            del self.waiting[view.id]
            task = asyncio.create_task(self._deliver(view))
            self.tasks.add(task)
            task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        self.slots.release()
        self.last_end = self.s.monotonic()
        if not task.cancelled() and task.exception() is not None:
            self.errors.append(task.exception())  # type: ignore[arg-type]

    async def _drain(self) -> None:
        while self.tasks:
            await asyncio.wait(set(self.tasks))

    async def _wait_out_pause(self) -> None:
        await self._drain()
        pause, now = self.pause, self.now()
        await self._release_waiting(now + timedelta(seconds=pause), "paused (429)", pause=True)
        log.warning("Telegram asked to slow down: the broadcast pauses %.1f s", pause)
        await self.s.sleep(pause)
        self.paused += pause
        self._gap_pending += pause
        self.pause = 0.0

    async def _release_waiting(self, until: datetime, reason: str, *, pause: bool = False) -> None:
        if not self.waiting:
            return
        views = list(self.waiting.values())
        self.waiting.clear()
        async with self.s.session_factory() as session, session.begin():
            await self._put_back(DeliveryRepository(session), views, until, None, pause=pause)
        log.info("%d claimed reminders put back (%s)", len(views), reason)

    async def _put_back(
        self,
        repo: DeliveryRepository,
        views: Sequence[DeliveryView],
        until: datetime,
        error: str | None,
        *,
        pause: bool,
    ) -> None:
        """Back to ``pending`` until ``until``, the claim's attempt refunded; held back by a 429 (``pause``), each
        row until its ``pause_time``, or skipped when that is None."""
        at, groups = self.now(), defaultdict[datetime | None, list[int]](list)
        for view in views:
            groups[pause_time(view, until, self.s.config) if pause else until].append(view.id)
        if lapsed := groups.pop(None, []):
            self.counts["skipped"] += await repo.finish(lapsed, "skipped", at=at, error=LAPSED_IN_PAUSE)
            log.info("%d reminders skipped: a 429 pause ends in their last night's quiet hours", len(lapsed))
        for when, ids in groups.items():
            await repo.reschedule(ids, at=at, next_attempt_at=when, error=error, refund_attempt=True)

    async def _deliver(self, view: DeliveryView) -> None:
        self.retry_ids.pop(view.id, None)  # settled below, or put back again
        if view.chat_id in self.blocked:  # a 403 earlier in this run: do not knock again
            async with self.s.session_factory() as session, session.begin():
                skipped = await DeliveryRepository(session).finish(
                    [view.id], "skipped", at=self.now(), error="secretary unreachable"
                )
            self.counts["skipped"] += skipped
            return
        try:
            message_id = await self.s.messenger.send_reminder(view.chat_id, view)
        except RetryAfter as exc:
            await self._on_retry_after(view, exc)
        except Blocked as exc:
            await self._on_blocked(view, exc.reason)
        except Transient as exc:
            await self._on_transient(view, exc.reason)
        except Exception as exc:  # a bug in the channel must not stop the broadcast
            log.exception("reminder %d: unexpected %s from the messenger", view.id, type(exc).__name__)
            await self._on_transient(view, f"unexpected {type(exc).__name__}")
        else:
            async with self.s.session_factory() as session, session.begin():
                await DeliveryRepository(session).mark_sent(
                    view.id, at=self.now(), message_id=message_id, chat_id=view.chat_id
                )
            self.counts["sent"] += 1

    async def _on_retry_after(self, view: DeliveryView, exc: RetryAfter) -> None:
        self.pause = max(self.pause, exc.seconds)
        until = self.now() + timedelta(seconds=exc.seconds)
        async with self.s.session_factory() as session, session.begin():
            await self._put_back(DeliveryRepository(session), [view], until, exc.reason, pause=True)

    async def _on_blocked(self, view: DeliveryView, reason: str) -> None:
        self.blocked.add(view.chat_id)
        self.failures[reason] += 1
        now = self.now()
        async with self.s.session_factory() as session, session.begin():
            await DeliveryRepository(session).finish([view.id], "failed", at=now, error=reason)
            if view.branch_id is not None:
                await ReminderRepository(session).mark_unreachable(
                    view.branch_id, secretary_user_id=view.chat_id, at=now
                )
                skipped = await DeliveryRepository(session).skip_pending_of_branch(
                    view.branch_id, at=now, error="secretary unreachable"
                )
                self.counts["skipped"] += skipped
                self._settled([i for i, b in self.retry_ids.items() if b == view.branch_id])
        self.counts["failed"] += 1
        log.info("reminder %d: chat unreachable (%s)", view.id, reason)

    async def _on_transient(self, view: DeliveryView, reason: str) -> None:
        now = self.now()
        self.failures[reason] += 1
        async with self.s.session_factory() as session, session.begin():
            repo = DeliveryRepository(session)
            if view.attempt >= self.opts.max_attempts:
                await repo.finish([view.id], "dead", at=now, error=reason)
                self.counts["dead"] += 1
                self.counts["failed"] += 1
                log.warning("reminder %d is dead after %d attempts (%s)", view.id, view.attempt, reason)
                return
            backoff = self.opts.backoff[min(view.attempt, len(self.opts.backoff)) - 1]
            retry_at = retry_time(view, now, backoff, self.s.config)
            await repo.reschedule([view.id], at=now, next_attempt_at=retry_at, error=reason)
        self.counts["retrying"] += 1
        self.retry_ids[view.id] = view.branch_id

    def _settled(self, ids: Sequence[int]) -> None:
        for row_id in ids:
            self.retry_ids.pop(row_id, None)

    def _report(self) -> SendReport:
        elapsed = self.s.monotonic() - self.mono0
        active = 0.0
        if self.first_start is not None and self.last_end is not None:
            active = max(self.last_end - self.first_start - self.gaps, 0.0)
        sent = self.counts["sent"]
        # Over the time from the first send to the last plus one window: N sends at exactly R per window
        # give R (a burst of R at once counts as one window's worth, not as an infinite rate).
        rate = sent / (active + self.limiter.window) if sent else 0.0
        return SendReport(
            sent=sent,
            failed=self.counts["failed"],
            skipped=self.counts["skipped"],
            rate_achieved=rate,
            dead=self.counts["dead"],
            retrying=self.counts["retrying"],
            paused_seconds=self.paused,
            elapsed_seconds=elapsed,
            waiting_retry=len(self.retry_ids),
            failures=tuple(self.failures.most_common()),
        )
