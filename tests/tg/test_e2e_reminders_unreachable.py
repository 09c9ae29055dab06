"""An administrator's /reminders reports a reminder Telegram refused (the secretary blocked the bot) as
undelivered, consistent with /branches, which marks the secretary unreachable (review 12, defect 4)."""

from __future__ import annotations

from tests.tg.test_e2e_forms import Chat
from tests.tg.test_e2e_reminders import ADMIN, ALICE, BOB, bot_options, clock, join, tick

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
        assert "• 第二党支部 · 2026年6月开始提醒（" in text and "仍无法联系，提醒已暂停" in text
        assert "对方已屏蔽机器人或注销了账号" in text
        assert "第一党支部" not in text

        bob.user.unblock()
        await bob.send("/start")
        await bob.reply()
        text = (await admin.send("/reminders")).plain_text
        assert "已重新发送 /start，提醒已恢复" in text
