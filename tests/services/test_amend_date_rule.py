"""The rule of 修改日期 (``amend_rules.date_problem``): a day within the record's month, not ahead."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from handlers.services.amend_rules import date_problem

RECORD = SimpleNamespace(held_on=date(2026, 10, 30))  # a quarterly kind's record, its quarter Q4


@pytest.mark.parametrize(
    ("held_on", "problem"),
    [
        (date(2026, 10, 1), None),
        (date(2026, 10, 31), None),
        (date(2026, 11, 2), "日期只能在原来的月份（2026年10月）之内修改"),  # same quarter, another month
        (date(2025, 10, 30), "日期只能在原来的月份"),
        (date(2026, 11, 23), "活动日期不能晚于今天"),
    ],
)
def test_within_the_month_and_not_ahead(held_on: date, problem: str | None) -> None:
    said = date_problem(RECORD, held_on, date(2026, 11, 22))  # type: ignore[arg-type]
    assert said is None if problem is None else problem in (said or "")
