"""/reminders names the year of a next reminder that falls in another year: on 4 December, after the yearly
述职评议 is muted for this year, its next reminder is 1 December of the next year, which without the year reads
like a date already past."""

from __future__ import annotations

from datetime import datetime

import pytest

from handlers.services.clock import SHANGHAI, FixedClock
from tests.tg.test_e2e_reminders import ALICE, bot_options, join

DEC_4 = datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(DEC_4)


def next_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("下次提醒：")]


async def test_a_next_reminder_in_another_year_shows_the_year(make_bot, clock, db_url) -> None:
    async with make_bot(**bot_options(clock, db_url)) as bot:
        alice = await join(bot, ALICE)
        status = await alice.send("/reminders")
        asked = await alice.press_in_place(status, "rm:mute:review")
        await alice.press(asked, "rm:mute:review:p")
        done = await alice.send("今年已在11月开展述职评议")
        assert done.plain_text.startswith("🔕 已免提醒：述职评议")

        status = await alice.send("/reminders")
        lines = next_lines(status.plain_text)
        assert "下次提醒：2027年12月1日（周三）09:00，2027年度首次提醒" in lines, lines
        # This year's reminders keep the short date.
        assert all(line.startswith("下次提醒：12月") for line in lines if "2027年度" not in line), lines
