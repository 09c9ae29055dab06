"""Exit statuses the operator review found wrong: a briefly locked SQLite database is transient (1); a database
newer than the code, a typo in ``db downgrade`` and a web port in use are settings a restart cannot fix (2)."""

from __future__ import annotations

import http.server
import json
import socket
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from bot.config import Settings
from bot.errors import EXIT_SETTINGS, EXIT_UNREACHABLE, StartupError
from bot.startup import database_url_error, migrate_database
from storage.migrate import upgrade
from tests.bot.conftest import TOKEN
from tests.bot.fake_api import FakeBotApi, closed_port


def _url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def _locked_error(path: Path) -> sqlite3.OperationalError:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE IF NOT EXISTS t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        sqlite3.connect(path, timeout=0).execute("SELECT * FROM t")
    except sqlite3.OperationalError as exc:
        return exc
    finally:
        holder.close()
    raise AssertionError("not locked")


def test_a_locked_sqlite_database_is_transient(tmp_path: Path) -> None:
    cause = _locked_error(tmp_path / "x.db")
    wrapped = OperationalError("SELECT 1", {}, cause)
    error = database_url_error(wrapped, _url(tmp_path / "x.db"))
    assert (
        error.exit_code == EXIT_UNREACHABLE
        and "database is locked" in error.line
        and "稍后重试" in error.line
    )


def test_other_sqlite_errors_stay_settings(tmp_path: Path) -> None:
    error = database_url_error(sqlite3.DatabaseError("file is not a database"), _url(tmp_path / "x.db"))
    assert error.exit_code == EXIT_SETTINGS


def test_run_start_up_on_a_locked_database_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    upgrade(_url(path))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # a backup or an export holds it (about 5 s of busy timeout follow)
    try:
        with pytest.raises(StartupError) as caught:
            migrate_database(Settings(_env_file=None, DATABASE_URL=_url(path)))
    finally:
        holder.close()
    assert caught.value.exit_code == EXIT_UNREACHABLE and "锁" in caught.value.line


@pytest.fixture
def newer_database(tmp_path: Path) -> str:
    """A database migrated by a newer release (revision 0099), as after rolling the package back."""
    path = tmp_path / "newer.db"
    upgrade(_url(path))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE alembic_version SET version_num = '0099'")
    return _url(path)


def test_a_database_newer_than_the_code_exits_2(newer_database: str, run_cli) -> None:
    with pytest.raises(StartupError) as caught:
        migrate_database(Settings(_env_file=None, DATABASE_URL=newer_database))
    assert caught.value.exit_code == EXIT_SETTINGS and "0099" in caught.value.line
    assert "DATABASE_URL" in caught.value.line
    for args in (("db", "upgrade"), ("check",)):
        result = run_cli(*args, DATABASE_URL=newer_database)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "0099" in result.stdout + result.stderr


def test_db_downgrade_to_an_unknown_revision_exits_2(tmp_path: Path, run_cli) -> None:
    url = _url(tmp_path / "bot.db")
    upgrade(url)
    result = run_cli("db", "downgrade", "nonsense", "--yes", DATABASE_URL=url)
    assert result.returncode == 2
    assert "“nonsense”" in result.stderr and "base" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_run_with_the_web_port_in_use_exits_2_before_telegram(
    busy_port: int, run_cli, fake_api: FakeBotApi
) -> None:
    result = run_cli(
        "run",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=fake_api.base_url,
        BRANCHBOT_WEB_PORT=str(busy_port),
    )
    assert result.returncode == 2
    assert (
        "BRANCHBOT_WEB_PORT" in result.stderr and str(busy_port) in result.stderr and "占用" in result.stderr
    )
    assert not fake_api.calls  # told before getMe


def test_check_tests_the_web_port(busy_port: int, run_cli) -> None:
    result = run_cli("check", BRANCHBOT_WEB_PORT=str(busy_port))
    assert result.returncode == 2
    assert any(line.startswith("✗ BRANCHBOT_WEB_PORT") for line in result.stdout.splitlines()), result.stdout
    free = run_cli("check", BRANCHBOT_WEB_PORT=str(closed_port()))
    assert any(line.startswith("✓ 网页看板地址可用") for line in free.stdout.splitlines()), free.stdout


class _Healthz(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        body = json.dumps({"status": "ok", "database": True, "bot": True}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_check_only_warns_when_a_running_branchbot_holds_the_port(run_cli) -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Healthz)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = run_cli("check", BRANCHBOT_WEB_PORT=str(server.server_address[1]))
    finally:
        server.shutdown()
        server.server_close()
    assert any(line.startswith("⚠ 网页看板端口") for line in result.stdout.splitlines()), result.stdout
    assert not any(line.startswith("✗") for line in result.stdout.splitlines()), result.stdout
