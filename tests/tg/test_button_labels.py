"""The tentative answer's 也可能是 buttons name their passage."""

from __future__ import annotations

from handlers.tg.render import button_label
from knowledge.types import Hit


def _hit(section: str, highlight: str = "下面，我主要讲几点意见") -> Hit:
    return Hit(text="…", highlight=highlight, source="讲话", section=section, score=1.0, passage_id=1)


def test_an_item_is_named_by_its_heading() -> None:
    assert (
        button_label(_hit("一、推进组建规范化 > 二是联合建、挂靠建查漏补缺")) == "二是联合建、挂靠建查漏补缺"
    )


def test_the_opening_and_closing_are_named_by_their_key_sentence() -> None:
    """helper-67's review: "也可能是：开篇" named nothing."""
    assert button_label(_hit("开篇")) == "下面，我主要讲几点意见"
    closing = "同志们，做好新时代两新组织党建工作责任重大、使命光荣"  # 27 characters
    assert button_label(_hit("结束语", closing)) == closing[:23] + "…"
    assert button_label(_hit("", "没有标题的段落")) == "没有标题的段落"
