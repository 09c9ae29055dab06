"""The speeches' numbered shorthands (``knowledge.enumerations``)."""

from __future__ import annotations

from knowledge.enumerations import enumerations, expand
from knowledge.segment import AnalyzedQuery


def test_items_sharing_a_first_or_last_character_make_a_shorthand():
    table = enumerations(
        ["组织党员亮身份、亮职责、亮承诺，推行", "对照生产经营好、企业文化好、劳动关系好内容"],
        lambda w: False,
    )
    assert table["三亮"] == "亮身份、亮职责、亮承诺"  # the text before the first item is not part of it
    assert table["三好"] == "生产经营好、企业文化好、劳动关系好"  # nor the text after the last


def test_two_items_and_the_corpus_own_words_make_none():
    table = enumerations(["开展联合建、挂靠建", "亮身份、亮职责、亮承诺"], lambda w: w == "三亮")
    assert table == {}


def test_expand_adds_the_list_as_speech_terms():
    query = AnalyzedQuery(words={}, bigrams={"三亮": 1.0}, content=())
    wide = expand(query, "三亮是啥", {"三亮": "亮身份、亮职责"}, lambda text: ["身份", "职责"])
    assert wide.content == ("三亮",)
    assert wide.expansions["三亮"] == ("亮身份、亮职责", "亮身份", "亮职责")
    assert wide.words == {"身份": 1.0, "职责": 1.0}
    assert expand(query, "党费怎么交", {"三亮": "亮身份、亮职责"}, lambda text: []) is query


def test_a_shorthand_the_speech_never_writes_finds_its_list(kb):
    answer = kb.ask("三亮是啥")
    assert answer.hits and "亮身份、亮职责、亮承诺" in answer.hits[0].text


def test_the_shared_character_in_quotes_names_the_list(kb):
    answer = kb.ask("党员要“亮”哪几样？")
    assert answer.confidence == "high"
    assert "亮身份、亮职责、亮承诺" in answer.hits[0].text


def test_a_quoted_character_alone_names_no_list_unless_items_are_asked_for(kb):
    """Found by review: a bare “党” was answered confidently from the 党员先锋岗 list."""
    assert kb.ask("“党”").confidence is None
    assert kb.ask('"亮"').confidence is None


def test_a_list_ending_in_etc_and_a_long_item_are_read_whole():
    table = enumerations(["通过组建党员先锋岗、党员责任区、党员班组等方式，发动党员"], lambda w: False)
    assert table["三党"] == "党员先锋岗、党员责任区、党员班组"
