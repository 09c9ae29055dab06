"""A question typed into the form: refused at the absentees step, kept with a note at a text step, and a refusal
of a question-like text says how to ask it. Pure: no database, no emulator."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.services.form.model import Input, InputError, Notice, Reply, Step
from handlers.services.form.prompts import after_question
from handlers.services.form.questions import QuestionRefused, ask_later, looks_like_question
from handlers.services.form.steps import apply_input
from knowledge.activities import activity_by_code

TODAY = date(2026, 11, 20)
COMMITTEE = {"kind": "committee", "held_on": "2026-11-20", "expected": 8, "actual": 7}
NEXT = Reply("下一步")


@pytest.mark.parametrize(
    "text",
    [
        "缺席的人需要写原因吗？",
        "不写原因可以吗",
        "请问缺席要写原因",
        "怎么填缺席的人",
        "病假的也算吗?",
        "写几个呢。",
    ],
)
def test_a_question_at_the_absentees_step_is_refused(text: str) -> None:
    with pytest.raises(QuestionRefused) as raised:
        apply_input(Step.ABSENTEES, COMMITTEE, Input(text=text), TODAY)
    assert "提问" in raised.value.message and "不用取消表单" in raised.value.message
    assert "张三 出差" in raised.value.message  # the step is asked again
    assert raised.value.skip_hint == "不填写"
    # It says how to ask already: its notice adds nothing, and tells the channel a question was refused.
    assert ask_later(raised.value, text) is Notice.NOT_A_PERSON


@pytest.mark.parametrize("text", ["张三 出差", "李明（病假）", "何明 事假", "无"])
def test_names_are_still_taken(text: str) -> None:
    assert not looks_like_question(text)
    apply_input(Step.ABSENTEES, COMMITTEE, Input(text=text), TODAY)


@pytest.mark.parametrize(
    ("step", "text", "label", "button"),
    [
        (Step.MINUTES, "会议记录可以拍照上传吗？", "会议记录", "改会议记录"),
        ("field:decisions", "议定事项必须填吗？", "议定事项", "改议定事项"),
        (Step.TOPIC, "主题党日的主题应该怎么定？", "活动主题", "改主题"),
        (Step.PLACE, "线上开的地点写哪里呢", "活动地点", "改地点"),
    ],
)
def test_a_question_kept_at_a_text_step_is_noted(step: str, text: str, label: str, button: str) -> None:
    reply = after_question(step, activity_by_code("committee"), text, NEXT)
    assert reply.text.startswith(f"提示：刚才这句像是提问，已记作{label}。"), reply.text
    assert f"“{button}”" in reply.text and reply.text.endswith("下一步")


@pytest.mark.parametrize(
    ("step", "text"),
    [
        (Step.MINUTES, "会议由书记主持，传达学习了上级文件精神。"),
        (Step.MINUTES, "讨论：经费怎么用？\n决定：按预算执行。"),  # minutes of several lines: not a question
        ("field:decisions", "同意张三同志转正"),
        (Step.ATTENDANCE, "8 7吗"),  # not a text step
    ],
)
def test_other_texts_are_not_noted(step: str, text: str) -> None:
    assert after_question(step, activity_by_code("committee"), text, NEXT) is NEXT


@pytest.mark.parametrize(("text", "notice"), [("下周补填可以吗？", Notice.ASK_LATER), ("下下周", None)])
def test_a_refused_question_says_how_to_ask(text: str, notice: Notice | None) -> None:
    with pytest.raises(InputError) as raised:
        apply_input(Step.DATE, COMMITTEE, Input(text=text), TODAY)
    assert ask_later(raised.value, text) is notice
