"""An awaited follow-up input (a new branch name, a mute's reason...) is dropped by any other command, so a
question typed afterwards is answered instead of being saved (helper-97's review of /branch); an edit
of the message that set a profile field says it changed nothing."""

from __future__ import annotations

from datetime import datetime

from handlers.services.clock import SHANGHAI, FixedClock
from tests.tg.forms_world import Chat
from tests.tg.test_e2e_reminders import join

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)
ADMIN = 900_001
ALICE = 830_001


def _options() -> dict:
    return {"clock": FixedClock(NOW), "BRANCHBOT_ADMIN_IDS": str(ADMIN)}


async def _joined(bot) -> Chat:
    return await join(bot, ALICE, first_name="陈书记")


async def test_a_question_after_another_command_is_not_saved_as_the_branch_name(make_bot):
    async with make_bot(**_options()) as bot:
        alice = await _joined(bot)
        await alice.press(await alice.send("/branch"), "b:edit:name")
        await alice.send("/reminders")
        await bot.emulator.idle()
        told = [m.plain_text for m in bot.emulator.messages(ALICE)]
        bot.emulator.skip_messages(ALICE)
        answer = await alice.send("观摩交流有什么要求")
        branch = await bot.services.branches.of_user(ALICE)
        assert branch.name == "第一党支部", (branch.name, answer.plain_text)
        assert "已更新" not in answer.plain_text
        # /reminders said what it dropped, then showed the reminders.
        assert told[-2] == "支部信息的修改还没有填写，已取消。" and "待办与提醒" in told[-1], told[-2:]


async def test_a_statement_after_help_is_not_saved_as_the_org_name(make_bot):
    async with make_bot(**_options()) as bot:
        alice = await _joined(bot)
        await alice.press(await alice.send("/branch"), "b:edit:org_name")
        await alice.send("/help")
        await bot.emulator.idle()
        bot.emulator.skip_messages(ALICE)
        await alice.send("党建工作经费可以在税前扣除")
        branch = await bot.services.branches.of_user(ALICE)
        assert branch.org_name == "某某科技有限公司", branch.org_name


async def test_cancel_and_skip_still_belong_to_the_follow_up(make_bot):
    async with make_bot(**_options()) as bot:
        alice = await _joined(bot)
        await alice.press(await alice.send("/branch"), "b:edit:name")
        assert (await alice.send("/cancel")).plain_text == "已取消。"
        await alice.press(await alice.send("/branch"), "b:edit:name")
        await alice.send("第二党支部")
        assert (await bot.services.branches.of_user(ALICE)).name == "第二党支部"


async def test_an_edited_branch_name_says_it_changed_nothing(make_bot):
    """A typo in the new name corrected by editing the message: the profile keeps what was saved, and says so."""
    async with make_bot(**_options()) as bot:
        alice = await _joined(bot)
        emulator = bot.emulator
        await alice.press(await alice.send("/branch"), "b:edit:name")
        sent = alice.user.send_text("第一党支布")
        assert "已更新" in (await alice.reply()).plain_text
        alice.user.edit_text(sent["message"], "第一党支部委员会")
        await emulator.idle()
        told = [m.plain_text for m in emulator.messages(ALICE)][-1]
        assert (await bot.services.branches.of_user(ALICE)).name == "第一党支布"
        assert "不会改动支部信息" in told and "/branch" in told and "改支部名称" in told, told
