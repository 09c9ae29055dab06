"""A reminder on its period's last evening is not left to lapse in the quiet hours (an earlier reviewer's
finding): through the real application and the Bot API emulator, a retry that would have waited for 08:00 on
1 October (National Day, September and the third quarter over) comes at 20:58 on 30 September; a secretary who
joins at 22:00 on the last day is planned nothing that could only go once the period is over."""

from __future__ import annotations

from datetime import datetime

from handlers.services.clock import SHANGHAI, FixedClock
from handlers.services.reminders import SenderOptions
from tests.tg.test_e2e_reminders import ALICE, bot_options, deliveries, join, reminder, runner, tick


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


async def test_a_retry_on_the_last_evening_comes_before_the_quiet_hours(make_bot, db_url) -> None:
    clock = FixedClock(at(2026, 9, 30, 20, 40))
    async with make_bot(**bot_options(clock, db_url)) as bot:
        alice = await join(bot, ALICE)
        runner(bot).sender.options = SenderOptions(backoff=(1800.0,), linger=0.0)
        bot.emulator.fail_next("sendMessage", status=502, count=2)
        report = await tick(bot)
        assert (report.sent, report.retrying) == (0, 2)
        assert (await tick(bot, at(2026, 9, 30, 20, 57))).sent == 0  # the retry waits for the last call
        report = await tick(bot, at(2026, 9, 30, 20, 58))
        assert report.sent == 2
        await reminder(alice, "最后提醒：2026年9月即将截止")
        await reminder(alice, "最后提醒：2026年第三季度即将截止")
        assert {d.status for d in await deliveries(bot)} == {"sent"}


async def test_a_secretary_who_joins_on_the_last_night_is_planned_nothing_for_the_closing_periods(
    make_bot, db_url
) -> None:
    clock = FixedClock(at(2026, 3, 31, 22))
    async with make_bot(**bot_options(clock, db_url)) as bot:
        alice = await join(bot, ALICE)
        assert (await tick(bot)).sent == 0
        assert await deliveries(bot) == []  # they were planned for 08:00 and skipped then, "period closed"
        assert (await tick(bot, at(2026, 4, 1, 8))).sent == 0
        assert [m for m in bot.emulator.messages(alice.id) if "📋" in (m.plain_text or "")] == []
