"""Answer types a question asks for (``knowledge.asks``): a when question and a dated passage."""

from __future__ import annotations

from knowledge.asks import dated_first


def test_a_when_question_prefers_a_near_tied_dated_passage():
    texts = {1: "给圆方集团全体职工重要回信精神", 2: "4月30日，总书记给圆方集团全体职工回信", 3: "其他"}
    ranked = [(1, 10.0), (2, 9.0), (3, 1.0)]
    assert dated_first("圆方回信哪天", ranked, texts.__getitem__)[0] == (2, 10.0)
    assert dated_first("圆方回信说了啥", ranked, texts.__getitem__) == ranked  # not a when question
    far = [(1, 10.0), (2, 5.0), (3, 1.0)]
    assert dated_first("圆方回信哪天", far, texts.__getitem__) == far  # not near enough


def test_the_letter_s_date_is_answered_from_the_passage_that_gives_it(kb):
    answer = kb.ask("圆方回信啥时候")
    assert answer.hits and "4月30日" in answer.hits[0].text
