"""Absentees on one line: 姓名（原因） pairs, and comma-separated people when as many as were absent."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.services.form.absentees import parse_absentees
from handlers.services.form.model import Input, InputError, Step
from handlers.services.form.steps import apply_input

TODAY = date(2026, 11, 20)
TWO_ABSENT = {"kind": "theme_day", "expected": 8, "actual": 6}
ONE_ABSENT = {"kind": "theme_day", "expected": 8, "actual": 7}


def _people(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"name": name, "reason": reason} for name, reason in pairs]


@pytest.mark.parametrize(
    ("text", "people"),
    [
        # Tester's findings: both were stored as one person.
        ("张三出差，李四病假", _people(("张三", "出差"), ("李四", "病假"))),
        ("张三（出差）李四（病假）", _people(("张三", "出差"), ("李四", "病假"))),
        ("张三(出差), 李四(病假)", _people(("张三", "出差"), ("李四", "病假"))),
        ("张三、李四", _people(("张三", "未说明"), ("李四", "未说明"))),
        ("张三 出差，李四 病假", _people(("张三", "出差"), ("李四", "病假"))),
        ("张三 出差\n李四 病假", _people(("张三", "出差"), ("李四", "病假"))),
        ("张三 出差\n李四", _people(("张三", "出差"), ("李四", "未说明"))),
    ],
)
def test_two_absent_on_one_line_or_two(text: str, people: list[dict[str, str]]) -> None:
    result = apply_input(Step.ABSENTEES, TWO_ABSENT, Input(text=text), TODAY)
    assert result.data["absentees"] == people


@pytest.mark.parametrize(
    ("text", "people"),
    [
        (
            "张三 出差，下午回来",
            _people(("张三", "出差，下午回来")),
        ),  # one absent: the comma is in the reason
        ("张三：病假", _people(("张三", "病假"))),
        ("张三出差", _people(("张三", "出差"))),
    ],
)
def test_one_absent_keeps_the_line_whole(text: str, people: list[dict[str, str]]) -> None:
    result = apply_input(Step.ABSENTEES, ONE_ABSENT, Input(text=text), TODAY)
    assert result.data["absentees"] == people


def test_pairs_beyond_the_absent_count_are_still_too_many() -> None:
    with pytest.raises(InputError, match="缺席的是 1 人"):
        apply_input(Step.ABSENTEES, ONE_ABSENT, Input(text="张三（出差）李四（病假）"), TODAY)


def test_without_an_absent_count_pairs_are_still_read() -> None:
    assert parse_absentees("张三（出差）李四（病假）") == _people(("张三", "出差"), ("李四", "病假"))


@pytest.mark.parametrize(
    ("text", "people"),
    [
        # Found driving the form through the emulator (stop 29).
        ("张三、李四请假", _people(("张三", "请假"), ("李四", "请假"))),  # names before one reason share it
        ("张三 出差 李四 病假", _people(("张三", "出差"), ("李四", "病假"))),  # names and reasons in turn
        ("1. 张三 出差\n2. 李四 病假", _people(("张三", "出差"), ("李四", "病假"))),  # a numbered list
        ("@张三 出差\n@李四", _people(("张三", "出差"), ("李四", "未说明"))),
        ("小王因公出差，全红出差3天", _people(("小王", "因公出差"), ("全红", "出差3天"))),
    ],
)
def test_lists_shared_reasons_and_reasons_that_run_on(text: str, people: list[dict[str, str]]) -> None:
    result = apply_input(Step.ABSENTEES, TWO_ABSENT, Input(text=text), TODAY)
    assert result.data["absentees"] == people


@pytest.mark.parametrize("text", ["都请假了", "全部出差", "大家都有事"])
def test_a_reason_said_of_everyone_asks_for_the_names(text: str) -> None:
    with pytest.raises(InputError, match="请写出缺席人员的姓名") as caught:
        apply_input(Step.ABSENTEES, TWO_ABSENT, Input(text=text), TODAY)
    assert caught.value.skip_hint == "不填写"
