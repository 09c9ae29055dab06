"""`branchbot db current` changes nothing; `db downgrade` warns and asks first (operator review item 19)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from tests.bot.conftest import cli_env


def _cli(tmp_path: Path, *args: str, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=tmp_path,
        env=cli_env(tmp_path, DATABASE_URL=url),
        input="",  # not a terminal
        capture_output=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


def test_db_current_on_no_database_creates_nothing(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'db' / 'x.db'}"
    current = _cli(tmp_path, "db", "current", url=url)
    assert current.returncode == 0, current.stderr
    assert "尚未建库" in current.stdout
    assert not (tmp_path / "db").exists()


def test_db_downgrade_warns_and_needs_yes_without_a_terminal(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    helped = _cli(tmp_path, "db", "downgrade", "--help", url=url)
    assert "DROPS" in helped.stdout and "--yes" in helped.stdout
    assert _cli(tmp_path, "db", "upgrade", url=url).returncode == 0
    added = (
        "branch",
        "add",
        "--org",
        "甲公司",
        "--name",
        "甲公司党支部",
        "--form",
        "单独组建",
        "--members",
        "5",
    )
    assert _cli(tmp_path, *added, url=url).returncode == 0
    refused = _cli(tmp_path, "db", "downgrade", "0001", url=url)
    assert refused.returncode == 2 and "--yes" in refused.stderr and "删除" in refused.stderr, refused.stderr
    assert "甲公司党支部" in _cli(tmp_path, "branch", "list", url=url).stdout  # nothing was dropped
    done = _cli(tmp_path, "db", "downgrade", "0001", "--yes", url=url)
    assert done.returncode == 0 and "0001" in done.stdout, done.stderr


def test_db_downgrade_asks_on_a_terminal(monkeypatch, capsys):
    from bot import cli_db

    args = argparse.Namespace(revision="0001", yes=False)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    assert not cli_db.downgrade_confirmed(args)
    assert "已取消" in capsys.readouterr().err
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    assert cli_db.downgrade_confirmed(args)
