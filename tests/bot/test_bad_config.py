"""``branchbot run`` under bad configurations: one Chinese line on stderr, never a traceback, never the token.

Each case runs the real CLI as a subprocess. Exit status 2: a setting is wrong (restarting cannot help);
1: a service could not be reached (systemd's ``Restart=on-failure`` tries again).
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.bot.conftest import CLI_TIMEOUT, SECRET, TOKEN, cli_env
from tests.bot.fake_api import BAD_GATEWAY_HTML, UNAUTHORIZED, FakeBotApi, closed_port

SERVER_ERROR = (500, {"ok": False, "error_code": 500, "description": "Internal Server Error"})
TOO_MANY = (
    429,
    {"ok": False, "error_code": 429, "description": "Too Many Requests", "parameters": {"retry_after": 60}},
)
CJK = re.compile(r"[\u4e00-\u9fff]")


def one_line(
    result: subprocess.CompletedProcess[str], code: int, *expected: str, secrets=(TOKEN, SECRET)
) -> str:
    """The single stderr line of a failed start-up, after checking everything the issue asks."""
    output = result.stdout + result.stderr
    assert result.returncode == code, output
    assert result.stdout == ""
    assert "Traceback" not in output
    lines = result.stderr.split("\n")
    assert len(lines) == 2 and lines[1] == "" and lines[0].strip(), f"not exactly one line: {result.stderr!r}"
    line = lines[0]
    assert CJK.search(line), line
    for text in expected:
        assert text in line, line
    for secret in secrets:
        assert secret not in output
    assert "TEST-TOKEN" not in output  # not even a part of it
    return line


def _file(tmp_path: Path) -> Path:
    """A regular file: a folder under it can be neither made nor written (even by root)."""
    path = tmp_path / "file.txt"
    path.write_text("not a folder\n", encoding="utf-8")
    return path


def _dead_api() -> str:
    return f"http://127.0.0.1:{closed_port()}/bot"


# Each case: the environment (from tmp_path and the fake Bot API), the exit status, words the line must have.
Env = Callable[[Path, FakeBotApi], dict[str, str]]
CASES: dict[str, tuple[Env, int, tuple[str, ...]]] = {
    "missing token": (lambda tmp, api: {}, 2, ("TELEGRAM_BOT_TOKEN", "@BotFather")),
    "malformed token": (lambda tmp, api: {"TELEGRAM_BOT_TOKEN": "abc"}, 2, ("TELEGRAM_BOT_TOKEN", "格式")),
    "bad time zone": (
        lambda tmp, api: {"TELEGRAM_BOT_TOKEN": TOKEN, "BRANCHBOT_TZ": "Mars/Olympus"},
        2,
        ("BRANCHBOT_TZ", "Mars/Olympus", "Asia/Shanghai"),
    ),
    "unparsable DATABASE_URL": (
        lambda tmp, api: {"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": "this is not a url"},
        2,
        ("DATABASE_URL", "无法解析", "sqlite+aiosqlite://"),
    ),
    "unsupported driver": (
        lambda tmp, api: {"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": "mysql://bot:hunter2@127.0.0.1/bot"},
        2,
        ("DATABASE_URL", "mysql", "postgresql+asyncpg"),
    ),
    "admin ids junk": (
        lambda tmp, api: {"TELEGRAM_BOT_TOKEN": TOKEN, "BRANCHBOT_ADMIN_IDS": "abc,"},
        2,
        ("BRANCHBOT_ADMIN_IDS", "“abc”"),
    ),
    "kb dir not a folder": (
        lambda tmp, api: {"TELEGRAM_BOT_TOKEN": TOKEN, "BRANCHBOT_KB_DIR": str(_file(tmp))},
        2,
        ("BRANCHBOT_KB_DIR", "不是文件夹"),
    ),
    "data dir unwritable": (
        lambda tmp, api: {"TELEGRAM_BOT_TOKEN": TOKEN, "BRANCHBOT_DATA_DIR": str(_file(tmp) / "data")},
        2,
        ("BRANCHBOT_DATA_DIR", "file.txt"),
    ),
    "read-only SQLite folder": (
        lambda tmp, api: {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "DATABASE_URL": f"sqlite+aiosqlite:///{_file(tmp)}/db.sqlite",
        },
        2,
        ("DATABASE_URL", "file.txt/db.sqlite"),
    ),
    "PostgreSQL unreachable": (
        lambda tmp, api: {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": _dead_api(),
            "DATABASE_URL": f"postgresql+asyncpg://postgres:pw-xyz@127.0.0.1:{closed_port()}/branchbot",
        },
        1,
        ("数据库", "连接被拒绝", "127.0.0.1"),
    ),
    "token rejected": (
        lambda tmp, api: (
            api.answer("getMe", *UNAUTHORIZED)
            | {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url}
        ),
        2,
        ("TELEGRAM_BOT_TOKEN", "拒绝", "Unauthorized", "@BotFather"),
    ),
    "API unreachable": (
        lambda tmp, api: {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": _dead_api()},
        1,
        ("Telegram", "无法建立连接"),
    ),
    "API 500": (
        lambda tmp, api: (
            api.answer("getMe", *SERVER_ERROR)
            | {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url}
        ),
        1,
        ("Telegram", "Internal Server Error"),
    ),
    # One getMe, not three sleeps through retry_after inside the rate limiter (helper-110's review: 3 minutes).
    "API 429": (
        lambda tmp, api: (
            api.answer("getMe", *TOO_MANY)
            | {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url}
        ),
        1,
        ("Telegram", "60"),
    ),
    "API 502": (
        lambda tmp, api: (
            api.answer("getMe", 502, BAD_GATEWAY_HTML)
            | {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url}
        ),
        1,
        ("Telegram", "502"),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_configuration_is_one_line(run_cli, tmp_path: Path, fake_api: FakeBotApi, case: str) -> None:
    make_env, code, expected = CASES[case]
    result = run_cli("run", **make_env(tmp_path, fake_api))
    line = one_line(result, code, *expected)
    assert "hunter2" not in line and "pw-xyz" not in line  # nor a database password
    if case == "malformed token":
        assert "abc" not in result.stderr  # the bad value is not echoed either
    if case in ("token rejected", "API 500", "API 502", "API 429"):  # one getMe, no retry loop, no polling
        assert [method for _, method in fake_api.calls] == ["getMe"]
    if code == 2 and case != "token rejected":
        assert fake_api.calls == []  # a wrong setting is found before Telegram is asked


def test_postgresql_database_missing(run_cli, pg_unavailable_reason: str | None) -> None:
    """A database the server does not have is a setting to fix (2), not a service to wait for."""
    if pg_unavailable_reason:
        pytest.skip(pg_unavailable_reason)
    url = "postgresql+asyncpg://postgres@127.0.0.1:5432/no_such_db_xyz"
    result = run_cli("run", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=_dead_api(), DATABASE_URL=url)
    one_line(result, 2, "DATABASE_URL", "no_such_db_xyz", "创建")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELEGRAM_BOT_TOKEN", "123456:short"),
        ("TELEGRAM_BOT_TOKEN", f"{TOKEN} trailing"),
        ("TELEGRAM_API_BASE_URL", "api.telegram.org/bot"),
        ("DATABASE_URL", "sqlite:///./branchbot.db"),
        ("DATABASE_URL", "postgresql://postgres@127.0.0.1/test"),
        ("BRANCHBOT_ADMIN_IDS", "12,-3"),
        ("BRANCHBOT_LOG_LEVEL", "chatty"),
        ("BRANCHBOT_WEB_PORT", "abc"),
        ("BRANCHBOT_WEB_PORT", "70000"),
        ("BRANCHBOT_PUSH_RATE", "abc"),
        ("BRANCHBOT_REVIEW_DATE", "13-45"),
    ],
)
def test_more_bad_settings(run_cli, name: str, value: str) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, name: value}
    line = one_line(run_cli("run", **env), 2, name, secrets=(TOKEN, SECRET, "short"))
    assert line.startswith("配置有误：")


def test_several_bad_settings_share_the_line(run_cli) -> None:
    result = run_cli("run", TELEGRAM_BOT_TOKEN=TOKEN, BRANCHBOT_TZ="Nowhere", BRANCHBOT_ADMIN_IDS="x")
    one_line(result, 2, "BRANCHBOT_TZ", "BRANCHBOT_ADMIN_IDS")


def test_run_starts_with_one_get_me_and_stops_on_sigterm(tmp_path: Path, fake_api: FakeBotApi) -> None:
    """The good path: one getMe, then polling; SIGTERM ends it with status 0 and the token is never shown."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"],
        cwd=tmp_path,
        env=cli_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake_api.base_url),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        encoding="utf-8",
    )
    try:
        deadline = time.monotonic() + CLI_TIMEOUT
        while not any(m == "getUpdates" for _, m in fake_api.calls):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the bot never polled"
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=CLI_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    methods = [m for _, m in fake_api.calls]
    assert methods.count("getMe") == 1
    assert "setMyCommands" in methods
    assert "connected to Telegram as @branchbot_test_bot" in err
    assert "Traceback" not in err
    assert SECRET not in out + err and "TEST-TOKEN" not in out + err
    assert {token for token, _ in fake_api.calls} == {TOKEN}
