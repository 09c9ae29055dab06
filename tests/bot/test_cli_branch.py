"""`branchbot branch add|list|invite` from a shell."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.bot.conftest import cli_env


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # cli_env puts this checkout first on PYTHONPATH: the installed package may be another checkout
    env = cli_env(tmp_path, DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_add_list_and_invite(tmp_path):
    added = _cli(
        tmp_path,
        *("branch", "add", "--org", "某科技公司", "--name", "某科技公司党支部"),
        *("--form", "联合建", "--members", "2", "--units", "3", "--bot-username", "branchbot_test_bot"),
    )
    assert added.returncode == 0, added.stderr
    code = re.search(r"邀请码：(\S+)", added.stdout).group(1)
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", code)
    assert f"https://t.me/branchbot_test_bot?start={code}" in added.stdout

    listed = _cli(tmp_path, "branch", "list")
    assert listed.returncode == 0
    assert "某科技公司党支部" in listed.stdout and "联合建" in listed.stdout and "尚无书记" in listed.stdout

    again = _cli(tmp_path, "branch", "invite", "1")
    assert again.returncode == 0
    new_code = re.search(r"邀请码：(\S+)", again.stdout).group(1)
    assert new_code != code
    assert "邀请链接" not in again.stdout  # no username given: no link, only the code

    missing = _cli(tmp_path, "branch", "invite", "99")
    assert missing.returncode == 2
    assert "没有编号为 99 的支部" in missing.stderr


def test_add_rejects_a_bad_form_and_negative_members(tmp_path):
    bad_form = _cli(
        tmp_path, "branch", "add", "--org", "甲", "--name", "乙", "--form", "独立", "--members", "3"
    )
    assert bad_form.returncode == 2
    negative = _cli(
        tmp_path, "branch", "add", "--org", "甲", "--name", "乙", "--form", "单独组建", "--members", "-1"
    )
    assert negative.returncode == 2
    assert "负数" in negative.stderr


def test_add_checks_names_and_units_as_the_chat_does_and_warns(tmp_path):
    """helper-86's review: a one-character name and a 联合建 without units were stored, 2 members 单独组建 silently."""
    add = ("branch", "add", "--org", "甲公司", "--name")
    short = _cli(tmp_path, *add, "丁", "--form", "单独组建", "--members", "5")
    assert short.returncode == 2 and "支部名称应为2到100个字" in short.stderr, short.stderr
    joint = _cli(tmp_path, *add, "甲联合党支部", "--form", "联合建", "--members", "4")
    assert joint.returncode == 2 and "--units" in joint.stderr, joint.stderr
    small = _cli(tmp_path, *add, "甲公司党支部", "--form", "单独组建", "--members", "2")
    assert small.returncode == 0, small.stderr
    assert "提示：正式党员只有2名，不足3名，按讲话要求应采取联合建或挂靠建。" in small.stderr
    listed = _cli(tmp_path, "branch", "list")
    assert len(listed.stdout.splitlines()) == 1  # the refused ones were not stored


def test_invite_warns_when_the_branch_has_a_secretary(tmp_path):
    """A new invitation replaces whoever leads the branch once used: the operator is told who that is."""
    added = _cli(
        tmp_path,
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
    assert added.returncode == 0, added.stderr
    fresh = _cli(tmp_path, "branch", "invite", "1")
    assert fresh.returncode == 0 and "现任书记" not in fresh.stdout  # no secretary yet: nothing to warn of

    with sqlite3.connect(tmp_path / "cli.db") as db:
        db.execute("UPDATE branches SET secretary_user_id = 4242, secretary_name = '张书记' WHERE id = 1")
    again = _cli(tmp_path, "branch", "invite", "1")
    assert again.returncode == 0, again.stderr
    assert "现任书记是张书记" in again.stdout
    assert "成为新书记" in again.stdout
