"""``branchbot check``: one ✓/✗ line per check, 0 if all pass, 2 for a wrong setting, else 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.migrate import head_revision
from tests.bot.conftest import SECRET, TOKEN
from tests.bot.fake_api import UNAUTHORIZED, FakeBotApi, closed_port


def lines_of(result) -> list[str]:
    assert "Traceback" not in result.stdout + result.stderr
    assert SECRET not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines and all(line[:2] in ("✓ ", "✗ ", "– ", "⚠ ") for line in lines), result.stdout
    # The holiday table's line: ✓ when chinese-calendar knows this year and the next, else a warning (not a
    # failure) that names the missing years.
    holidays = [line for line in lines if "节假日表" in line]
    assert len(holidays) <= 1
    assert all(h.startswith("✓ 节假日表覆盖") or "请更新 chinese-calendar" in h for h in holidays)
    return lines


def test_all_pass_and_nothing_is_changed(run_cli, tmp_path: Path, fake_api: FakeBotApi) -> None:
    result = run_cli("check", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake_api.base_url)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = lines_of(result)
    assert all(line.startswith(("✓", "⚠ 节假日表")) for line in lines)
    assert len(lines) == 7 and any("节假日表" in line for line in lines)
    text = "\n".join(lines)
    assert "配置有效" in text and "数据目录可写" in text and "知识库已加载" in text
    assert "数据库文件尚未创建" in text
    assert "@branchbot_test_bot" in lines[-1]
    assert [m for _, m in fake_api.calls] == ["getMe"]
    # check changes nothing: no data folder, no database file
    assert not (tmp_path / "data").exists() and not (tmp_path / "branchbot.db").exists()


def test_reads_the_migration_revision(run_cli, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db' / 'bot.db'}"
    assert run_cli("db", "upgrade", DATABASE_URL=url).returncode == 0
    result = run_cli("check", DATABASE_URL=url)
    assert result.returncode == 0, result.stdout
    lines = lines_of(result)
    assert any(f"版本 {head_revision()}（最新）" in line for line in lines)
    assert lines[-1].startswith("– ") and "TELEGRAM_BOT_TOKEN" in lines[-1]  # no token: skipped, not failed


def test_postgresql(run_cli, pg_unavailable_reason: str | None) -> None:
    if pg_unavailable_reason:
        pytest.skip(pg_unavailable_reason)
    result = run_cli("check", DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:5432/no_such_db_xyz")
    assert result.returncode == 2
    assert any(line.startswith("✗ DATABASE_URL") and "no_such_db_xyz" in line for line in lines_of(result))


def test_bad_settings_exit_2(run_cli) -> None:
    result = run_cli("check", BRANCHBOT_TZ="Mars/Olympus", TELEGRAM_BOT_TOKEN=TOKEN)
    assert result.returncode == 2
    assert lines_of(result) == [
        "✗ 配置有误：BRANCHBOT_TZ：“Mars/Olympus”不是已知的时区；应是 IANA 时区名，例如 Asia/Shanghai。"
    ]


def test_rejected_token_and_unwritable_folder_exit_2(run_cli, tmp_path: Path, fake_api: FakeBotApi) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("x", encoding="utf-8")
    fake_api.answer("getMe", *UNAUTHORIZED)
    result = run_cli(
        "check",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=fake_api.base_url,
        BRANCHBOT_DATA_DIR=str(blocker / "data"),
    )
    assert result.returncode == 2
    lines = lines_of(result)
    failed = [line for line in lines if line.startswith("✗")]
    assert len(failed) == 2
    assert "BRANCHBOT_DATA_DIR" in failed[0] and "TELEGRAM_BOT_TOKEN" in failed[1]
    assert sum(line.startswith("✓") for line in lines) == 4  # every check ran


def test_unreachable_services_exit_1(run_cli) -> None:
    result = run_cli(
        "check",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{closed_port()}/bot",
        DATABASE_URL=f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port()}/db",
    )
    assert result.returncode == 1
    failed = [line for line in lines_of(result) if line.startswith("✗")]
    assert len(failed) == 2
    assert "数据库" in failed[0] and "Telegram" in failed[1]
