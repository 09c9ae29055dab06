"""A reminder whose answer is slow (Telegram took it, then answered 6.5 s later) is waited for, not sent again
(helper-85's review: PTB's 5 s read time-out made it a retried "timeout" and the secretary got it twice)."""

from __future__ import annotations

from tests.tg.test_e2e_reminders import ALICE, bot_options, clock, deliveries, join, tick

__all__ = ["clock"]  # the fixed clock fixture, 1 June 2026


async def test_a_slow_answer_is_not_a_second_reminder(make_bot, clock, db_url) -> None:
    async with make_bot(**bot_options(clock, db_url)) as bot:
        alice = await join(bot, ALICE)
        bot.emulator.skip_messages(alice.id)
        bot.emulator.delay_next("sendMessage", 6.5, before=False)  # delivered, answered late
        report = await tick(bot)
        assert (report.sent, report.failed) == (2, 0)
        await tick(bot, clock.current.replace(minute=10))  # a later run retries nothing
        texts = [m.plain_text for m in bot.emulator.messages(alice.id) if m.kind == "send"]
        opening = [t for t in texts if t.startswith("📋 2026年6月待完成")]
        assert len(opening) == 1, texts
        assert {d.status for d in await deliveries(bot)} == {"sent"}
