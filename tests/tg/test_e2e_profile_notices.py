"""A secretary's change of the branch's profile reaches its supervisors and the administrators in their private
chat: which branch, old -> new, from which period it counts, who made it. Best effort: a blocked recipient or a
failing send neither fails the secretary's edit nor stops the others' notices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from handlers.services.clock import SHANGHAI, FixedClock
from storage.models import Branch
from tests.tg.forms_world import Chat
from tests.tg.test_e2e_profile_changes import DEC4, set_form

ADMIN, ADMIN2 = 900_001, 900_002
ALICE = 830_001  # the secretary (``joined``)
SUP, SUP2 = 840_001, 840_002
HEAD = "📋 支部信息变更：某某科技有限公司 · 第一党支部"


async def setup(bot, form: str, members: int, *supervisors: int) -> Chat:
    """Alice (陈书记) leads a branch created on 1 December; ``supervisors`` supervise it; the clock moves to 4 December."""
    for user_id, name in ((ADMIN, "管理员"), (ADMIN2, "管理员二"), (SUP, "督导员"), (SUP2, "督导员二")):
        bot.user(user_id, name)  # their private chats exist (Telegram knows them)
    created = await bot.services.branches.create(
        org_name="某某科技有限公司",
        name="第一党支部",
        form=form,
        formal_members=members,
        units=None,
        created_by=ADMIN,
    )
    # An administrator who opens the link is asked first: the secretary is made here, as the link would.
    assert (await bot.services.branches.redeem(created.code, user_id=ALICE, name="陈书记")).status == "ok"
    for user_id in supervisors:
        assert (await bot.services.supervision.grant(ADMIN, user_id, [created.branch.id])).status == "ok"
    bot.services.clock.current = DEC4
    return Chat(bot, bot.user(ALICE, "陈书记"))


def make(make_bot, admins: str = f"{ADMIN}"):
    clock = FixedClock(datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI))
    return make_bot(clock=clock, BRANCHBOT_ADMIN_IDS=admins)


async def notice(bot, user_id: int) -> str:
    message = await bot.emulator.wait_for_message(user_id, timeout=10)
    assert message.plain_text.startswith(HEAD), message.plain_text
    return message.plain_text


async def set_members(alice: Chat, count: int) -> str:
    prompt = await alice.press(await alice.send("/branch"), "b:edit:formal_members")
    assert "正式党员人数" in prompt.plain_text, prompt.plain_text
    return (await alice.send(str(count))).plain_text


async def test_a_switch_to_attached_reaches_the_supervisors_and_the_administrators(make_bot) -> None:
    async with make(make_bot) as bot:
        alice = await setup(bot, "single", 8, SUP)
        assert (await set_form(alice, "attached")).plain_text.startswith("已更新")
        for user_id in (ADMIN, SUP):
            text = await notice(bot, user_id)
            assert "组织形式：单独组建 → 挂靠建" in text, text
            assert (
                "应开展的活动：自2027年1月、2027年第一季度、2027年度起不再计入完成情况、不再提醒（本期仍按修改前的情况）。"
                in text
            )
            assert "修改人：陈书记" in text, text
            assert "正式党员人数" not in text, text
            await bot.emulator.expect_no_message(user_id)


async def test_fewer_members_say_the_committee_meetings_stop_next_month(make_bot) -> None:
    async with make(make_bot) as bot:
        alice = await setup(bot, "single", 8, SUP)
        assert (await set_members(alice, 5)).startswith("已更新")
        text = await notice(bot, SUP)
        assert "正式党员人数：8 → 5" in text and "组织形式" not in text, text
        assert "支部委员会、党小组会自2027年1月起不再计入完成情况、不再提醒" in text, text
        assert (await set_members(alice, 6)).startswith(
            "已更新"
        )  # the form and the count change, not the duties
        assert "正式党员人数：5 → 6\n应开展的活动：不变。" in await notice(bot, SUP)


async def test_no_notice_for_a_no_op_nor_a_name_nor_the_author_who_is_an_administrator(make_bot) -> None:
    """Alice is an administrator too: she gets her 已更新 only; a no-op edit and a new name tell nobody."""
    async with make(make_bot, f"{ADMIN},{ALICE}") as bot:
        alice = await setup(bot, "single", 8, SUP)
        assert (await set_form(alice, "single")).plain_text.startswith("已更新")
        assert (await set_members(alice, 8)).startswith("已更新")
        prompt = await alice.press(await alice.send("/branch"), "b:edit:name")
        assert "支部名称" in prompt.plain_text
        assert (await alice.send("第二党支部")).plain_text.startswith("已更新")
        for user_id in (ADMIN, SUP):
            await bot.emulator.expect_no_message(user_id)
        assert (await set_form(alice, "attached")).plain_text.startswith("已更新")
        for user_id in (ADMIN, SUP):
            assert (
                "单独组建 → 挂靠建" in (await bot.emulator.wait_for_message(user_id, timeout=10)).plain_text
            )
        await bot.emulator.expect_no_message(ALICE)  # not told of her own change


async def test_the_unit_count_is_told_when_it_breaks_the_five_unit_rule(make_bot) -> None:
    async with make(make_bot) as bot:
        alice = await setup(bot, "joint", 2, SUP)
        ask = await alice.press(await alice.send("/branch"), "b:edit:units")
        assert "联合单位数" in ask.plain_text
        assert (await alice.send("3")).plain_text.startswith("已更新")  # conforms: nothing to tell
        await bot.emulator.expect_no_message(SUP)
        await alice.press(await alice.send("/branch"), "b:edit:units")
        assert (await alice.send("6")).plain_text.startswith("已更新")
        text = await notice(bot, SUP)
        assert "联合单位数：3 → 6" in text and "联合党组织覆盖单位数不超过5个，现在是6个。" in text, text


async def test_failed_notices_neither_fail_the_edit_nor_stop_the_others(make_bot) -> None:
    """ADMIN's notice fails with 500 on every try, ADMIN2's gets a 429 once, SUP blocked the bot, SUP2's gets a
    502 once: the secretary's edit is saved and confirmed, ADMIN2 and SUP2 are told, no handler fails."""
    async with make(make_bot, f"{ADMIN},{ADMIN2}") as bot:
        alice = await setup(bot, "single", 8, SUP, SUP2)
        emulator = bot.emulator
        emulator.fail_next("sendMessage", status=500, count=3, chat_id=ADMIN)
        emulator.fail_next("sendMessage", status=429, retry_after=1, chat_id=ADMIN2)
        emulator.fail_next("sendMessage", status=502, chat_id=SUP2)
        bot.user(SUP).block()
        assert (await set_form(alice, "attached")).plain_text.startswith("已更新")
        for user_id in (ADMIN2, SUP2):
            assert "单独组建 → 挂靠建" in await notice(bot, user_id)
        assert len([c for c in emulator.calls_to("sendMessage") if c.params.get("chat_id") == ADMIN]) == 3
        assert emulator.messages(ADMIN) == [] and emulator.messages(SUP) == []
        async with bot.services.session_factory() as session:
            assert (await session.scalars(select(Branch.form))).all() == ["attached"]
        assert (await set_members(alice, 2)).startswith("已更新")  # the secretary carries on
        assert "正式党员人数：8 → 2" in await notice(bot, SUP2)
