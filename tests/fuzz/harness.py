"""The real application on a database, against the emulator, instrumented for the fuzz oracle.

What is added, none of which changes what the bot does:

* a ``TypeHandler`` in group -1000 (before every handler of the bot) notes each update the application
  starts handling and sets :data:`CURRENT` to ``u<update_id>n<k>`` (the k-th time this update_id is handled);
* while :func:`tag_requests` is active, every Bot API request made with that context variable set carries it
  as the query parameter ``fuzz_tag``; the emulator records it in ``ApiCall.params``, so each call the bot
  makes is tied to the update it was handling (also with concurrent update processing);
* an error handler *before* the application's own one records every error that reaches PTB's error handling
  (the application's handler may stop the others with ``ApplicationHandlerStop``);
* a logging handler on the root logger keeps every record at ERROR or above that carries a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tests.emulator import BotApiEmulator
from tests.fixtures_bot import make_settings, run_migrations, start_application, stop_application
from tests.fuzz.actions import Population

CURRENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("fuzz_update", default=None)
TAG_PARAM = "fuzz_tag"
QUIET = 0.05  # seconds without anything happening that count as "the bot is done"
JOB_HORIZON = 5.0  # one-off jobs due within this many seconds are waited for (album progress: 1.2 s)


def parse_tag(tag: Any) -> tuple[int, int] | None:
    """``"u700000001n2"`` -> ``(700000001, 2)``."""
    if not isinstance(tag, str) or not tag.startswith("u") or "n" not in tag:
        return None
    update_id, _, n = tag[1:].partition("n")
    try:
        return int(update_id), int(n)
    except ValueError:
        return None


@contextlib.contextmanager
def tag_requests() -> Iterator[None]:
    """Append ``fuzz_tag=<CURRENT>`` to the URL of every request PTB makes while CURRENT is set."""
    from telegram.request import HTTPXRequest

    original = HTTPXRequest.do_request

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> Any:
        tag = CURRENT.get()
        if tag is not None:
            url = f"{url}{'&' if '?' in url else '?'}{TAG_PARAM}={quote(tag)}"
        return await original(self, url, method, *args, **kwargs)

    HTTPXRequest.do_request = do_request  # type: ignore[method-assign]
    try:
        yield
    finally:
        HTTPXRequest.do_request = original  # type: ignore[method-assign]


@dataclass
class Failure:
    """An error that reached PTB's error handling, or an ERROR log record with a traceback."""

    source: str  # "error handler" | "log <logger name>"
    update_id: int | None
    error: BaseException | None
    message: str
    calls_before: int  # len(emulator.calls) when it was recorded


class _ErrorLog(logging.Handler):
    def __init__(self, fuzz: FuzzBot) -> None:
        super().__init__(level=logging.ERROR)
        self.fuzz = fuzz

    def emit(self, record: logging.LogRecord) -> None:
        if not record.exc_info or record.exc_info[1] is None:
            return
        error = record.exc_info[1]
        tagged = parse_tag(CURRENT.get())
        self.fuzz.failures.append(
            Failure(
                f"log {record.name}",
                tagged[0] if tagged else None,
                error,
                f"{record.getMessage()}: {type(error).__name__}: {error}",
                len(self.fuzz.emulator.calls),
            )
        )


