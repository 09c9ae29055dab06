"""`branchbot branch …` values (operator review items 3, 7 and 8): bot usernames, bounded ids and counts, one
line for an unexpected failure, and the rules `branch add` shares with `branch import`."""

from __future__ import annotations

import os
import re

import pytest

from bot import cli
from tests.bot.test_cli_branch import _cli

ADD = ("branch", "add", "--org", "甲公司", "--name", "甲公司党支部", "--form", "单独组建", "--members", "5")


@pytest.mark.parametrize(
    "given", ["@branchbot_test_bot", "https://t.me/branchbot_test_bot", "t.me/Test_Bot/"]
)
def test_a_username_with_at_or_as_a_link_gives_a_working_link(tmp_path, given):
    added = _cli(tmp_path, *ADD, "--bot-username", given)
    assert added.returncode == 0, added.stderr
    code = re.search(r"邀请码：(\S+)", added.stdout).group(1)
    plain = given.removeprefix("@").removeprefix("https://t.me/").removeprefix("t.me/").rstrip("/")
    assert f"邀请链接：https://t.me/{plain}?start={code}" in added.stdout
    again = _cli(tmp_path, "branch", "invite", "1", "--bot-username", given)
    assert f"https://t.me/{plain}?start=" in again.stdout and "@" not in again.stdout
    csv = tmp_path / "b.csv"
    csv.write_text("org,name,form,members\n乙公司,乙公司党支部,单独组建,4\n", encoding="utf-8")
    imported = _cli(tmp_path, "branch", "import", str(csv), "--bot-username", given)
    assert imported.returncode == 0 and f",https://t.me/{plain}?start=" in imported.stdout, imported.stderr


@pytest.mark.parametrize(
    "given", ["my bot", "@mybot?start=x", "https://t.me/joinchat/abc", "支部机器人", "ab"]
)
def test_a_value_that_is_no_bot_username_is_refused(tmp_path, given):
    for args in (ADD, ("branch", "invite", "1"), ("branch", "import", "x.csv")):
        refused = _cli(tmp_path, *args, "--bot-username", given)
        assert refused.returncode == 2 and "机器人用户名" in refused.stderr, refused.stderr
    assert not (tmp_path / "cli.db").exists()  # refused before the database was opened


@pytest.mark.parametrize(
    "args",
    [
        ("branch", "invite", "99999999999"),
        ("branch", "invite", "99999999999999999999"),
        ("branch", "invite", "0"),
        (*ADD[:-1], "99999999999"),
        (*ADD[:-1], "100001"),
        (*ADD[:-2], "--form", "联合建", "--members", "3", "--units", "100001"),
    ],
)
def test_ids_and_counts_are_bounded(tmp_path, args):
    refused = _cli(tmp_path, *args)
    assert refused.returncode == 2, refused.stderr
    assert "Traceback" not in refused.stderr and re.search("支部编号应为|100000", refused.stderr), (
        refused.stderr
    )


def test_an_unexpected_failure_is_one_chinese_line(tmp_path, monkeypatch, capsys):
    from handlers.services.branches import BranchService

    async def broken(self):
        raise RuntimeError("boom")

    for name in [n for n in os.environ if n.startswith(("TELEGRAM_", "BRANCHBOT_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(BranchService, "list_all", broken)
    assert cli.main(["branch", "list"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "RuntimeError" in err and "boom" in err and "Traceback" not in err


def test_add_refuses_a_duplicate_unless_allowed(tmp_path):
    assert _cli(tmp_path, *ADD).returncode == 0
    spaced = (
        "branch",
        "add",
        "--org",
        "甲公司",
        "--name",
        "甲公司 党支部",
        "--form",
        "单独组建",
        "--members",
        "4",
    )
    again = _cli(tmp_path, *spaced)
    assert (
        again.returncode == 2
        and "已有同名支部（编号 1）" in again.stderr
        and "--allow-duplicate" in again.stderr
    )
    allowed = _cli(tmp_path, *spaced, "--allow-duplicate")
    assert allowed.returncode == 0 and "支部编号：2" in allowed.stdout, allowed.stderr
    other_org = _cli(tmp_path, "branch", "add", "--org", "乙公司", *ADD[4:])
    assert other_org.returncode == 0, other_org.stderr
    assert len(_cli(tmp_path, "branch", "list").stdout.splitlines()) == 3


def test_add_refuses_units_on_a_branch_that_is_not_joint(tmp_path):
    refused = _cli(tmp_path, *ADD, "--units", "3")
    assert refused.returncode == 2 and "只有联合建" in refused.stderr, refused.stderr


def test_import_refuses_a_joint_branch_without_units_as_add_does(tmp_path):
    csv = tmp_path / "b.csv"
    csv.write_text("org,name,form,members,units\nC公司,C公司党支部,联合建,4,\n", encoding="utf-8")
    imported = _cli(tmp_path, "branch", "import", str(csv))
    assert imported.returncode == 2 and "第2行" in imported.stderr and "units" in imported.stderr, (
        imported.stderr
    )
    added = _cli(
        tmp_path,
        "branch",
        "add",
        "--org",
        "C公司",
        "--name",
        "C公司党支部",
        "--form",
        "联合建",
        "--members",
        "4",
    )
    assert added.returncode == 2 and "--units" in added.stderr
