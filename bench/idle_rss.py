"""Memory of ``branchbot run`` when idle: RSS of the real process, polling the Bot API emulator.

    python -m bench.idle_rss [--settle 3] [--questions 300]

Starts the Bot API emulator (``tests.emulator``, 127.0.0.1) and ``python -m bot.cli run`` as a child pointed at
it (a SQLite file and a data folder in a temporary folder, the shipped speeches only). Once the child polls
(``getUpdates``) and ``--settle`` seconds have passed, its RSS and USS are read (``psutil``): **after
start-up**. Then a user asks one question, and once the answer is sent and the same time has passed they are
read again: **after a question** (the first question builds what queries use: numpy's and the tokenizer's
working memory, the highlight cache). The child is stopped with SIGINT. Also printed: the same figures for
``build_services`` alone in an idle process (no Telegram, no event loop), which is what the knowledge base and
the database layer cost. ``--tokenizer jieba`` runs both with jieba itself, for comparison. ``--questions N``
(N > 1) then has N - 1 more users ask one question each (the blind sets' questions, in a fixed order) and reads
the memory again: **after N questions**, which shows what the bounded caches of the knowledge layer and the
per-user state hold once many different questions have been asked (not part of the idle target).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, clean_env

TARGET_MB = 120.0
TOKEN = "123456:BENCH-TOKEN-abcdefghijklmnopqrstuvwxyz"
QUESTION = "党员不足三人的企业怎样建立党组织"
_SERVICES = (
    "import os, sys, time\n"
    "from bot.config import Settings\n"
    "from bot.app import build_services\n"
    "services = build_services(Settings(_env_file=None))\n"
    "services.kb.ask('" + QUESTION + "')\n"
    "print('ready', flush=True)\n"
    "time.sleep(600)\n"
)


def _memory(pid: int) -> tuple[float, float]:
    """(RSS, USS) of a process in MB."""
    import psutil

    info = psutil.Process(pid).memory_full_info()
    return info.rss / 1e6, info.uss / 1e6


def _env(tmp: Path, base_url: str | None, tokenizer: str | None = None) -> dict[str, str]:
    env = clean_env()
    if tokenizer:
        env["BRANCHBOT_TOKENIZER"] = tokenizer
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp / 'branchbot.db'}",
        BRANCHBOT_DATA_DIR=str(tmp / "data"),
        BRANCHBOT_LOG_LEVEL="WARNING",
    )
    if base_url:
        env["TELEGRAM_API_BASE_URL"] = base_url
    return env


def blind_questions(n: int) -> list[str]:
    """``n`` distinct questions of ``tests/data/*.jsonl`` in a fixed order (as many as there are, at most)."""
    import json

    seen: dict[str, None] = {}
    for path in sorted((ROOT / "tests" / "data").glob("qa*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                seen.setdefault(json.loads(line)["q"], None)
    return list(seen)[:n]


async def _ask_many(emu, questions: list[str]) -> None:
    """One new user per question (no follow-up joins two), each waiting for its answer."""
    for i, question in enumerate(questions):
        user = emu.user(2000 + i, f"Bench{i}")
        user.send_text(question)
        await emu.wait_for_message(user.id, timeout=60)


STOPPED = (0, -signal.SIGINT, 130)  # how ``branchbot run`` ends on Ctrl-C


async def interrupt(proc: asyncio.subprocess.Process) -> str:
    """Ctrl-C to a child ``branchbot run``, killed after 30 s; what it wrote on stderr."""
    proc.send_signal(signal.SIGINT)
    try:
        await asyncio.wait_for(proc.wait(), 30)
    except TimeoutError:
        proc.kill()
        await proc.wait()
    return (await proc.stderr.read()).decode(errors="replace") if proc.stderr else ""


async def measure_run(
    settle: float, tokenizer: str | None = None, questions: int = 1
) -> dict[str, tuple[float, float]]:
    """RSS/USS of ``branchbot run`` after start-up, after one question (and after ``questions``)."""
    sys.path.insert(0, str(ROOT))
    from tests.emulator import BotApiEmulator

    with tempfile.TemporaryDirectory(prefix="branchbot-rss-") as tmp:
        async with BotApiEmulator() as emu:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "run",
                cwd=ROOT,
                env=_env(Path(tmp), emu.base_url, tokenizer),
                stderr=asyncio.subprocess.PIPE,
            )
            try:
                await emu.wait_for_call("getUpdates", timeout=60)
                await asyncio.sleep(settle)
                started = _memory(proc.pid)
                user = emu.user(1001, "Bench")
                user.send_text(QUESTION)
                await emu.wait_for_message(user.id, timeout=60)
                await asyncio.sleep(settle)
                figures = {"after start-up": started, "after a question": _memory(proc.pid)}
                if questions > 1:
                    more = blind_questions(questions - 1)
                    await _ask_many(emu, more)
                    await asyncio.sleep(settle)
                    figures[f"after {len(more) + 1} questions"] = _memory(proc.pid)
            finally:
                stderr = await interrupt(proc)
            if proc.returncode not in STOPPED:
                print(f"branchbot run exited {proc.returncode}:\n{stderr[-2000:]}", file=sys.stderr)
    return figures


def measure_services(settle: float, tokenizer: str | None = None) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="branchbot-rss-") as tmp:
        proc = subprocess.Popen(
            [sys.executable, "-c", _SERVICES],
            cwd=ROOT,
            env=_env(Path(tmp), None, tokenizer),
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
            time.sleep(settle)
            return _memory(proc.pid)
        finally:
            proc.kill()
            proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.idle_rss", description=__doc__.split("\n\n")[0])
    parser.add_argument("--settle", type=float, default=3.0, help="seconds idle before reading the memory")
    parser.add_argument(
        "--tokenizer", choices=["jieba"], help="force jieba (BRANCHBOT_TOKENIZER), to compare"
    )
    parser.add_argument(
        "--questions", type=int, default=1, help="then N - 1 more questions, and the memory again"
    )
    args = parser.parse_args(argv)
    from bench.common import code_fingerprint

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; code {code_fingerprint()}")
    figures = asyncio.run(measure_run(args.settle, args.tokenizer, args.questions))
    figures["build_services + idle"] = measure_services(args.settle, args.tokenizer)
    print(f"\n{'branchbot run':<26} {'RSS MB':>7} {'USS MB':>7}")
    for name, (rss, uss) in figures.items():
        print(f"{name:<26} {rss:>7.1f} {uss:>7.1f}")
    rss = max(figures["after start-up"][0], figures["after a question"][0])
    print(f"\ntarget: idle RSS < {TARGET_MB:g} MB: {rss:.1f} MB, {'met' if rss < TARGET_MB else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
