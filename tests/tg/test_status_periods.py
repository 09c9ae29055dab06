"""/status's switch buttons offer the period that has just closed: 上季度 always, 上年度 in a year's first quarter."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

from handlers.services.clock import SHANGHAI, FixedClock
from handlers.tg.status import period_keyboard


def buttons(day: date, code: str) -> list[list[tuple[str, str]]]:
    clock = FixedClock(datetime(day.year, day.month, day.day, 9, 0, tzinfo=SHANGHAI))
    context = SimpleNamespace(services=SimpleNamespace(clock=clock), application=SimpleNamespace(bot_data={}))
    markup = period_keyboard(context, code)
    return [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard]


def test_on_the_first_of_april_the_closed_first_quarter_is_a_button():
    assert buttons(date(2026, 4, 1), "2026-04") == [
        [("• 本月", "st:2026-04"), ("上月", "st:2026-03")],
        [("本季度", "st:2026-Q2"), ("上季度", "st:2026-Q1")],
    ]


def test_in_january_the_closed_year_and_quarter_are_buttons():
    assert buttons(date(2027, 1, 2), "2026") == [
        [("本月", "st:2027-01"), ("上月", "st:2026-12")],
        [("本季度", "st:2027-Q1"), ("上季度", "st:2026-Q4"), ("• 上年度", "st:2026")],
    ]
