"""``python -m bench.fanout --branches N --rate R``: a reminder fan-out to N branches through the Bot API emulator.

- **Setup**: N branches from ``BranchImporter``, each secretary joined through ``BranchService.redeem`` (what
  ``/start <code>`` does, without Telegram). The quarter's opening went out on 1 April; the fan-out is May's
  opening note, due on Wednesday 6 May 2026 at 09:00 (1-5 May are holidays): one message per branch.
- **Telegram**: the emulator runs in its own process (so this process's memory is the bot's) and enforces 30
  messages in any one-second window (429 with ``retry_after`` beyond it), plus 429s at random (seeded).
- **The bot**: the real ``Application`` (``bot.app.build_application``: the shared rate limiter, per-chat update
  processing) polls the emulator; the sender is the ``ReminderRunner`` the minute job wakes, through the
  application's bot. A user (not a secretary) asks questions throughout; each reply's time is measured from the
  question's arrival at the emulator to the reply's, first with no broadcast (``idle``) and then during it.
- **The crash**: half-way, the first sender dies like a killed process (its database access stops at once, the
  messages in flight still reach Telegram, nothing more is recorded) and a new one starts. What the dead sender
  had claimed goes out once its lease (``--lease``, default 120 s as in production) expires.

Ends with one line: ``sent S/N duplicates D missed M rate X msg/s (P% of R) user p95 Y ms``, where S counts the
secretaries reached, D the extra copies, and X all deliveries from the first to the last (plus one window), 429
pauses included. With few branches the broadcast ends before the dead sender's lease expires, and X counts the
wait for it: the rate says something from about 5,000 branches at the default lease. Run time: about N/R seconds,
plus the setup (about 70 s for 10,000 secretaries on SQLite); the fan-out is stopped after 1.6 N/R + lease +
120 s whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import multiprocessing
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import TUNE_QUESTIONS, load_questions, peak_rss_mb, percentile, rss_mb
from bench.fanout_telegram import ASK_INTERVAL, FIRST_SECRETARY, emulator_main

SHANGHAI = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 5, 6, 9, 0, tzinfo=SHANGHAI)  # May's opening note (1-5 May are holidays)
BEFORE = datetime(2026, 4, 1, 9, 0, tzinfo=SHANGHAI)  # the quarter's opening went out then
TOKEN = "123456:BENCH-TOKEN-abcdefghijklmnopqrstuvwxyz"
IDLE_QUESTIONS = 20


# -- the bot, in this process -----------------------------------------------------------------------------------


@dataclass
class RunningClock:
    """The bench's clock: ``start`` plus the real time since it was set."""

    start: datetime
    tz: ZoneInfo = SHANGHAI
    t0: float = field(default_factory=time.monotonic)

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.t0)

    def set(self, start: datetime) -> None:
        self.start, self.t0 = start, time.monotonic()


class Killed(Exception):
    """The first sender's process is dead: it never touches the database again."""


class Gate:
    def __init__(self, session_factory) -> None:
        self.session_factory = session_factory
        self.dead = False

    def __call__(self):
        if self.dead:
            raise Killed()
        return self.session_factory()


class Counting:
    """The messenger, counting what Telegram accepted; ``half`` is set once ``target`` went out."""

    def __init__(self, messenger, target: int) -> None:
        self.messenger = messenger
        self.target = target
        self.sent = 0
        self.half = asyncio.Event()

    async def send_reminder(self, chat_id, delivery):
        message_id = await self.messenger.send_reminder(chat_id, delivery)
        self.sent += 1
        if self.sent >= self.target:
            self.half.set()
        return message_id


class PeakMemory:
    """RSS sampled every 0.2 s (psutil), the highest kept."""

    def __init__(self) -> None:
        self.peak = rss_mb()
        self.task = asyncio.create_task(self._sample())

    async def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, rss_mb())
            await asyncio.sleep(0.2)


def setup_main(database_url: str, n: int) -> str:
    """In a process of its own (its memory is not the bot's): the database, the branches and their secretaries."""
    return asyncio.run(_setup(database_url, n))


async def _setup(database_url: str, n: int) -> str:
    from bot.app import build_services
    from bot.config import Settings
    from storage.migrate import upgrade_async

    await upgrade_async(database_url)
    settings = Settings(_env_file=None, DATABASE_URL=database_url, BRANCHBOT_DATA_DIR=tempfile.mkdtemp())
    services = build_services(settings, clock=RunningClock(BEFORE), kb=object())  # no questions here
    try:
        line = await make_branches(services, n)
        await history(services, n)
    finally:
        await services.session_factory.kw["bind"].dispose()
    return line


