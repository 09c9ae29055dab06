"""Plain-text answers: channel-neutral, so each channel adds its own way out of a question with no answer."""

from __future__ import annotations

import re

from knowledge.base import Answer
from knowledge.render import NO_ANSWER, no_answer, render_plain
from knowledge.types import Hit


def test_no_answer_names_no_command():
    assert "没有找到" in NO_ANSWER
    assert not re.search(r"/[a-z]", NO_ANSWER)


def test_no_answer_with_a_channel_alternative():
    assert no_answer() == NO_ANSWER
    assert (
        no_answer("或浏览讲话目录（/topics）")
        == "讲话中没有找到与这个问题相关的内容。可以换个说法再问，或浏览讲话目录（/topics）。"
    )


def test_render_plain_without_hits():
    assert render_plain(Answer("问", [])) == NO_ANSWER
    assert render_plain(Answer("问", []), unanswered="没有。") == "没有。"


def test_render_plain_with_hits():
    hits = [
        Hit("第一段。", "第一段。", "讲话甲", "一、节", 2.0, 0),
        Hit("第二段。", "第二段。", "讲话乙", "", 1.0, 1),
    ]
    assert render_plain(Answer("问", hits), unanswered="没有。") == (
        "要点：第一段。\n\n第一段。\n\n出处：《讲话甲》 · 一、节\n\n其他相关内容：\n  · 第二段。（《讲话乙》）"
    )


def test_render_plain_tentative_says_related_and_cut_previews_say_so():
    long = "这是一句很长的相关表述" * 10
    hits = [
        Hit("第一段。", "第一段。", "讲话甲", "一、节", 2.0, 0, confidence="low"),
        Hit(long, long, "讲话乙", "", 1.0, 1, confidence="low"),
    ]
    text = render_plain(Answer("问", hits, confidence="low"))
    assert "相关表述：第一段。" in text and "要点：" not in text  # as the chat labels a tentative answer
    assert f"  · {long[:59]}…（《讲话乙》）" in text


def test_render_plain_says_the_note_before_the_passage():
    hits = [Hit("给予×万元奖励。", "给予×万元奖励。", "讲话甲", "", 2.0, 0, confidence="low")]
    text = render_plain(Answer("奖励多少万", hits, confidence="low", note="数额写作“×”。"))
    assert text.index("最接近") < text.index("数额写作“×”。") < text.index("相关表述：")