@dataclass
class FuzzBot:
    """A running, instrumented application; see the module docstring."""

    emulator: BotApiEmulator
    application: Any
    services: Any
    population: Population
    failures: list[Failure] = field(default_factory=list)
    handled: Counter = field(default_factory=Counter)  # update_id -> times the application took it up
    started: list[int] = field(default_factory=list)  # update ids in the order the application took them up
    secretaries: dict[int, int] = field(default_factory=dict)  # user id -> branch id
    _cursor: int = 0  # into emulator.calls, for _delivered
    _delivered_count: int = 0

    async def _mark(self, update: Any, context: Any) -> None:
        self.handled[update.update_id] += 1
        self.started.append(update.update_id)
        CURRENT.set(f"u{update.update_id}n{self.handled[update.update_id]}")

    async def _record_error(self, update: Any, context: Any) -> None:
        update_id = getattr(update, "update_id", None)
        if update_id is None and (tagged := parse_tag(CURRENT.get())) is not None:
            update_id = tagged[0]
        error = context.error
        self.failures.append(
            Failure(
                "error handler",
                update_id,
                error,
                f"{type(error).__name__}: {error}",
                len(self.emulator.calls),
            )
        )

    def _instrument(self) -> None:
        from telegram import Update
        from telegram.ext import TypeHandler

        app = self.application
        app.add_handler(TypeHandler(Update, self._mark), group=-1000)
        own = dict(app.error_handlers)
        app.error_handlers.clear()
        app.add_error_handler(self._record_error)
        app.error_handlers.update(own)

    # -- waiting --------------------------------------------------------------------------------------

    def _delivered(self) -> int:
        """How many updates the emulator has handed out with getUpdates so far (answers that went out)."""
        calls = self.emulator.calls
        while self._cursor < len(calls):
            call = calls[self._cursor]
            if call.method == "getUpdates":
                if not call.done:
                    break  # a long poll still open: its answer is not out yet
                if call.ok and isinstance(call.result, list):
                    self._delivered_count += len(call.result)
            self._cursor += 1
        return self._delivered_count

    def _busy(self) -> bool:
        app = self.application
        if any(not p.delivered for p in self.emulator._pending):
            return True
        if self._delivered() > len(self.started):  # fetched, not yet taken up by the application
            return True
        if self.emulator._in_flight or not app.update_queue.empty():
            return True
        if app.update_processor.current_concurrent_updates:
            return True
        return self._jobs_due()

    def _jobs_due(self) -> bool:
        """A one-off job (e.g. the album progress report) due soon."""
        from datetime import UTC, datetime, timedelta

        queue = self.application.job_queue
        if queue is None:
            return False
        horizon = datetime.now(UTC) + timedelta(seconds=JOB_HORIZON)
        for job in queue.jobs():
            trigger = type(job.job.trigger).__name__
            if trigger == "DateTrigger" and job.next_t is not None and job.next_t <= horizon:
                return True
        return False

    async def settle(self, timeout: float = 60.0) -> None:  # noqa: ASYNC109
        """Wait until every queued update was fetched and handled, nothing is in flight and no one-off job
        is due: ``QUIET`` seconds in a row. Raises AssertionError after ``timeout``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        quiet_since: float | None = None
        while True:
            now = loop.time()
            if self._busy():
                quiet_since = None
            elif quiet_since is None:
                quiet_since = now
            elif now - quiet_since >= QUIET:
                return
            if now >= deadline:
                pending = [p.update.get("update_id") for p in self.emulator._pending if not p.delivered]
                raise AssertionError(
                    f"the bot did not settle within {timeout}s: undelivered {pending[:10]}, "
                    f"in flight {self.emulator._in_flight}, "
                    f"handling {self.application.update_processor.current_concurrent_updates}"
                )
            await asyncio.sleep(0.01)

    # -- set-up ---------------------------------------------------------------------------------------

    async def make_secretaries(self) -> None:
        """Every would-be secretary gets a branch of their own (through the services, as an admin would)."""
        branches = self.services.branches
        forms = ("single", "joint", "attached")
        for n, user_id in enumerate(self.population.secretaries):
            person = next(p for p in self.population.people if p.id == user_id)
            form = forms[n % 3]
            created = await branches.create(
                org_name=f"某某{n}号科技有限公司",
                name=f"第{n}党支部",
                form=form,
                formal_members=1 + n % 7,
                units=3 if form == "joint" else None,
                created_by=self.population.admins[0],
            )
            result = await branches.redeem(created.code, user_id=user_id, name=person.first_name)
            if result.status != "ok" or result.branch is None:
                raise AssertionError(f"could not make {user_id} a secretary: {result.status}")
            self.secretaries[user_id] = result.branch.id


def populate(emulator: BotApiEmulator, population: Population) -> None:
    """Make the population's users and chats known to the emulator."""
    for person in population.people:
        emulator.user(person.id, person.first_name, person.username, last_name=person.last_name)
    for chat in [*population.groups, population.channel]:
        emulator.register_chat(chat)


@contextlib.asynccontextmanager
async def running(
    tmp_path: Path,
    database_url: str,
    population: Population,
    *,
    kb: Any = None,
    clock: Any = None,
) -> AsyncIterator[FuzzBot]:
    """The emulator and the real application (``bot.app.build_services`` + ``build_application``) on
    ``database_url`` (migrated first), instrumented; secretaries are made before it yields."""
    from bot.app import build_application, build_services

    emulator = BotApiEmulator()
    await emulator.start()
    try:
        populate(emulator, population)
        settings = make_settings(
            emulator,
            tmp_path,
            DATABASE_URL=database_url,
            BRANCHBOT_ADMIN_IDS=",".join(str(a) for a in population.admins),
        )
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        await run_migrations(settings)
        services = build_services(settings, clock=clock, kb=kb)
        application = build_application(settings, services)
        fuzz = FuzzBot(emulator, application, services, population)
        fuzz._instrument()
        error_log = _ErrorLog(fuzz)
        root = logging.getLogger()
        root.addHandler(error_log)
        try:
            with tag_requests():
                await start_application(application)
                try:
                    await fuzz.make_secretaries()
                    await fuzz.settle()
                    yield fuzz
                finally:
                    await stop_application(application)
        finally:
            root.removeHandler(error_log)
    finally:
        await emulator.stop()
    if emulator.internal_errors:
        raise AssertionError(f"the Bot API emulator failed: {emulator.internal_errors!r}")
