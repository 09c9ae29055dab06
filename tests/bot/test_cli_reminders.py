"""`branchbot branch import` and `branchbot reminders plan|send` from a shell (send: against the Bot API emulator)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from handlers.services.branches import BranchService
from handlers.services.clock import SystemClock
from storage.db import make_engine, make_session_factory
from storage.models import Branch, ReminderDelivery
from tests.emulator import BotApiEmulator
from tests.fixtures_bot import TEST_TOKEN

ROOT = Path(__file__).resolve().parents[2]
GOOD = (
    "org,name,form,members,units\n"
    '某科技公司,"科技公司党支部, 一",单独组建,8,\n'
    "某物流公司,物流公司联合党支部,联合建,4,3\n"
    "某律师事务所,律所党支部,单独组建,3,\n"  # reminded: a 挂靠建 group would not be
)
BAD = "org,name,form,members\n甲公司,甲支部,独立,3\n乙公司,乙支部,单独组建,-1\n丙公司,丙支部,单独组建,3\n"


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BRANCHBOT_", "DATABASE_"))}
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}", HOME=str(tmp_path), PYTHONPATH=str(ROOT)
    )
    env.update(extra)
    return env


def cli(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=tmp_path,
        env=env_for(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )


def import_good(tmp_path: Path, *flags: str) -> list[list[str]]:
    (tmp_path / "branches.csv").write_text(GOOD, encoding="utf-8")
    result = cli(tmp_path, "branch", "import", "branches.csv", *flags)
    assert result.returncode == 0, result.stderr
    return list(csv.reader(io.StringIO(result.stdout)))


async def redeem(tmp_path: Path, codes_and_users: list[tuple[str, int]]) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    try:
        service = BranchService(make_session_factory(engine), SystemClock())
        for code, user_id in codes_and_users:
            assert (await service.redeem(code, user_id=user_id, name=f"书记{user_id}")).status == "ok"
    finally:
        await engine.dispose()


async def count(tmp_path: Path, model) -> int:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    try:
        async with make_session_factory(engine)() as session:
            return await session.scalar(select(func.count()).select_from(model))
    finally:
        await engine.dispose()


def test_import_prints_one_csv_line_per_branch(tmp_path: Path) -> None:
    rows = import_good(tmp_path, "--bot-username", "branchbot_test_bot")
    assert [r[:2] for r in rows] == [
        ["1", "科技公司党支部, 一"],
        ["2", "物流公司联合党支部"],
        ["3", "律所党支部"],
    ]
    assert all(r[3] == f"https://t.me/branchbot_test_bot?start={r[2]}" and len(r) == 4 for r in rows)
    listed = cli(tmp_path, "branch", "list")
    assert listed.stdout.count("尚无书记") == 3


def test_import_with_errors_adds_nothing(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text(BAD, encoding="utf-8")
    result = cli(tmp_path, "branch", "import", "bad.csv")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines()[:2] == [
        "第2行：组织形式应为 单独组建、联合建、挂靠建 之一，而不是“独立”。",
        "第3行：正式党员人数应为 0 或正整数。",
    ]
    assert "Traceback" not in result.stderr
    assert asyncio.run(count(tmp_path, Branch)) == 0
    again = import_good(tmp_path)  # without --bot-username: no link
    assert [r[3] for r in again] == ["", "", ""]
    twice = cli(tmp_path, "branch", "import", "branches.csv")
    assert twice.returncode == 2 and "第2行：已有同名支部（编号 1）。" in twice.stderr


def test_import_of_a_missing_or_gbk_file(tmp_path: Path) -> None:
    missing = cli(tmp_path, "branch", "import", "nope.csv")
    assert missing.returncode == 2 and missing.stderr.strip() == "找不到文件：nope.csv"
    (tmp_path / "gbk.csv").write_bytes(GOOD.encode("gb18030"))  # what Excel saves in Chinese
    assert cli(tmp_path, "branch", "import", "gbk.csv").returncode == 0


def test_plan_lists_what_is_due_and_sends_nothing(tmp_path: Path) -> None:
    rows = import_good(tmp_path)
    asyncio.run(redeem(tmp_path, [(rows[0][2], 7001), (rows[2][2], 7003)]))
    result = cli(tmp_path, "reminders", "plan", "--at", "2026-06-01T09:00", "--json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert {line.pop("send_at") for line in lines} == {"2026-06-01T09:00:00+08:00"}  # when it really goes
    assert lines == [
        {"branch_id": 1, "chat_id": 7001, "period": "2026-06", "stage": "open", "kinds": [
            "theme_day", "committee", "group_meeting", "joint_study"]},
        {"branch_id": 1, "chat_id": 7001, "period": "2026-Q2", "stage": "nudge", "kinds": [
            "assembly", "lecture", "observation"]},
        # 3 formal members: no 支部委员会, no 党小组 (knowledge.organisation.exempt_kinds)
        {"branch_id": 3, "chat_id": 7003, "period": "2026-06", "stage": "open", "kinds": [
            "theme_day", "joint_study"]},
        {"branch_id": 3, "chat_id": 7003, "period": "2026-Q2", "stage": "nudge", "kinds": [
            "assembly", "lecture", "observation"]},
    ]  # fmt: skip
    text = cli(tmp_path, "reminders", "plan", "--at", "2026-06-01T08:59:59+08:00")
    assert [line.split("\t")[2:4] for line in text.stdout.splitlines()] == [["2026-Q2", "nudge"]] * 2
    assert asyncio.run(count(tmp_path, ReminderDelivery)) == 0


def test_bad_input_is_one_chinese_line(tmp_path: Path) -> None:
    for args, needle in (
        (("reminders", "plan", "--at", "下周一"), "--at：“下周一”不是 ISO-8601 时间"),
        (("reminders", "send", "--rate", "40"), "--rate：“40”不是有效的发送速率"),
        (("reminders", "send", "--rate", "abc"), "--rate：“abc”不是有效的发送速率"),
        (("reminders", "send"), "未设置 TELEGRAM_BOT_TOKEN"),
    ):
        result = cli(tmp_path, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and needle in result.stderr, result.stderr


async def test_send_delivers_once_against_the_emulator(tmp_path: Path, emulator: BotApiEmulator) -> None:
    (tmp_path / "branches.csv").write_text(GOOD, encoding="utf-8")
    imported = await run_cli(tmp_path, emulator, "branch", "import", "branches.csv")
    codes = [row[2] for row in csv.reader(io.StringIO(imported[1]))]
    emulator.user(7001)
    emulator.user(7002)  # 7003 never wrote to the bot: "chat not found"
    await redeem(tmp_path, [(codes[0], 7001), (codes[1], 7002), (codes[2], 7003)])

    code, out, err = await run_cli(
        tmp_path, emulator, "reminders", "send", "--at", "2026-06-01T09:00", "--rate", "20"
    )
    assert code == 0, err
    assert out.splitlines()[-1].startswith("sent 4 failed 1 skipped 1 retrying 0 rate ")
    assert out.splitlines()[-1].endswith(" msg/s") and "Traceback" not in err
    sent = [c for c in emulator.calls_to("sendMessage") if c.ok]
    assert sorted(c.params["chat_id"] for c in sent) == [7001, 7001, 7002, 7002]
    assert any("📖" in (m.plain_text or "") for m in emulator.messages(7001))

    code, out, err = await run_cli(tmp_path, emulator, "reminders", "send", "--at", "2026-06-01T09:05")
    assert code == 0 and out.splitlines()[-1].startswith("sent 0 failed 0 skipped 0 ")  # once each


async def run_cli(tmp_path: Path, emulator: BotApiEmulator, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        cwd=tmp_path,
        env=env_for(tmp_path, TELEGRAM_BOT_TOKEN=TEST_TOKEN, TELEGRAM_API_BASE_URL=emulator.base_url),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode, out.decode(), err.decode()
