"""A 挂靠建 group and a unit with no formal member hold no activities of their own (the speeches: 挂靠建 members
"挂靠…党组织开展活动"; no member, a 党建工作指导员): they are neither reminded nor counted, /reminders says why,
and the status matrix shows their slots as not owed (helper-86's review: both were reminded of everything)."""

from __future__ import annotations

import pytest

from knowledge.activities import CATALOGUE
from knowledge.organisation import NO_COMMITTEE, exempt_kinds, holds_own_activities, no_own_activities_line
from tests.tg.forms_world import Chat
from tests.tg.test_e2e_reminders import ADMIN, JULY_1, bot_options, clock, tick

__all__ = ["clock"]  # the fixed clock fixture, 1 June 2026

OWN, ATTACHED, EMPTY = 820_101, 820_102, 820_103


@pytest.mark.parametrize(
    ("form", "members", "holds", "exempt"),
    [
        ("single", 7, True, set()),
        ("joint", 9, True, set()),
        ("single", 6, True, {"committee", "group_meeting"}),
        ("joint", 2, True, {"committee", "group_meeting"}),
        ("attached", 2, False, {k.code for k in CATALOGUE}),
        ("single", 0, False, {k.code for k in CATALOGUE}),
    ],
)
def test_who_holds_activities_of_their_own(form: str, members: int, holds: bool, exempt: set[str]) -> None:
    assert holds_own_activities(form, members) is holds
    assert exempt_kinds(form, members) == exempt
    line = no_own_activities_line(form, members)
    assert (line is None) is (not exempt)
    assert (line == NO_COMMITTEE) is (holds and bool(exempt))


async def secretary(bot, user_id: int, name: str, form: str, members: int) -> Chat:
    chat = Chat(bot, bot.user(user_id, "书记"))
    created = await bot.services.branches.create(
        org_name=f"{name}公司", name=name, form=form, formal_members=members, units=None, created_by=ADMIN
    )
    assert "您已成为" in (await chat.send(f"/start {created.code}")).plain_text
    return chat


async def test_neither_reminded_nor_counted(make_bot, clock, db_url) -> None:
    async with make_bot(**bot_options(clock, db_url, admin=True)) as bot:
        Chat(bot, bot.user(ADMIN, "管理员"))  # the administrator has opened the bot: digests reach them
        own = await secretary(bot, OWN, "自有党支部", "single", 8)
        attached = await secretary(bot, ATTACHED, "挂靠党小组", "attached", 2)
        empty = await secretary(bot, EMPTY, "新公司", "single", 0)
        for chat in (own, attached, empty):
            bot.emulator.skip_messages(chat.id)
        before = len(bot.emulator.calls_to("sendMessage"))
        await tick(bot)
        sent_to = {c.params["chat_id"] for c in bot.emulator.calls_to("sendMessage")[before:] if c.ok}
        assert OWN in sent_to and ATTACHED not in sent_to and EMPTY not in sent_to

        status = await attached.send("/reminders")
        assert "ℹ️ 挂靠建：党员随所挂靠的党组织开展活动" in status.plain_text
        assert "下次提醒" not in status.plain_text
        status = await empty.send("/reminders")
        assert "ℹ️ 没有正式党员：按讲话要求由党建工作指导员开展党的工作" in status.plain_text
        assert "下次提醒" not in status.plain_text
        assert "ℹ️" not in (await own.send("/reminders")).plain_text

        matrix = await bot.services.status.matrix(ADMIN)
        states = {row.name: {cell.state for cell in row.cells.values()} for row in matrix.rows}
        assert states["挂靠党小组"] == {"exempt"} and states["新公司"] == {"exempt"}
        assert "missing" in states["自有党支部"] or "upcoming" in states["自有党支部"]

        bot.emulator.skip_messages(ADMIN)
        await tick(bot, JULY_1)  # June's digest counts the branch that holds its own activities alone
        digest = await bot.emulator.wait_for_message(ADMIN, lambda m: "活动情况汇总" in (m.plain_text or ""))
        assert "挂靠党小组" not in digest.plain_text and "新公司" not in digest.plain_text
        assert "自有党支部" in digest.plain_text
