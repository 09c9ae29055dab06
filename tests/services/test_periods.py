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
    ],
)
def test_parse_period(text, code, start, end):
    period = parse_period(text)
    assert (period.code, period.start, period.end) == (code, start, end)


@pytest.mark.parametrize(
    "text", ["", "2026-13", "2026-Q5", "26-11", "2026/11", "next month", "1999", "2026-00"]
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
