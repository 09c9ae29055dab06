"""Questions in traditional characters are read as the simplified speeches are written (knowledge/traditional.py)."""

from __future__ import annotations

from knowledge.traditional import fold


def test_traditional_characters_are_folded() -> None:
    assert fold("党組織書記怎麼選") == "党组织书记怎么选"
    assert fold("聯合黨組織最多覆蓋幾個單位") == "联合党组织最多覆盖几个单位"


def test_simplified_text_is_left_as_it_is(kb) -> None:
    text = "".join(p.text for p in kb.passages)
    assert fold(text) == text
    assert fold("党费怎么交 ABC 123") == "党费怎么交 ABC 123"


def test_a_question_in_traditional_characters_is_answered_as_in_simplified(kb) -> None:
    traditional = kb.ask("主題黨日多久開展一次")
    simplified = kb.ask("主题党日多久开展一次")
    assert traditional.answered and traditional.confidence == simplified.confidence
    assert [h.passage_id for h in traditional.hits] == [h.passage_id for h in simplified.hits]
