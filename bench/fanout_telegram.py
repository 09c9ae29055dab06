"""Telegram for ``bench.fanout``, in a process of its own: the Bot API emulator with Telegram's flood limits
(``tests.emulator.limits``), the secretaries, and a user who asks questions and times the replies.

Driven over a pipe: ``("ask", questions, label)`` starts asking (each reply timed from the question's arrival to
the reply's), ``("stop",)`` stops it, ``("report",)`` answers the figures, anything else ends the process.
Its cyclic garbage collector is off: a pause of the emulator would bunch the requests that queued meanwhile into
one instant and count them in one window, which Telegram's servers do not do (the bot's process keeps its own).
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections import Counter

from tests.emulator.limits import COUNTED

FIRST_SECRETARY = 10_000_001
ASKER = 99_000_001
ASK_INTERVAL = 0.5  # seconds between a reply and the next question: about 2 replies a second


def emulator_main(conn, secretaries: int, seed: int, random_429: float) -> None:
    gc.disable()
    asyncio.run(_serve(conn, secretaries, seed, random_429))


async def _serve(conn, secretaries: int, seed: int, random_429: float) -> None:
    from tests.emulator import BotApiEmulator
    from tests.emulator.limits import RateLimits

    emu = BotApiEmulator()
    await emu.start()
    emu.limits = RateLimits(limit=30, random_429=random_429, seed=seed)
    for n in range(secretaries):
        emu.user(FIRST_SECRETARY + n)
    asker = emu.user(ASKER, "提问者")
    conn.send(emu.port)
    loop = asyncio.get_running_loop()
    latencies: dict[str, list[float]] = {}
    asking: asyncio.Task | None = None
    while True:
        command, *args = await loop.run_in_executor(None, conn.recv)
        if command == "ask":
            questions, label = args
            asking = asyncio.create_task(_ask(emu, asker, questions, latencies.setdefault(label, [])))
        elif command == "stop":
            asking.cancel()
            await asyncio.gather(asking, return_exceptions=True)
            conn.send(None)
        elif command == "report":
            conn.send(_report(emu, secretaries, latencies))
        else:
            break
    await emu.stop()


async def _ask(emu, asker, questions: list[str], latencies: list[float]) -> None:
    for n in range(10**9):
        emu.skip_messages(ASKER)  # a late reply to an earlier question is not this one's
        started = time.monotonic()
        asker.send_text(questions[n % len(questions)])
        try:
            await emu.wait_for_message(ASKER, lambda m: m.kind == "send", timeout=30)
        except AssertionError:
            pass  # no reply in 30 s: counted as 30 s
        latencies.append(time.monotonic() - started)
        await asyncio.sleep(ASK_INTERVAL)


def _report(emu, secretaries: int, latencies: dict[str, list[float]]) -> dict:
    wanted = range(FIRST_SECRETARY, FIRST_SECRETARY + secretaries)
    per_chat: Counter[int] = Counter()
    times = []
    asked_to_wait = 0.0  # the retry_after of the 429s answered to reminders
    for call in emu.calls:
        if call.method != "sendMessage" or call.params.get("chat_id") not in wanted:
            continue
        if call.ok:
            per_chat[call.params["chat_id"]] += 1
            times.append(call.started)
        elif call.status == 429:
            asked_to_wait += (call.response or {}).get("parameters", {}).get("retry_after", 0)
    limits = emu.limits
    return {
        "reached": len(per_chat),
        "deliveries": sum(per_chat.values()),
        "first": min(times, default=0.0),
        "last": max(times, default=0.0),
        "latencies": latencies,
        "asked_to_wait": asked_to_wait,
        "peak": limits.peak,
        "over_limit_windows": _windows(emu, limits, wanted),
        "most_reminders": _most(times),
        "over_limit": limits.over_limit,
        "random": limits.random,
    }


def _windows(emu, limits, wanted) -> list[str]:
    """What filled the window each time the limit was hit: reminders and other messages, and their spread."""
    found = []
    for when, cause in limits.rejected:
        if cause != "over_limit":
            continue
        inside = [c for c in emu.calls if c.ok and c.method in COUNTED and when - 1.0 < c.started <= when]
        reminders = sum(c.params.get("chat_id") in wanted for c in inside)
        found.append(
            f"{reminders}+{len(inside) - reminders} in {inside[-1].started - inside[0].started:.3f} s"
        )
    return found


def _most(times: list[float]) -> int:
    """The most reminders that reached the emulator within any one second."""
    times, most, first = sorted(times), 0, 0
    for last, when in enumerate(times):
        while times[first] <= when - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most
