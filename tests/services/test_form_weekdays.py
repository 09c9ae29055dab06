"""Dates by weekday as secretaries say them: 上周五, 上周三, 本周一, 周五."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.services.dates import parse_date
from handlers.services.form.model import Input, Step
from handlers.services.form.steps import apply_input

MONDAY = date(2026, 11, 23)
STUDY = {"kind": "joint_study"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("上周五", date(2026, 11, 20)),
        ("上周三", date(2026, 11, 18)),
        ("上星期一", date(2026, 11, 16)),
        ("上个礼拜日", date(2026, 11, 22)),
        ("上上周五", date(2026, 11, 13)),
        ("本周一", date(2026, 11, 23)),
        ("周五", date(2026, 11, 20)),  # alone: the latest Friday up to today
        ("星期一", date(2026, 11, 23)),
    ],
)
def test_weekdays(text: str, expected: date) -> None:
    assert parse_date(text, MONDAY) == expected


def test_the_date_step_takes_last_friday() -> None:
    result = apply_input(Step.DATE, STUDY, Input(text="上周五"), MONDAY)
    assert result.data["held_on"] == "2026-11-20"
