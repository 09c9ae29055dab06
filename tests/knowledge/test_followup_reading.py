"""Follow-ups read with the question before (``QAService._read_with``, on the shipped speeches; helper-88's review):
a subject only the passage names, not the key sentence, is offered tentatively; a subject the speeches never name
gets a tentative reply that says so; a follow-up that asks its own question is read with the subject before, not
with the question's frame; 干嘛/用来 lean on the question before."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from handlers.services.qa import QAService, leans
from knowledge.base import KnowledgeBase
from knowledge.followup import is_follow_up, names_a_topic, without_frame


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.default()


def read(kb: KnowledgeBase, first: str, follow: str):
    return QAService._read_with(SimpleNamespace(kb=kb), first, follow, 3)


def test_a_subject_the_key_sentence_does_not_name_is_offered_tentatively(kb):
    question, answer, in_place = read(kb, "党建经费能税前扣除吗", "那党费呢")
    assert question == "党费能税前扣除吗" and in_place
    assert answer.hits and answer.confidence == "low"  # the 1% sentence is about 经费, not 党费


def test_a_subject_the_speeches_never_name_says_so(kb):
    _, answer, _ = read(kb, "书记能兼任工会主席吗", "那团委书记呢")
    assert answer.confidence == "low" and "讲话中没有提到“团委书记”" in (answer.note or "")
    _, answer, _ = read(kb, "单独建支部要几个党员", "那联合建呢")
    assert answer.note is None  # a subject the speeches name


def test_a_follow_up_asking_its_own_question_drops_the_frame_before(kb):
    question, answer, _ = read(kb, "观摩交流多久一次", "谁来组织")
    assert question.startswith("观摩交流") and "多久" not in question
    assert answer.rule is None and "观摩交流" in answer.hits[0].text  # not the cadence rule again
    assert without_frame("党费会返还吗", kb.segmenter.cut) == "党费会返还"
    # What it asks about, and words of substance, stay: 具体哪些 asks of the 标准.
    assert without_frame("选企业党组织书记有标准吗？", kb.segmenter.cut) == "选企业党组织书记有标准"
    assert without_frame("党员不足三人的企业怎样建立党组织", kb.segmenter.cut) is None


def test_what_it_is_used_for_leans_on_the_question_before(kb):
    assert is_follow_up("用来干嘛") and leans("用来干嘛", kb.ask("用来干嘛"))
    _, answer, _ = read(kb, "党费会返还吗", "用来干嘛")
    assert answer.hits and "用于开展党的活动" in answer.hits[0].text


def test_what_names_a_topic():
    assert names_a_topic("团委书记") and names_a_topic("预备党员转正")
    assert not any(names_a_topic(s) for s in ("反过来", "线上的", "X", "一年四次", "3个"))
