"""Dates as secretaries type them."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.services.dates import DateInputError, parse_date

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今天", date(2026, 11, 22)),
        ("昨天", date(2026, 11, 21)),
        ("前天", date(2026, 11, 20)),
        ("2026-11-20", date(2026, 11, 20)),
        ("2026/11/20", date(2026, 11, 20)),
        ("2026.11.20", date(2026, 11, 20)),
        ("2026年11月20日", date(2026, 11, 20)),
        ("11月20日", date(2026, 11, 20)),
        ("11月20号", date(2026, 11, 20)),
        ("11.20", date(2026, 11, 20)),
        ("20号", date(2026, 11, 20)),
        ("２０号", date(2026, 11, 20)),
        ("十一月二十日", date(2026, 11, 20)),
        ("二〇二六年十一月一日", date(2026, 11, 1)),
        ("31号", date(2026, 10, 31)),  # no 31 November: last month's
        ("12月28日", date(2025, 12, 28)),  # a day still to come this year means last year's
    ],
)
def test_understood(text, expected):
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["", "abc", "明天见", "2026-02-30", "13月1日", "11月"])
def test_refused_with_a_chinese_hint(text):
    with pytest.raises(DateInputError) as exc:
        parse_date(text, TODAY)
    assert any("\u4e00" <= c <= "\u9fff" for c in str(exc.value))


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("4月2日", date(2026, 4, 1), date(2026, 4, 2)),  # tomorrow: ahead (the form refuses it as such)
        ("4月1日", date(2026, 3, 31), date(2026, 4, 1)),
        ("12月28日", date(2027, 1, 2), date(2026, 12, 28)),  # last December, as before
    ],
)
def test_a_date_just_ahead_is_not_read_as_last_years(text, today, expected):
    assert parse_date(text, today) == expected


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("12月2号下午", date(2026, 12, 2)),
        ("前天上午9点", date(2026, 12, 2)),
        ("12-02 14:30", date(2026, 12, 2)),
        ("今天下午", date(2026, 12, 4)),
        ("12月2日晚上8点半", date(2026, 12, 2)),
        ("2026-12-01 上午10：00", date(2026, 12, 1)),
    ],
)
def test_a_time_of_day_after_the_date_is_left_out(text: str, day: date) -> None:
    """helper-70's review: 12月2号下午 was refused."""
    assert parse_date(text, date(2026, 12, 4)) == day


def test_a_time_of_day_alone_is_no_date() -> None:
    with pytest.raises(DateInputError):
        parse_date("下午", date(2026, 12, 4))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Tester's findings, on Sunday 2026-11-22: each was "没看懂这个日期".
        ("昨天下午三点", date(2026, 11, 21)),
        ("11月20日周五", date(2026, 11, 20)),
        ("2026年11月20日（周五）", date(2026, 11, 20)),
        ("11月20日 星期五", date(2026, 11, 20)),
        ("11月20号礼拜五", date(2026, 11, 20)),
        ("11月20日 下午两点", date(2026, 11, 20)),
        ("11月20日晚7点", date(2026, 11, 20)),
        ("11月20日晚上七点半", date(2026, 11, 20)),
        ("11月20日19点", date(2026, 11, 20)),
        ("11月20日周五下午3点", date(2026, 11, 20)),
        ("大前天", date(2026, 11, 19)),
        ("昨晚", date(2026, 11, 21)),
        ("昨晚7点", date(2026, 11, 21)),
        ("昨晚上八点", date(2026, 11, 21)),
        ("今晚", date(2026, 11, 22)),
        ("今早", date(2026, 11, 22)),
        ("前晚", date(2026, 11, 20)),
        ("本月20号", date(2026, 11, 20)),
        ("这个月20号", date(2026, 11, 20)),
        ("本月二十日", date(2026, 11, 20)),
        ("上个月30号", date(2026, 10, 30)),
        ("上月30号", date(2026, 10, 30)),
        ("上个月31号", date(2026, 10, 31)),
        ("上周五下午", date(2026, 11, 13)),  # a weekday alone still reads as before (weeks start on Monday)
        ("周五", date(2026, 11, 20)),
    ],
)
def test_more_wordings(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("明天", date(2026, 11, 23)), ("明晚7点", date(2026, 11, 23)), ("后天", date(2026, 11, 24))]
    + [("大后天", date(2026, 11, 25)), ("下周三", date(2026, 11, 25)), ("下下周一", date(2026, 11, 30))],
)
def test_a_day_ahead_is_read_as_the_date_it_is(text: str, expected: date) -> None:
    """The form then says a date ahead is refused (活动日期不能晚于今天), not that it was not understood."""
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "today", "message"),
    [
        ("本月31号", date(2026, 11, 22), "11月只有30天，没有31号"),
        ("上月30号", date(2026, 3, 10), "2月只有28天，没有30号"),
    ],
)
def test_a_day_the_month_does_not_have(text: str, today: date, message: str) -> None:
    with pytest.raises(DateInputError, match=message):
        parse_date(text, today)


@pytest.mark.parametrize("text", ["下午三点", "周五下午三点星期五", "19点"])
def test_a_time_or_weekday_alone_is_no_date(text: str) -> None:
    with pytest.raises(DateInputError):
        parse_date(text, TODAY)
