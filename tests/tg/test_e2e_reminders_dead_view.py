"""An administrator's /reminders after a Telegram 5xx outage: branch names, Chinese period labels, the kinds and
a Chinese reason; never ids, raw codes or English (review 13, defect 2)."""

from __future__ import annotations

from datetime import timedelta

from tests.tg.forms_world import Chat
from tests.tg.test_e2e_reminders import ADMIN, ALICE, JUNE_1, bot_options, clock, join, tick

__all__ = ["clock"]  # the fixture, shared


async def test_dead_deliveries_are_worded_in_chinese(make_bot, clock) -> None:
    async with make_bot(**bot_options(clock, admin=True), check_errors=False) as bot:
        admin = Chat(bot, bot.user(ADMIN, "王书记"))
        # Added in May, so May's digest is due on 1 June too.
        bot.services.clock.current = JUNE_1 - timedelta(days=30)
        await join(bot, ALICE, "五百支部")
        bot.emulator.fail_next("sendMessage", status=502, count=100)
        for seconds in (0, 11, 75, 7 * 60, 40 * 60):  # 10 s, 1 min, 5 min, 30 min: then dead
            await tick(bot, JUNE_1 + timedelta(seconds=seconds))
        bot.emulator.clear_faults()
        text = (await admin.send("/reminders")).plain_text
    assert text.startswith("📮 发送失败的提醒（最近 3 条，重试已用完）："), text
    assert "• 五百支部 · 2026年6月首次提醒（主题党日、支部委员会、党小组会、党组织与管理层集体学习）" in text
    assert "• 五百支部 · 2026年第二季度中期提醒（党员大会、党课、观摩交流）" in text
    assert "• 管理员 王书记（您） · 2026年5月月度汇总" in text
    assert "尝试 5 次，最后一次 6月1日 09:" in text and "网络错误或 Telegram 服务器暂时故障" in text
    for raw in ("支部 1", "2026-06", "2026-Q2", "900001", "network", "5xx"):
        assert raw not in text, raw
