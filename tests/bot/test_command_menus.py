"""The command menus: ordinary users see what they can use; each administrator gets the full menu in their
private chat (``BotCommandScopeChat``), and every command /help names is in it.

The real application against the Bot API emulator (``tests/fixtures_bot.py``).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from bot import app as bot_app
from bot.app import ADMIN_COMMANDS, COMMANDS
from handlers.tg.common import HELP, SECRETARY_HELP, STRANGER_HELP
from tests.emulator import BotApiEmulator
from tests.fixtures_bot import fake_services, running_bot

ADMIN_ID = 20250101
STRANGER_ADMIN_ID = 20250102  # in BRANCHBOT_ADMIN_IDS, never opened the bot: Telegram knows no such chat
USER_ID = 20250103
ADMIN_ONLY = {"unanswered", "adddoc", "newbranch", "branches", "invite", "supervisor", "supervisors"}
ADMIN_ONLY |= {"unbind", "renamebranch", "closebranch", "reopenbranch", "returnrecord"}


def menu(commands) -> list[dict]:
    return [{"command": c.command, "description": c.description} for c in commands]


def scope(chat_id: int) -> dict:
    return {"type": "chat", "chat_id": chat_id}


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot_app, "COMMANDS_RETRY_DELAYS", (0.3, 0.3, 0.3, 0.6))


def test_the_administrators_menu_holds_every_command_help_names() -> None:
    in_help = set(re.findall(r"(?<!<)/([a-z]+)", HELP))  # not the closing tags of the HTML
    assert {c.command for c in ADMIN_COMMANDS} == in_help


def test_a_non_administrator_s_help_names_only_the_default_menu_s_commands() -> None:
    for text in (SECRETARY_HELP, STRANGER_HELP):
        in_help = set(re.findall(r"(?<!<)/([a-z]+)", text))
        assert in_help <= {c.command for c in COMMANDS} and in_help.isdisjoint(ADMIN_ONLY), in_help


def test_the_default_menu_holds_no_administrator_command() -> None:
    default = {c.command for c in COMMANDS}
    assert default.isdisjoint(ADMIN_ONLY)
    assert default | ADMIN_ONLY == {c.command for c in ADMIN_COMMANDS}
    assert not any("管理员" in c.description for c in COMMANDS)
    assert all("管理员" in c.description for c in ADMIN_COMMANDS if c.command in ADMIN_ONLY)


async def test_administrators_get_their_menu_in_their_own_chat(
    emulator: BotApiEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.app")
    emulator.user(ADMIN_ID)
    services = fake_services(tmp_path, admin_ids=frozenset({ADMIN_ID, STRANGER_ADMIN_ID}))
    async with running_bot(emulator, tmp_path, services=services) as harness:
        await emulator.wait_for_call("setMyCommands", lambda c: "scope" in c.params and not c.ok)
        user = harness.user(USER_ID)
        user.send_text("/help")
        assert (await emulator.wait_for_message(user.id)).text == STRANGER_HELP
        assert harness.errors == []
    assert emulator.my_commands() == menu(COMMANDS)
    assert emulator.my_commands(scope(ADMIN_ID)) == menu(ADMIN_COMMANDS)
    assert emulator.my_commands(scope(USER_ID)) == []
    assert [c.params.get("scope") for c in emulator.calls_to("setMyCommands")] == [
        None,
        scope(ADMIN_ID),
        scope(STRANGER_ADMIN_ID),
    ]
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.app"]
    assert warnings == [
        f"no command menu for administrator {STRANGER_ADMIN_ID} yet: Telegram does not know the chat"
    ]


async def test_a_failing_administrator_menu_is_retried_alone(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    emulator.user(ADMIN_ID)
    emulator.delay_next("setMyCommands", 0)  # the default scope goes through,
    emulator.fail_next(
        "setMyCommands", status=429, retry_after=0.1, count=4
    )  # the administrator's meets 429s
    services = fake_services(tmp_path, admin_ids=frozenset({ADMIN_ID}))
    async with running_bot(emulator, tmp_path, services=services):
        await emulator.wait_for_call("setMyCommands", lambda c: c.ok and "scope" in c.params, timeout=10)
    calls = emulator.calls_to("setMyCommands")
    assert [(c.status, c.params.get("scope")) for c in calls] == [
        (200, None),
        *[(429, scope(ADMIN_ID))] * 4,
        (200, scope(ADMIN_ID)),
    ]
    assert emulator.my_commands() == menu(COMMANDS)
    assert emulator.my_commands(scope(ADMIN_ID)) == menu(ADMIN_COMMANDS)
