"""Settings the operator review found accepted silently or misread: blank web settings and data folder, port 0,
a password with an unencoded ``@``, an in-memory SQLite database, libpq's ``sslmode``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config import Settings, SettingsError, describe_errors
from bot.startup import describe_database
from tests.bot.conftest import TOKEN


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.upper().startswith(("TELEGRAM_", "BRANCHBOT_", "DATABASE_URL")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def _error(**values: object) -> str:
    with pytest.raises(SettingsError) as caught:
        Settings(_env_file=None, **values)
    return describe_errors(caught.value)


@pytest.mark.parametrize("blank", ["", "  "])
def test_blank_web_settings_and_data_dir_are_the_defaults(
    blank: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("BRANCHBOT_WEB_HOST", "BRANCHBOT_WEB_PORT", "BRANCHBOT_DATA_DIR"):
        monkeypatch.setenv(name, blank)
    s = Settings(_env_file=None)
    assert (s.web_host, s.web_port, s.data_dir) == ("127.0.0.1", 8080, Path("./data"))


def test_blank_web_host_in_env_file_is_the_default(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BRANCHBOT_WEB_HOST=\nBRANCHBOT_DATA_DIR=\n", encoding="utf-8")
    s = Settings()
    assert s.web_host == "127.0.0.1" and s.data_dir == Path("./data")


def test_port_zero_is_refused() -> None:
    line = _error(BRANCHBOT_WEB_PORT="0")
    assert "BRANCHBOT_WEB_PORT：端口 0 表示随机端口" in line and "1 到 65535" in line


PASSWORD_URLS = [
    "postgresql+asyncpg://postgres:p@ss@127.0.0.1:5432/db",
    "postgresql+asyncpg://postgres:p/s@ss@127.0.0.1:5432/db",  # '/' too: the authority ends early
    "postgresql+asyncpg://postgres:p@ss:w@127.0.0.1:5432/db",
]


@pytest.mark.parametrize("url", PASSWORD_URLS)
def test_at_in_the_password_is_refused_without_any_part_of_it(url: str) -> None:
    line = _error(DATABASE_URL=url)
    assert "DATABASE_URL：" in line and "%40" in line
    assert "ss@" not in line and "p@" not in line and "127.0.0.1" not in line


def test_an_encoded_at_is_fine() -> None:
    s = Settings(_env_file=None, DATABASE_URL="postgresql+asyncpg://postgres:p%40ss@127.0.0.1:5432/db")
    assert "p%40ss" not in describe_database(s.database_url)


@pytest.mark.parametrize("url", PASSWORD_URLS)
def test_describe_database_never_shows_a_password_with_at(url: str) -> None:
    shown = describe_database(url)
    assert "ss" not in shown.replace("postgres", "") and ("***" in shown or "已隐藏" in shown)


@pytest.mark.parametrize(
    "url",
    ["sqlite+aiosqlite://", "sqlite+aiosqlite:///:memory:", "sqlite+aiosqlite:///file::memory:?uri=true"],
)
def test_in_memory_sqlite_is_refused(url: str) -> None:
    line = _error(DATABASE_URL=url)
    assert "DATABASE_URL：不能用 SQLite 内存数据库" in line and "sqlite+aiosqlite:///./branchbot.db" in line


def test_a_sqlite_path_with_at_signs_is_fine() -> None:
    assert Settings(_env_file=None, DATABASE_URL="sqlite+aiosqlite:///./a@b/c@d.db").database_url


def test_libpq_sslmode_is_refused_with_the_asyncpg_spelling() -> None:
    line = _error(DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:5432/db?sslmode=require")
    assert "DATABASE_URL：" in line and "sslmode" in line and "?ssl=require" in line
    url = "postgresql+asyncpg://postgres@127.0.0.1:5432/db?ssl=require"
    assert Settings(_env_file=None, DATABASE_URL=url).database_url == url


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"DATABASE_URL": "postgresql+asyncpg://postgres:p@ss@127.0.0.1:5432/db"}, ("%40",)),
        ({"DATABASE_URL": "sqlite+aiosqlite://"}, ("内存数据库",)),
        ({"DATABASE_URL": "postgresql+asyncpg://u@127.0.0.1:1/db?sslmode=require"}, ("?ssl=require",)),
        ({"BRANCHBOT_WEB_PORT": "0"}, ("BRANCHBOT_WEB_PORT", "端口 0")),
    ],
)
def test_check_exits_2(run_cli, env: dict[str, str], words: tuple[str, ...]) -> None:
    result = run_cli("check", TELEGRAM_BOT_TOKEN=TOKEN, **env)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert all(word in output for word in words) and "ss@" not in output and "Traceback" not in output
