"""Running the real CLI as a subprocess, and a tiny Bot API stand-in for it to talk to."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bot.fake_api import FakeBotApi

REPO_ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuvwxyz"
SECRET = TOKEN.split(":", 1)[1]
CLI_TIMEOUT = 60  # seconds; a failing start-up takes about 3 (imports and the knowledge base)
_INHERITED = ("TELEGRAM_", "BRANCHBOT_", "DATABASE_URL", "XDG_CACHE_HOME", "PTB_")


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a user's shell: no branchbot setting inherited, HOME in ``tmp_path``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_INHERITED)}
    env["HOME"] = str(tmp_path)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)
    env["BRANCHBOT_WEB_PORT"] = str(free_port())  # not 8080, which another test or program may hold
    return {**env, **extra}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def run_cli(tmp_path: Path):
    """``run_cli(*args, **env)`` runs ``python -m bot.cli`` in ``tmp_path`` (no ``.env``, no inherited
    settings) and returns the completed process."""

    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", *args],
            cwd=tmp_path,
            env=cli_env(tmp_path, **env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            encoding="utf-8",
            timeout=CLI_TIMEOUT,
            check=False,
        )

    return run


@pytest.fixture
def fake_api() -> Iterator[FakeBotApi]:
    """A started :class:`FakeBotApi` (set ``fake_api.answers[method]`` before running the CLI)."""
    api = FakeBotApi().start()
    try:
        yield api
    finally:
        api.stop()
