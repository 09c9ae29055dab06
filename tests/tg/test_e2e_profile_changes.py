"""A change of a branch's form or formal members counts from the next period, except on the day the branch was
created, and /branch and /reminders say from when (helper-97's review)."""

from __future__ import annotations

from datetime import datetime

from handlers.services.clock import SHANGHAI, FixedClock
from tests.tg.forms_world import Chat

ADMIN = 900_001
ALICE = 830_001
JAN4 = datetime(2027, 1, 4, 10, 0, tzinfo=SHANGHAI)
DEC4 = datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)


async def joined(bot, form: str, members: int) -> Chat:
    chat = Chat(bot, bot.user(ALICE, "陈书记"))
    created = await bot.services.branches.create(
        org_name="某某科技有限公司",
        name="第一党支部",
        form=form,
        formal_members=members,
        units=None,
        created_by=ADMIN,
    )
    welcome = await chat.send(f"/start {created.code}")
    assert "您已成为" in welcome.plain_text, welcome.plain_text
    return chat


async def set_form(chat: Chat, form: str):
    chooser = await chat.press(await chat.send("/branch"), "b:form")
    return await chat.press(chooser, f"b:setform:{form}")


async def test_correcting_the_form_on_the_day_the_branch_was_created_counts_at_once(make_bot) -> None:
    """Created on 4 January as 挂靠建 by mistake, corrected to 单独组建 minutes after the secretary joined: January,
    the first quarter and 2027 are owed (they were all 无需开展, 述职评议 first reminded in December 2028)."""
    async with make_bot(clock=FixedClock(JAN4), BRANCHBOT_ADMIN_IDS=str(ADMIN)) as bot:
        alice = await joined(bot, "attached", 8)
        updated = await set_form(alice, "single")
        assert "下一期" not in updated.plain_text, updated.plain_text  # it counts at once
        status = (await alice.send("/reminders")).plain_text
        assert "无需开展" not in status, status
        assert "⬜ 主题党日" in status and "⬜ 述职评议" in status, status
        assert "2028年12月1日" not in status, status
        assert "下一期" not in (await alice.send("/branch")).plain_text


async def test_switching_to_attached_does_not_say_no_reminders_above_the_next_reminder(make_bot) -> None:
    """Switched to 挂靠建 on 4 December: December, the fourth quarter and 2026 are still owed and reminded (下次提醒：
    12月21日), so neither /branch nor /reminders may say 也不推送活动提醒; both say it counts from the next period."""
    clock = FixedClock(datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI))
    async with make_bot(clock=clock, BRANCHBOT_ADMIN_IDS=str(ADMIN)) as bot:
        alice = await joined(bot, "single", 8)
        clock.current = DEC4
        updated = (await set_form(alice, "attached")).plain_text
        pending = "本月、本季度、本年度的活动仍按修改前的情况计入完成情况并提醒，分别从下月、下季度、下年度起不再计入"
        for text in (updated, (await alice.send("/branch")).plain_text):
            assert "不推送活动提醒" not in text and pending in text, text
            assert text.count("下一期") == 1, text  # said once, not again in a note below
        status = (await alice.send("/reminders")).plain_text
        assert "下次提醒：12月21日" in status, status
        assert "不推送活动提醒" not in status and pending in status, status


async def test_switching_from_attached_says_the_activities_count_from_the_next_period(make_bot) -> None:
    """The converse: a 挂靠建 group standing alone from 4 December owes nothing before January, and is told so."""
    clock = FixedClock(datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI))
    async with make_bot(clock=clock, BRANCHBOT_ADMIN_IDS=str(ADMIN)) as bot:
        alice = await joined(bot, "attached", 8)
        clock.current = DEC4
        await set_form(alice, "single")
        pending = "本月、本季度、本年度的活动仍按修改前的情况不计入完成情况、不提醒，分别从下月、下季度、下年度起计入"
        assert pending in (await alice.send("/branch")).plain_text
        status = (await alice.send("/reminders")).plain_text
        assert pending in status and "○ 主题党日（无需开展）" in status, status
