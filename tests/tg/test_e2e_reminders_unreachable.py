"""An administrator's /reminders reports a reminder Telegram refused (the secretary blocked the bot) as
undelivered, consistent with /branches, which marks the secretary unreachable (review 12, defect 4)."""

from __future__ import annotations

from tests.tg.forms_world import Chat
from tests.tg.test_e2e_reminders import (
    ADMIN,
    ALICE,
    BOB,
    bot_options,
    clock,
    deliveries,
    join,
    reminder,
    tick,
)

__all__ = ["clock"]  # the fixture, shared


async def test_a_blocked_secretary_shows_in_the_administrators_reminders(make_bot, clock) -> None:
    async with make_bot(**bot_options(clock, admin=True)) as bot:
        admin = Chat(bot, bot.user(ADMIN, "管理员"))
        await join(bot, ALICE)
        bob = await join(bot, BOB, "第二党支部")
        bob.user.block()
        report = await tick(bot)
        assert report.failed == 1
        bot.emulator.skip_messages(ADMIN)  # May's digest

        branches = (await admin.send("/branches")).plain_text.splitlines()
        assert "无法联系" in branches[1]
        text = (await admin.send("/reminders")).plain_text
        assert "没有发送失败的提醒" not in text
        assert text.startswith("🚫 无法送达的提醒（最近 1 条）："), text
        assert "• 第二党支部 · 2026年6月首次提醒（" in text and "仍无法联系，提醒已暂停" in text
        assert "对方已屏蔽机器人或注销了账号" in text
        assert "第一党支部" not in text

        bob.user.unblock()
        await bob.send("/start")
        await bob.reply()
        text = (await admin.send("/reminders")).plain_text
        assert "已重新发送 /start，提醒已恢复" in text


async def test_a_secretary_who_replaces_a_blocked_one_gets_the_missed_reminder(
    make_bot, clock, db_url
) -> None:
    """June's opening note and the quarter's nudge never reached Bob (he had blocked the bot). Dave, invited in his place, gets it at the
    next tick, for his own chat and with what the branch owes, once; Alice's, delivered, is not sent again
    (helper-85's review: the new secretary heard nothing until the nudge three weeks later)."""
    dave_id = 820_004
    async with make_bot(**bot_options(clock, db_url)) as bot:
        await join(bot, ALICE)
        bob = await join(bot, BOB, "第二党支部")
        bob.user.block()
        assert ((report := await tick(bot)).sent, report.failed) == (2, 1)  # Alice's two; Bob's refused
        bot.emulator.skip_messages(ALICE)
        branch = await bot.services.branches.of_user(BOB)
        invitation = await bot.services.branches.invite(branch.id, created_by=ADMIN)
        dave = Chat(bot, bot.user(dave_id, "丁"))
        assert "您已成为" in (await dave.send(f"/start {invitation.code}")).plain_text

        planned = await bot.services.planner.plan_preview()
        expected = [(dave_id, "2026-06", "open"), (dave_id, "2026-Q2", "nudge")]
        assert [(p.chat_id, p.period, str(p.stage)) for p in planned] == expected
        report = await tick(bot)
        assert (report.sent, report.failed) == (2, 0)
        assert "主题党日" in (await reminder(dave, "2026年6月")).plain_text
        assert "观摩交流" in (await reminder(dave, "第二季度")).plain_text
        assert (await tick(bot)).sent == 0  # once
        rows = [d for d in await deliveries(bot) if d.branch_id == branch.id]
        assert [(d.chat_id, d.status, d.attempts) for d in rows] == [(dave_id, "sent", 1)] * 2
        await bot.emulator.expect_no_message(ALICE, within=0.2)
