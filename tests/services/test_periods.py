"""Period codes: month, quarter, year; the slots of a cadence in a view."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.services.periods import cadence_of, finer_or_equal, parse_period, period_label, slots
from knowledge.activities import Cadence


@pytest.mark.parametrize(
    ("text", "code", "start", "end"),
    [
        ("2026-11", "2026-11", date(2026, 11, 1), date(2026, 11, 30)),
        ("2026-2", "2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        (" 2026-Q4 ", "2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026q1", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026", "2026", date(2026, 1, 1), date(2026, 12, 31)),
        # helper-104's re-review: refused before
        ("2026/10", "2026-10", date(2026, 10, 1), date(2026, 10, 31)),
        ("2026.10", "2026-10", date(2026, 10, 1), date(2026, 10, 31)),
        ("Q4 2026", "2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
    ],
)
def test_parse_period(text, code, start, end):
    period = parse_period(text)
    assert (period.code, period.start, period.end) == (code, start, end)


@pytest.mark.parametrize(
    "text", ["", "2026-13", "2026-Q5", "26-11", "2026/11/20", "Q5 2026", "next month", "1999", "2026-00"]
)
def test_parse_period_refuses_in_chinese(text):
    with pytest.raises(ValueError) as error:
        parse_period(text)
    assert "2026-Q4" in str(error.value) and "期间" in str(error.value)


def test_slots_of_a_view():
    quarter = parse_period("2026-Q4")
    assert [s.code for s in slots(Cadence.MONTHLY, quarter)] == ["2026-10", "2026-11", "2026-12"]
    assert [s.code for s in slots(Cadence.QUARTERLY, quarter)] == ["2026-Q4"]
    assert [s.code for s in slots(Cadence.YEARLY, quarter)] == ["2026"]
    month = parse_period("2026-11")
    assert [s.code for s in slots(Cadence.QUARTERLY, month)] == ["2026-Q4"]
    assert len(slots(Cadence.MONTHLY, parse_period("2026"))) == 12
    assert cadence_of(quarter) is Cadence.QUARTERLY and cadence_of(month) is Cadence.MONTHLY
    assert finer_or_equal(Cadence.MONTHLY, quarter) and not finer_or_equal(Cadence.YEARLY, quarter)


def test_period_label_reads_a_stored_code_and_keeps_an_unknown_one() -> None:
    assert [period_label(c) for c in ("2026-12", "2026-Q4", "2026")] == [
        "2026年12月",
        "2026年第四季度",
        "2026年度",
    ]
    assert period_label("旧数据") == "旧数据"


# helper-96's review: /status refused the periods the way the bot itself writes them (看不懂期间).
@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2026年10月", "2026-10"),
        ("2026年第四季度", "2026-Q4"),
        ("2026年度", "2026"),
        ("2026年", "2026"),
        ("2026年四季度", "2026-Q4"),
        ("2026年Q4", "2026-Q4"),
        ("2026年十一月", "2026-11"),
        ("2026 Q4", "2026-Q4"),  # /status 2026 Q4: every word, not the first one only
        (" 2026 年 10 月 ", "2026-10"),
        ("２０２６－１１", "2026-11"),  # full-width digits and hyphen
        ("２０２６年第４季度", "2026-Q4"),
        ("２０２６ｑ１", "2026-Q1"),
    ],
)
def test_parse_period_reads_the_bots_own_wording(text, code):
    assert parse_period(text).code == code
    assert parse_period(parse_period(text).label).code == code  # the bot's label reads back as the period


TODAY = date(2027, 1, 5)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("本月", "2027-01"),
        ("上月", "2026-12"),
        ("上个月", "2026-12"),
        ("本季度", "2027-Q1"),
        ("上季度", "2026-Q4"),
        ("今年", "2027"),
        ("去年", "2026"),
        ("上年度", "2026"),
        ("1月", "2027-01"),
        ("11月", "2026-11"),  # a month without its year: the latest one that has begun
        ("十二月", "2026-12"),
        ("１２月", "2026-12"),
        ("第一季度", "2027-Q1"),
        ("第四季度", "2026-Q4"),
        ("Q4", "2026-Q4"),
    ],
)
def test_parse_period_reads_short_forms_from_today(text, code):
    assert parse_period(text, TODAY).code == code


def test_short_forms_need_today_and_junk_is_refused_with_examples():
    with pytest.raises(ValueError, match="具体期间"):
        parse_period("上月")  # the CLI has no "today" to count from
    for junk in ("2026 foo", "下下个月", "13月"):
        with pytest.raises(ValueError) as error:
            parse_period(junk, TODAY)
        message = str(error.value)
        assert "2026-11" in message and "2026年第四季度" in message and "上月" in message, message
