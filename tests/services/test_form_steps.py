"""The form's steps as pure functions, table by table: no database, no emulator."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.services.form.model import (
    Act,
    Action,
    BrokenDraft,
    Input,
    InputError,
    Outcome,
    SpentButton,
    Step,
)
from handlers.services.form.steps import apply_input, next_step, parse_absentees, parse_attendance
from knowledge.activities import activity_by_code

TODAY = date(2026, 11, 20)
THEME = {"kind": "theme_day"}


def text(value: str) -> Input:
    return Input(text=value)


def press(act: Act, arg: str = "") -> Input:
    return Input(action=Action(act, arg))


SKIP = Input(skip=True)

ACCEPTED = [
    # step, data before, input, key, value after
    (Step.KIND, {}, press(Act.KIND, "theme_day"), "kind", "theme_day"),
    (Step.DATE, THEME, press(Act.DATE, "0"), "held_on", "2026-11-20"),
    (Step.DATE, THEME, press(Act.DATE, "1"), "held_on", "2026-11-19"),
    (Step.DATE, THEME, text("11月3日"), "held_on", "2026-11-03"),
    (Step.DATE, THEME, text("2026-10-01"), "held_on", "2026-10-01"),
    (Step.TOPIC, THEME, text("学习党章"), "topic", "学习党章"),
    (Step.PLACE, THEME, text("三楼会议室"), "place", "三楼会议室"),
    (Step.TOPIC, THEME, text("👍学习党章"), "topic", "👍学习党章"),  # an emoji beside words is kept
    (Step.ATTENDANCE, THEME, text("应到8人，实到7人"), "actual", 7),
    (Step.ATTENDANCE, THEME, text("实到7人，应到8人"), "expected", 8),
    (Step.ATTENDANCE, THEME, SKIP, "expected", None),
    (
        Step.ABSENTEES,
        THEME,
        text("张三 出差\n李四"),
        "absentees",
        [
            {"name": "张三", "reason": "出差"},
            {"name": "李四", "reason": "未说明"},
        ],
    ),
    (Step.ABSENTEES, THEME, SKIP, "absentees", []),
    (Step.MINUTES, THEME, text("传达学习了会议精神并讨论"), "minutes_text", "传达学习了会议精神并讨论"),
    ("field:six_items", THEME, press(Act.OPTION, "0"), "details", {"six_items": ["学习讨论"]}),
    ("field:x_items", THEME, SKIP, "details", {}),
]


@pytest.mark.parametrize(("step", "before", "inp", "key", "value"), ACCEPTED)
def test_an_input_that_fits_is_applied(step, before, inp, key, value) -> None:
    result = apply_input(step, dict(before), inp, TODAY)
    assert result.data[key] == value
    assert key not in before or before[key] != value or step == Step.ATTENDANCE  # the input is not mutated


REFUSED = [
    (Step.KIND, {}, text("我要登记"), "请点击下面的按钮选择活动类型"),
    (Step.KIND, {}, press(Act.KIND, "nope"), "请点击下面的按钮选择活动类型"),
    (Step.DATE, THEME, SKIP, "必填"),
    (Step.DATE, THEME, press(Act.DATE, "²"), "请发送活动日期"),
    (Step.DATE, THEME, text("2026-12-25"), "不能晚于今天"),
    (Step.DATE, THEME, text("2026-08-01"), "只能补录"),
    (Step.TOPIC, THEME, text("学"), "太短"),
    (Step.TOPIC, THEME, text("学" * 201), "太长"),
    (
        Step.TOPIC,
        THEME,
        text("😀😀😀😀"),
        "请用文字写活动主题，不能只有表情或符号",
    ),  # helper-84's review: kept
    (Step.PLACE, THEME, text("……！！"), "请用文字写活动地点"),
    (Step.ABSENTEES, THEME, text("张三 出差\n" * 84), "缺席人员太长了（504字），请控制在500字以内"),
    (Step.ATTENDANCE, THEME, text("八个人"), "请发送两个数字"),
    (Step.ATTENDANCE, THEME, text("²³ 7"), "请发送两个数字"),
    (Step.ATTENDANCE, THEME, text("应到7 实到8"), "不能多于"),
    (Step.ATTENDANCE, THEME, text("0 0"), "应到人数应是"),
    (Step.MINUTES, THEME, text("太短了"), "至少10个字"),
    (Step.MINUTES, THEME, press(Act.DONE), "还没有收到会议记录"),
    (Step.PHOTOS, THEME, press(Act.DONE), "至少需要2张照片"),
    (Step.PHOTOS, THEME, SKIP, "不能跳过"),
    ("field:six_items", THEME, press(Act.OPTION, "²"), "请点击下面的按钮选择"),
    ("field:six_items", THEME, press(Act.OPTION, "6"), "请点击下面的按钮选择"),
    ("field:six_items", THEME, press(Act.DONE), "请至少选择一项"),
    (Step.SUMMARY, THEME, press(Act.EDIT, "kind"), "请核对以上内容"),
    (Step.SUMMARY, THEME, press(Act.EDIT, "nowhere"), "请核对以上内容"),
]


@pytest.mark.parametrize(("step", "before", "inp", "message"), REFUSED)
def test_an_input_that_does_not_fit_is_refused_with_a_chinese_message(step, before, inp, message) -> None:
    data = dict(before)
    with pytest.raises(InputError) as info:
        apply_input(step, data, inp, TODAY)
    assert message in info.value.message
    assert data == before


def test_a_draft_with_an_unknown_kind_or_step_is_broken() -> None:
    with pytest.raises(BrokenDraft):
        apply_input(Step.TOPIC, {"kind": "gone"}, text("学习"), TODAY)
    with pytest.raises(BrokenDraft):
        apply_input("field:nothing", THEME, text("学习"), TODAY)


def test_outcomes() -> None:
    toggled = apply_input("field:six_items", THEME, press(Act.OPTION, "1"), TODAY)
    assert toggled.outcome is Outcome.STAY
    untoggled = apply_input("field:six_items", toggled.data, press(Act.OPTION, "1"), TODAY)
    assert untoggled.data["details"]["six_items"] == []
    assert apply_input(Step.SUMMARY, THEME, press(Act.CONFIRM), TODAY).outcome is Outcome.CONFIRM
    edit = apply_input(Step.SUMMARY, {**THEME, "photos": [{"x": 1}]}, press(Act.EDIT, "photos"), TODAY)
    # 改照片 keeps the photos (the user adds, or clears them with 清空已有照片); 返回核对 restores the draft.
    assert (edit.outcome, edit.target, edit.data["photos"], edit.data["editing"]) == (
        Outcome.GOTO,
        "photos",
        [{"x": 1}],
        True,
    )
    cleared = apply_input(Step.PHOTOS, edit.data, press(Act.CLEAR), TODAY)
    assert (cleared.outcome, cleared.data["photos"]) == (Outcome.STAY, [])
    back = apply_input(Step.PHOTOS, cleared.data, press(Act.BACK), TODAY)
    assert (back.outcome, back.target, back.data) == (
        Outcome.GOTO,
        Step.SUMMARY,
        {**THEME, "photos": [{"x": 1}]},
    )
    with pytest.raises(InputError):
        apply_input(Step.TOPIC, THEME, press(Act.BACK), TODAY)  # not inside an edit


@pytest.mark.parametrize(
    ("step", "data", "expected"),
    [
        (Step.ATTENDANCE, {"expected": 8, "actual": 7}, Step.ABSENTEES),
        (Step.ATTENDANCE, {"expected": 8, "actual": 8}, "field:six_items"),
        (Step.ATTENDANCE, {"expected": None, "actual": None}, "field:six_items"),
        (Step.TOPIC, {"editing": True}, Step.SUMMARY),
        (Step.ATTENDANCE, {"editing": True, "expected": 8, "actual": 6}, Step.ABSENTEES),
        (Step.PHOTOS, {}, Step.SUMMARY),
    ],
)
def test_next_step(step, data, expected) -> None:
    assert next_step(activity_by_code("theme_day"), step, {**THEME, **data}) == expected


def test_parsers() -> None:
    assert parse_attendance("8 7") == (8, 7)
    assert parse_absentees("王五：病假；赵六（事假）") == [
        {"name": "王五", "reason": "病假"},
        {"name": "赵六", "reason": "事假"},
    ]
    with pytest.raises(InputError) as info:
        parse_attendance("很多人")
    assert info.value.skip_hint == "不统计"


@pytest.mark.parametrize("action", [press(Act.CONFIRM), press(Act.EDIT, "topic")])
@pytest.mark.parametrize("step", [Step.KIND, Step.DATE, Step.TOPIC, Step.MINUTES, Step.PHOTOS])
def test_a_summary_button_at_another_step_is_spent(step: str, action: Input) -> None:
    """An old summary's 确认提交 / 改… while the draft is elsewhere: a spent button, not the step's hint."""
    with pytest.raises(SpentButton):
        apply_input(step, {**THEME, "held_on": "2026-11-20"}, action, TODAY)