async def make_branches(services, n: int) -> str:
    started = time.monotonic()
    rows = [{"org": f"第{i // 100 + 1}园区{i % 100 + 1}号企业", "name": f"第{i + 1}党支部", "form": "单独组建", "members": "5"}
            for i in range(n)]  # fmt: skip
    result = await services.branch_import.import_branches(rows)
    assert result.ok, result.errors[:3]
    imported = time.monotonic()
    for i, branch in enumerate(result.branches):
        joined = await services.branches.redeem(branch.code, user_id=FIRST_SECRETARY + i, name=f"书记{i + 1}")
        assert joined.status == "ok", joined.status
    return (
        f"setup: {n} branches imported in {imported - started:.1f} s (BranchImporter), their secretaries joined "
        f"in {time.monotonic() - imported:.1f} s (BranchService.redeem)"
    )


async def history(services, n: int) -> None:
    """The quarter's opening (and April's) went out on 1 April; only May's opening is due on 6 May."""
    from sqlalchemy import update

    from storage.models import ReminderDelivery

    await services.planner.plan(BEFORE)
    async with services.session_factory() as session, session.begin():
        await session.execute(
            update(ReminderDelivery).values(status="sent", sent_at=BEFORE, updated_at=BEFORE)
        )
    due = await services.planner.plan_preview(AT)
    assert len(due) == n and {d.period for d in due} == {"2026-05"}, (len(due), {d.period for d in due})


def settings_for(port: int, folder: Path, args):
    from bot.config import Settings

    return Settings(
        _env_file=None,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot",
        DATABASE_URL=args.database_url or f"sqlite+aiosqlite:///{folder / 'fanout.db'}",
        BRANCHBOT_DATA_DIR=str(folder / "data"),
        BRANCHBOT_REMINDERS="off",  # the bench wakes the runner itself
        BRANCHBOT_PUSH_RATE=str(args.rate),
        BRANCHBOT_LOG_LEVEL="WARNING",
    )


def questions() -> list[str]:
    from handlers.tg.render import EXAMPLES

    asked = [row["q"] for row in load_questions(TUNE_QUESTIONS)] if TUNE_QUESTIONS.exists() else []
    return list(dict.fromkeys([*EXAMPLES, *asked]))[:60]


async def unsent(services) -> int:
    from storage.repositories import DeliveryRepository

    async with services.session_factory() as session:
        counts = await DeliveryRepository(session).counts()
    return counts.get("pending", 0) + counts.get("sending", 0)


