"""`branchbot reminders plan` names the branch and its secretary, not ids alone (review 13, defect 5)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.bot.test_cli_reminders import cli, import_good, redeem


def test_plan_lines_name_the_branch_and_the_secretary(tmp_path: Path) -> None:
    rows = import_good(tmp_path)
    asyncio.run(redeem(tmp_path, [(rows[0][2], 7001)]))
    result = cli(tmp_path, "reminders", "plan", "--at", "2026-06-01T09:00")
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0].split("\t")
    assert first[:4] == ["科技公司党支部, 一（支部 1）", "书记 书记7001（7001）", "2026-06", "open"]
