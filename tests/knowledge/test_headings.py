"""A passage's headings in the ranking (``knowledge.headings``)."""

from __future__ import annotations

import pytest

from knowledge.coverage import Term
from knowledge.headings import INTRO_WEIGHT, intro_factor, own_text
from knowledge.types import Passage


def _passage(text: str, *headings: str) -> Passage:
    return Passage(0, text, "讲话", tuple(headings))


def test_an_opening_paragraph_is_read_with_its_section_title():
    p = _passage("紧紧围绕企业家健康成长……", "一、实施企业家政治引领行动")
    assert own_text(p) == "一、实施企业家政治引领行动。紧紧围绕企业家健康成长……"


def test_an_item_that_opens_with_its_heading_is_not_read_twice():
    p = _passage(
        "三要建立直接联系服务制度。结合开展……", "一、实施企业家政治引领行动", "三要建立直接联系服务制度"
    )
    assert own_text(p) == p.text
    assert own_text(_passage("没有标题的段落")) == "没有标题的段落"


def test_only_an_opening_paragraph_gains_from_its_title():
    terms = [Term(("企业家",), 1.0), Term(("政治引领",), 1.0), Term(("目标",), 2.0)]
    opening = _passage("……", "一、实施企业家政治引领行动")
    item = _passage("三要……", "一、实施企业家政治引领行动", "三要建立直接联系服务制度")
    assert intro_factor(terms, opening) == pytest.approx(1 + INTRO_WEIGHT * 0.5)
    assert intro_factor(terms, item) == 1.0
    assert intro_factor([], opening) == 1.0


@pytest.mark.parametrize(
    ("query", "section"),
    [
        # Naming an action's title asks what the action is: its opening paragraph, not an item that repeats
        # the title's words more often (before, "三要建立直接联系服务制度" led both).
        ("企业家政治引领行动要干啥", "一、实施企业家政治引领行动"),
        ("企业家政治引领", "一、实施企业家政治引领行动"),
        # An item that holds the rest of the question still wins.
        ("企业家政治引领行动里教育培训怎么搞", "一、实施企业家政治引领行动 > 二要加强教育培训"),
    ],
)
def test_a_question_naming_a_section_leads_with_its_opening_paragraph(kb, query, section):
    lead = kb.rank(query, 3).ranked[0][0]
    assert kb.passages[lead].section == section


def test_a_question_that_is_all_title_gets_the_section_s_opening(kb):
    """保障规范化讲啥: the closing paragraph names all three 规范化 sections; the section's opening answers."""
    (first, *_) = kb.search("保障规范化讲啥")
    assert first.section.startswith("三、推进保障规范化")
