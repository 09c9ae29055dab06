"""``branchbot run`` starts again under ``python -OO`` (``bot.lean.run_optimized``: about 7 MB less resident memory)
and serves as before: the real process, polling the Bot API emulator, answers a question; ``BRANCHBOT_OPTIMIZE=0``
keeps it as started; the other commands are never re-executed."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from bench.idle_rss import STOPPED, interrupt
from bot import lean
from tests.bot.conftest import REPO_ROOT, TOKEN, cli_env
from tests.emulator import BotApiEmulator

QUESTION = "主题党日多久开展一次"


def _cmdline(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]


async def _serve_one_question(tmp_path: Path, **env: str) -> tuple[list[str], str]:
    """Start ``python -m bot.cli run`` against the emulator; (its command line once polling, the answer's text)."""
    async with BotApiEmulator() as emu:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            cwd=REPO_ROOT,
            env=cli_env(
                tmp_path,
                TELEGRAM_BOT_TOKEN=TOKEN,
                TELEGRAM_API_BASE_URL=emu.base_url,
                DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'b.db'}",
                BRANCHBOT_DATA_DIR=str(tmp_path / "data"),
                XDG_CACHE_HOME=str(tmp_path / "cache"),
                BRANCHBOT_REMINDERS="off",
                **env,
            ),
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await emu.wait_for_call("getUpdates", timeout=90)
            command = _cmdline(proc.pid)
            user = emu.user(4242, "王书记")
            user.send_text(QUESTION)
            answer = await emu.wait_for_message(user.id, timeout=60)
        finally:
            stderr = await interrupt(proc)
        assert proc.returncode in STOPPED, stderr[-2000:]
    return command, answer.plain_text


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
async def test_run_serves_under_python_oo(tmp_path: Path) -> None:
    command, answer = await _serve_one_question(tmp_path)
    assert command[1] == "-OO" and command[-3:] == ["-m", "bot.cli", "run"], command
    assert "每月开展一次" in answer, answer  # the speeches' answer, not an error text


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
async def test_optimize_0_keeps_the_process_as_started(tmp_path: Path) -> None:
    command, answer = await _serve_one_question(tmp_path, BRANCHBOT_OPTIMIZE="0")
    assert "-OO" not in command and command[-3:] == ["-m", "bot.cli", "run"], command
    assert "每月开展一次" in answer, answer


def test_the_optimised_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(lean.OPTIMIZE_ENV, raising=False)
    monkeypatch.setattr(sys, "warnoptions", ["ignore::DeprecationWarning"])
    monkeypatch.setattr(sys, "_xoptions", {"dev": True, "tracemalloc": "5"})
    command = lean.optimized_argv(["run", "--webhook", "https://bot.example.org/tg"])
    assert command == [
        sys.executable, "-OO", "-Wignore::DeprecationWarning", "-X", "dev", "-X", "tracemalloc=5",
        "-m", "bot.cli", "run", "--webhook", "https://bot.example.org/tg",
    ]  # fmt: skip
    monkeypatch.setenv(lean.OPTIMIZE_ENV, "0")
    assert lean.optimized_argv(["run"]) is None


def test_only_run_is_re_executed(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot import cli

    calls: list[list[str]] = []
    monkeypatch.setattr(lean, "run_optimized", lambda argv: calls.append(list(argv)))
    monkeypatch.setattr(cli, "main", lambda argv=None: 0)
    for argv in (["ask", "run"], ["check"], ["run"]):
        monkeypatch.setattr(sys, "argv", ["branchbot", *argv])
        assert cli.entry() == 0
    assert calls == [["run"]]
