"""``bot.migration``: start-up brings the database to the newest revision, running Alembic in a child process
and only when the database is behind (so the bot never carries Alembic)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot import migration
from bot.errors import EXIT_SETTINGS, StartupError
from storage.migrate import head_revision


def _url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def test_the_head_read_from_the_scripts_is_alembics() -> None:
    assert migration.shipped_head() == head_revision()


def _script(folder: Path, name: str, revision: str, down: str) -> None:
    (folder / f"{name}.py").write_text(
        f'"""A migration."""\nrevision: str = "{revision}"\ndown_revision: str | None = {down}\n',
        encoding="utf-8",
    )


def test_no_head_unless_exactly_one(tmp_path: Path) -> None:
    _script(tmp_path, "a", "a1", "None")
    _script(tmp_path, "b", "b1", '"a1"')
    assert migration.shipped_head(tmp_path) == "b1"
    _script(tmp_path, "c", "c1", '"a1"')  # two heads: Alembic decides (and refuses)
    assert migration.shipped_head(tmp_path) is None
    _script(tmp_path, "d", "d1", '("b1", "c1")')  # a merge
    assert migration.shipped_head(tmp_path) == "d1"


def test_migrates_once_in_a_child_then_only_reads_the_revision(tmp_path: Path, monkeypatch) -> None:
    url = _url(tmp_path / "db" / "b.db")
    assert migration.database_revisions(url) == frozenset()
    assert migration.ensure_current(url) is True
    assert migration.database_revisions(url) == {head_revision()}

    def no_child(*args, **kwargs):
        raise AssertionError("no child process for a database at the newest revision")

    monkeypatch.setattr(subprocess, "run", no_child)
    assert migration.ensure_current(url) is False


async def test_reads_the_revision_from_inside_an_event_loop(tmp_path: Path) -> None:
    url = _url(tmp_path / "b.db")
    assert migration.is_current(url) is False
    assert migration.ensure_current(url) is True
    assert migration.is_current(url) is True


def test_a_failing_child_ends_in_its_one_line(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "file.txt").write_text("not a folder", encoding="utf-8")
    monkeypatch.setattr(migration, "is_current", lambda url: False)
    with pytest.raises(StartupError) as caught:
        migration.ensure_current(_url(tmp_path / "file.txt" / "b.db"))
    assert caught.value.exit_code == EXIT_SETTINGS
    assert caught.value.line.startswith("DATABASE_URL：SQLite 数据库无法使用")
    assert "\n" not in caught.value.line


def test_a_child_that_dies_is_still_one_line(monkeypatch) -> None:
    died = subprocess.CompletedProcess([], -9, "", "Killed\n")
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: died)
    with pytest.raises(StartupError) as caught:
        migration.upgrade_in_child("sqlite+aiosqlite:///nowhere.db")
    assert caught.value.exit_code == 1
    assert "-9" in caught.value.line
