"""The date step's examples are built from the form's today, so typing one is never refused."""

from __future__ import annotations

import re
from datetime import date

import pytest

from handlers.services.dates import DateInputError, parse_date
from handlers.services.form.model import Input, Step
from handlers.services.form.prompts import prompt
from handlers.services.form.steps import apply_input
from knowledge.activities import activity_by_code


@pytest.mark.parametrize("kind", ["theme_day", "joint_study"])
@pytest.mark.parametrize("today", [date(2026, 6, 22), date(2027, 1, 1), date(2026, 3, 1), date(2026, 12, 31)])
def test_every_example_of_the_date_prompt_is_accepted(kind: str, today: date) -> None:
    # Tester's finding: on 22 June the fixed example 2026-11-20 was refused as a date ahead.
    reply = prompt(Step.DATE, activity_by_code(kind), {"kind": kind}, today)
    found = re.search(r"如 (.+)。", reply.text)
    assert found, reply.text
    examples = found.group(1).split("、")
    assert examples == [f"{today:%Y-%m-%d}", f"{today.month}月{today.day}日", f"{today.day}号"]
    for example in examples:
        result = apply_input(Step.DATE, {"kind": kind}, Input(text=example), today)
        assert result.data["held_on"] == today.isoformat(), example


def test_the_refusal_of_an_unread_date_gives_examples_of_today() -> None:
    with pytest.raises(DateInputError) as info:
        parse_date("abc", date(2026, 6, 22))
    assert "2026-06-22、6月22日、22号" in str(info.value)
    assert "2026-11-20" not in str(info.value)
