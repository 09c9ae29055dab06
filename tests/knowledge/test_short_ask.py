"""A short question that asks something of its own ("靠谁来办", "能细说下吗") may lean on the question before
(``knowledge.followup.short_ask``; ``QAService.in_context`` decides): it is read with that question when the speeches
do not answer it surely alone and the reading bears its own words; else it stands alone."""

from __future__ import annotations

import pytest

from handlers.services.qa import QAService, may_lean
from knowledge.base import KnowledgeBase
from knowledge.followup import is_follow_up, short_ask, subject_only


@pytest.fixture(scope="module")
def service() -> QAService:
    return QAService(KnowledgeBase.default(), None, None)  # type: ignore[arg-type]  (only its reading is used)


def test_what_a_short_ask_is() -> None:
    for text in ("靠谁来办", "具体咋推", "能细说下吗？", "嗯，举几个例子", "那要当啥角色", "要配副手吗"):
        assert short_ask(text), text
    # Too long to lean, or asks nothing.
    for text in ("非公企业党组织书记应该从哪些人里面选出来", "好的", "明白了，谢谢", "党建学院", ""):
        assert not short_ask(text), text
    # Some of them were follow-ups already; most were not, and were read alone (and refused).
    assert not is_follow_up("靠谁来办") and not is_follow_up("要当啥角色")


def test_a_short_ask_is_read_with_the_question_before(service: QAService) -> None:
    kb = service.kb
    alone = kb.ask("靠谁来办")
    assert alone.confidence != "high" and may_lean("靠谁来办", alone)
    reading = service.in_context("非公党建学院是做什么的", "靠谁来办", alone, 3)
    assert reading is not None
    question, answer, in_place = reading
    assert question == "非公党建学院 → 靠谁来办" and not in_place
    assert answer.confidence == "high" and "依托规模较大" in (answer.hits[0].highlight or "")


def test_a_short_ask_of_something_else_stands_alone(service: QAService) -> None:
    kb = service.kb
    # 入党 is nowhere in the reading with the question before: it asks of something else.
    alone = kb.ask("怎么入党")
    assert may_lean("怎么入党", alone)
    assert service.in_context("主题党日多久一次", "怎么入党", alone, 3) is None
    # One the speeches answer surely on its own is answered on its own.
    alone = kb.ask("能税前扣吗")
    assert alone.confidence == "high" and not may_lean("能税前扣吗", alone)
    assert service.in_context("两新组织党建经费从哪里来", "能税前扣吗", alone, 3) is None


def test_spoken_yes_no_endings_ask_and_pointers_name_no_subject() -> None:
    # 不 at the end, or X不X, asks (凑7家中不中); 嘞 is 呢 (那经费保障嘞).
    assert short_ask("一年四回够不") and short_ask("7家中不中") and short_ask("半年一回行不行")
    assert is_follow_up("那经费保障嘞") and subject_only("那经费保障嘞") == "经费保障"
    # 那块 and 那个 point at the subject; they are not part of it.
    assert subject_only("群团组织那块呢") == "群团组织"
    assert subject_only("宣传政策那个先锋呢") == "宣传政策先锋"
    assert subject_only("那个呢") is None
    # 呗, 哈 end a spoken question and ask nothing; 嘛 at the end is 吗.
    assert short_ask("得凑够几个人呗") and short_ask("也有嘛") and not short_ask("好的哈")


def test_an_amount_of_its_own_is_no_word_the_reading_must_bear(service: QAService) -> None:
    """ "半年一回行不" after a question on 观摩交流: the passage says 每季度, not 半年, and the rule answers it."""
    alone = service.kb.ask("半年一回行不")
    reading = service.in_context("观摩交流多久搞一次", "半年一回行不", alone, 3)
    assert reading is not None
    _, answer, _ = reading
    assert answer.rule is not None and "次数不够" in answer.rule.conclusion


def test_a_word_that_asks_is_no_word_the_reading_must_bear(service: QAService) -> None:
    """ "啥时候评" after a question on the 五星 branches' award: 时候 asks when, it names nothing the passage must hold."""
    alone = service.kb.ask("啥时候评")
    reading = service.in_context("评上五星支部给不给奖励", "啥时候评", alone, 3)
    assert reading is not None
    assert "五星" in reading[1].hits[0].text
