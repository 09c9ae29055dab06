"""A notice pasted at the topic or place step: its label is dropped and only its first line kept, said so."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.services.form.model import Input, Outcome, Reply, Step, TooLong
from handlers.services.form.prompts import after_question
from handlers.services.form.steps import apply_input
from knowledge.activities import activity_by_code

TODAY = date(2026, 11, 20)
ENTERED = {"kind": "theme_day", "held_on": "2026-11-18"}
NOTICE = "主题：学习二十届四中全会精神\n地点：三楼会议室\n应到8人，实到7人"


@pytest.mark.parametrize(
    ("step", "text", "kept", "cut"),
    [
        (Step.TOPIC, NOTICE, "学习二十届四中全会精神", True),
        (Step.TOPIC, "活动主题：学习党章", "学习党章", False),
        (Step.TOPIC, "议题: 研究发展党员工作", "研究发展党员工作", False),
        (Step.TOPIC, "主题：\n学习党章", "学习党章", False),
        (Step.TOPIC, "学习党章\n\n", "学习党章", False),
        (Step.TOPIC, "支委会：研究发展党员工作", "支委会：研究发展党员工作", False),  # not a label of ours
        (Step.PLACE, "地点：三楼会议室\n时间：下午三点", "三楼会议室", True),
        (Step.PLACE, "活动地点：党群服务中心", "党群服务中心", False),
        (Step.PLACE, "主题：三楼会议室", "主题：三楼会议室", False),  # the topic's label is not the place's
    ],
)
def test_the_label_is_dropped_and_the_first_line_kept(step: str, text: str, kept: str, cut: bool) -> None:
    # Tester's finding: the whole notice, lines and labels, became the topic.
    result = apply_input(step, ENTERED, Input(text=text), TODAY)
    assert result.outcome is Outcome.ADVANCE
    assert result.data == {**ENTERED, step: kept}  # nothing else entered is lost
    assert (result.note is not None) == cut
    if cut:
        assert f"只把第一行“{kept}”记作活动" in result.note
        assert "其余各行没有使用" in result.note


def test_the_note_leads_the_next_prompt() -> None:
    ak = activity_by_code("theme_day")
    result = apply_input(Step.TOPIC, ENTERED, Input(text=NOTICE), TODAY)
    reply = after_question(Step.TOPIC, ak, NOTICE, Reply("【主题党日】活动地点在哪里？"), result.note)
    assert reply.text == result.note + "【主题党日】活动地点在哪里？"
    assert reply.text.startswith("提示：您发送了多行文字")


def test_a_first_line_over_the_limit_is_still_too_long() -> None:
    with pytest.raises(TooLong, match="主题太长了（201字）"):
        apply_input(Step.TOPIC, ENTERED, Input(text="学" * 201 + "\n地点：三楼"), TODAY)
