"""Everyday wording the form accepts: Chinese numerals for attendance, a count with its unit (3人)."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.services.form.model import Input, InputError
from handlers.services.form.steps import apply_input, parse_attendance

MONDAY = date(2026, 11, 23)
STUDY = {"kind": "joint_study"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("应到八人，实到七人", (8, 7)),
        ("实到七人，应到八人", (8, 7)),
        ("应到十二人 实到十人", (12, 10)),
        ("应到二十人，实到十九人", (20, 19)),
        ("八 七", (8, 7)),
        ("应到8人，实到7人，大家一起学习", (8, 7)),  # 一 in 一起 is not a number
        ("应到8人，实到7人，一人请假", (8, 7)),  # the absent one, in words beside digits, is no third count
    ],
)
def test_attendance_in_chinese_numerals(text: str, expected: tuple[int, int]) -> None:
    assert parse_attendance(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("应到8人，一人请假", (8, 7)),
        ("应到八人，一人请假", (8, 7)),
        ("全体十人，缺席两人", (10, 8)),
        ("应到8人，缺席1人", (8, 7)),
        # helper-92's review: 实到7人，缺1人 was stored as 应到7, 实到1 (and six absentees were asked for).
        ("实到7人，缺1人", (8, 7)),
        ("7人参加，2人请假", (9, 7)),
        ("应到8人，2人请假，其余到齐", (8, 6)),  # refused before two counts gave the third
    ],
)
def test_a_count_of_the_absent_is_never_taken_for_those_present(text: str, expected: tuple[int, int]) -> None:
    # Review finding: "应到8人，一人请假" was stored as 实到 1; two counts of the three give the third.
    assert parse_attendance(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("到会7人，应到8人", (8, 7)),
        ("应出席8人，出席7人", (8, 7)),
        ("应到8人 7人", (8, 7)),
        ("7 应到8人", (8, 7)),
    ],
)
def test_labels_say_which_count_is_which(text: str, expected: tuple[int, int]) -> None:
    # helper-92's review: 到会7人，应到8人 got "实到人数（8）不能多于应到人数（7）", the reverse of what was written.
    assert parse_attendance(text) == expected


@pytest.mark.parametrize("text", ["应到8人，缺席9人", "应到8人，没有到齐", "实到7人", "应到8人，应到7人"])
def test_counts_that_do_not_add_up_are_refused(text: str) -> None:
    with pytest.raises(InputError):
        parse_attendance(text)


def test_one_number_in_words_is_still_refused() -> None:
    with pytest.raises(InputError, match="请发送两个数字"):
        parse_attendance("来了六个人")  # how many were expected is not said


@pytest.mark.parametrize(
    ("text", "expected"),
    [("八个人都到了", (8, 8)), ("8人全到", (8, 8)), ("全到了，8个人", (8, 8))]
    + [("到了7个，总共8个", (8, 7)), ("一共8人，来了7人", (8, 7)), ("到场6人，共有8人", (8, 6))],
)
def test_everyone_with_one_count_and_more_words_for_the_counts(text: str, expected: tuple[int, int]) -> None:
    """Found driving the form through the emulator (stop 29): 全到了，8个人 got 请发送两个数字, and 到了7个，总共8个 was
    read by position as 应到7, 实到8 and refused. One count said to be everyone is both counts."""
    assert parse_attendance(text) == expected


@pytest.mark.parametrize(("text", "value"), [("3", 3), ("3人", 3), ("3 人", 3), ("三人", 3), ("十二名", 12)])
def test_a_count_with_its_unit(text: str, value: int) -> None:
    result = apply_input("field:managers", STUDY, Input(text=text), MONDAY)
    assert result.data["details"]["managers"] == value


@pytest.mark.parametrize("text", ["三四人", "几个", "3人5人"])
def test_not_a_count(text: str) -> None:
    with pytest.raises(InputError, match="请发送一个数字"):
        apply_input("field:managers", STUDY, Input(text=text), MONDAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("应到１０人，实到８人", (10, 8)), ("１０ ８", (10, 8)), ("实到８人，应到１０人", (10, 8))],
)
def test_attendance_in_full_width_digits(text: str, expected: tuple[int, int]) -> None:
    # Tester's finding: a full-width input method's 应到１０人，实到８人 got "请发送两个数字".
    assert parse_attendance(text) == expected


@pytest.mark.parametrize(("text", "value"), [("３", 3), ("３人", 3), ("１２名", 12)])
def test_a_count_in_full_width_digits(text: str, value: int) -> None:
    result = apply_input("field:managers", STUDY, Input(text=text), MONDAY)
    assert result.data["details"]["managers"] == value


def test_a_superscript_is_still_no_count() -> None:
    with pytest.raises(InputError, match="请发送一个数字"):
        apply_input("field:managers", STUDY, Input(text="³"), MONDAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("应到10人，实到8人，2人请假", (10, 8)),
        ("应到10人 实到8人（2人请假）", (10, 8)),
        ("实到8人，应到10人，其中2人出差", (10, 8)),
        ("应到十人，实到八人，两人请假", (10, 8)),
        ("应到8人，全部到齐", (8, 8)),
        ("应到8人全到", (8, 8)),
        ("应到八人，都到了", (8, 8)),
        ("8 7", (8, 7)),
    ],
)
def test_the_labelled_counts_are_read_and_other_numbers_left(text: str, expected: tuple[int, int]) -> None:
    # Tester's finding: 应到10人，实到8人，2人请假 got "请发送两个数字".
    assert parse_attendance(text) == expected


@pytest.mark.parametrize("text", ["应到8人，没有到齐", "应到8人，未全到", "8人没有全到"])
def test_not_everyone_or_no_label_is_still_refused(text: str) -> None:
    with pytest.raises(InputError, match="请发送两个数字"):
        parse_attendance(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("应到8人，全部到齐，其中预备党员2人", (8, 8)),
        ("应到8人全部到齐（含预备党员1人）", (8, 8)),
        ("下午3点开会，应到8人全部到齐", (8, 8)),
        ("应到会人数8人，实到会人数7人", (8, 7)),
        ("应到会8人，实到会7人", (8, 7)),
        ("应到党员8人，实到党员7人", (8, 7)),
        ("11月3日下午3点，应到8人实到7人", (8, 7)),
    ],
)
def test_other_numbers_and_words_around_the_counts(text: str, expected: tuple[int, int]) -> None:
    # helper-94's review: these were read as 8/2, 8/1, 8/3, or refused with the counts swapped.
    assert parse_attendance(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "应到8人，张三 请假",
        "实到7人，王五 请假",
        "全体党员8人，实到7人，张三 请假",
        "应到8人，除张三外全部到齐",
    ],
)
def test_a_name_is_no_count(text: str) -> None:
    # helper-94's review: 张三 was read as 张3 (应到8人，张三 请假 -> 8/5); a count that cannot be read is asked for.
    with pytest.raises(InputError, match="请发送两个数字"):
        parse_attendance(text)


@pytest.mark.parametrize(
    ("text", "attendance"),
    [
        ("张三 参加培训\n李四 病假", False),
        ("王芳 外地出差3天，李明 参加2天培训", False),
        ("赵六 出席上级会议", False),
        ("王五 不在本地", False),
        ("应到8人，实到6人", True),
        ("8 6", True),
    ],
)
def test_absentees_that_look_like_attendance(text: str, attendance: bool) -> None:
    from handlers.services.form.attendance import looks_like_attendance

    assert looks_like_attendance(text) is attendance
