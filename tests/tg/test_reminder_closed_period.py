"""A reminder's 📝 button tapped after its period closed (June's reminder, in July) says so: which period a record
dated today counts for, and how to record the closed one late (helper-85's review: nothing said so, and 今天 put
the record in July while June stayed missing)."""

from __future__ import annotations

from tests.tg.test_e2e_reminders import ALICE, JULY_1, bot_options, clock, join, reminder, tick

__all__ = ["clock"]  # the fixed clock fixture, 1 June 2026

NOTE = "提示：这个提醒说的是2026年6月，已经截止。补登那时开展的活动，请填写实际日期（如 6月30日）；今天开展的活动计入2026年7月。"


async def test_a_june_button_in_july_says_june_closed(make_bot, clock, db_url) -> None:
    async with make_bot(**bot_options(clock, db_url)) as bot:
        alice = await join(bot, ALICE)
        await tick(bot)
        opening = await reminder(alice, "2026年6月待完成")
        await reminder(alice, "2026年第二季度")
        bot.emulator.skip_messages(alice.id)
        assert "rm:new:theme_day:2026-06" in [b["callback_data"] for b in opening.buttons]
        prompt = await alice.press(opening, "rm:new:theme_day:2026-06")  # in June: the plain prompt
        assert prompt.plain_text.startswith("【主题党日】活动是哪天开展的？"), prompt.plain_text
        await alice.send("/cancel")
        bot.services.clock.current = JULY_1.replace(day=2)
        late = await alice.press(opening, "rm:new:theme_day:2026-06")
        assert late.plain_text.startswith(NOTE), late.plain_text
        assert "【主题党日】活动是哪天开展的？" in late.plain_text
        await alice.send("/cancel")
        alice.user.press(opening, "rm:new:theme_day", check=False)  # a button from before periods were kept
        old = await alice.reply()
        assert old.plain_text.startswith("【主题党日】活动是哪天开展的？"), old.plain_text