async def broadcast(application, services, args, deadline: float) -> list[str]:
    """Run the first sender until half are sent, kill it, then a new one until nothing is left (or the deadline)."""
    from bot.app import reminder_runner
    from handlers.services.reminders import SenderOptions

    options = SenderOptions(lease=timedelta(seconds=args.lease))
    first = reminder_runner(application, services, args.rate, options=options, worker_id="bench-first")
    gate, counting = Gate(services.session_factory), Counting(first.sender.messenger, args.branches // 2)
    first.sender.session_factory, first.sender.messenger = gate, counting
    task = asyncio.create_task(first.run_once())
    half = asyncio.create_task(counting.half.wait())
    await asyncio.wait([task, half], return_when=asyncio.FIRST_COMPLETED)
    half.cancel()
    gate.dead = True  # from here on the first sender's process is gone
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    lines = [f"the first sender was killed after {counting.sent} sends; a new one starts at once"]
    second = reminder_runner(application, services, args.rate, options=options, worker_id="bench-restarted")
    runs = 0
    while time.monotonic() < deadline:
        report = await second.run_once()
        runs += 1
        lines.append(
            f"  restarted sender, run {runs}: sent {report.sent} failed {report.failed} skipped {report.skipped} "
            f"paused {report.paused_seconds:.0f} s (429) in {report.elapsed_seconds:.0f} s"
        )
        if not await unsent(services):
            break
        await asyncio.sleep(5)  # the minute job, compressed: leased rows wait for their lease to expire
    return lines


def stop_asking(conn) -> None:
    conn.send(("stop",))
    conn.recv()


async def start_bot(application) -> None:
    """As ``branchbot run`` starts it (the steps of ``run_polling``)."""
    await application.initialize()
    await application.post_init(application)
    await application.updater.start_polling(poll_interval=0, timeout=1)
    await application.start()


async def stop_bot(application) -> None:
    await application.updater.stop()
    await application.stop()
    await application.post_stop(application)
    await application.shutdown()
    await application.post_shutdown(application)


async def run(args) -> tuple[list[str], dict, float]:
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    conn, child_conn = context.Pipe()
    child = context.Process(
        target=emulator_main, args=(child_conn, args.branches, args.seed, args.random_429), daemon=True
    )
    child.start()
    try:
        port = conn.recv()
        folder = Path(tempfile.mkdtemp(prefix="fanout-"))
        settings = settings_for(port, folder, args)
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            setup = await asyncio.get_running_loop().run_in_executor(
                pool, setup_main, settings.database_url, args.branches
            )
        lines, peak = await fan_out(settings, args, conn)
        conn.send(("report",))
        report = conn.recv()
    finally:
        with contextlib.suppress(Exception):
            conn.send(("quit",))
        child.join(10)
    return [setup, *lines], report, peak


async def fan_out(settings, args, conn) -> tuple[list[str], float]:
    from bot.app import build_application, build_services

    memory = PeakMemory()
    services = build_services(settings, clock=RunningClock(AT))
    application = build_application(settings, services)
    await start_bot(application)
    try:
        asked = questions()
        conn.send(("ask", asked, "idle"))
        await asyncio.sleep(IDLE_QUESTIONS * (ASK_INTERVAL + 0.1))
        stop_asking(conn)
        before = memory.peak
        conn.send(("ask", asked, "busy"))
        bound = args.branches / args.rate * 1.6 + args.lease + 120  # seconds: the run is bounded
        try:
            lines = await asyncio.wait_for(
                broadcast(application, services, args, time.monotonic() + bound), bound
            )
        except TimeoutError:
            lines = [f"the fan-out was stopped after {bound:.0f} s"]
        stop_asking(conn)
    finally:
        await stop_bot(application)
        memory.task.cancel()
    lines.append(f"memory: {before:.0f} MB with the bot started and idle (RSS, psutil every 0.2 s)")
    return lines, memory.peak


def summary(args, lines: list[str], report: dict, peak: float) -> list[str]:
    n, rate = args.branches, args.rate
    idle = sorted(report["latencies"].get("idle", []))
    busy = sorted(report["latencies"].get("busy", []))
    reached, deliveries = report["reached"], report["deliveries"]
    span = report["last"] - report["first"] + 1.0 if deliveries else 1.0
    achieved = deliveries / span
    waited = report["asked_to_wait"]
    p95_idle, p95_busy = percentile(idle, 95) * 1000, percentile(busy, 95) * 1000
    return [
        *lines,
        f"user: idle {len(idle)} questions p50 {percentile(idle, 50) * 1000:.0f} ms p95 {p95_idle:.0f} ms; "
        f"during the fan-out {len(busy)} questions p50 {percentile(busy, 50) * 1000:.0f} ms p95 {p95_busy:.0f} ms",
        f"emulator: at most {report['peak']} messages in one second (limit 30), {report['most_reminders']} of them "
        f"reminders; 429 answered: "
        f"{report['random']} at random, {report['over_limit']} over the limit; fan-out {span:.0f} s, of which "
        f"Telegram asked reminders to wait {waited:.0f} s: {deliveries / max(span - waited, 1.0):.1f} msg/s without",
        f"windows at the limit (reminders+replies): {', '.join(report['over_limit_windows']) or 'none'}",
        f"peak memory {peak:.0f} MB (psutil RSS every 0.2 s; ru_maxrss {peak_rss_mb():.0f} MB): this process, the bot "
        "with its knowledge base, database and sender; the emulator and the setup run in processes of their own",
        f"sent {reached}/{n} duplicates {deliveries - reached} missed {n - reached} rate {achieved:.1f} msg/s "
        f"({achieved / rate * 100:.0f}% of {rate:g}) user p95 {p95_busy:.0f} ms",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__.split("\n")[0])
    parser.add_argument("--branches", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument("--lease", type=float, default=120.0, help="seconds a claim holds (production: 120)")
    parser.add_argument(
        "--random-429", type=float, default=0.001, help="share of messages answered 429 at random"
    )
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--database-url", default=None, help="default: a SQLite file in a temporary folder")
    args = parser.parse_args(argv)
    if args.branches < 2 or not 0 < args.rate <= 28:
        parser.error("--branches must be at least 2 and --rate above 0 and at most 28")
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    lines, report, peak = asyncio.run(run(args))
    print("\n".join(summary(args, lines, report, peak)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
