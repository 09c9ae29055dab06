"""Follow-ups in ``QAService`` (helper-95's review of the Q&A chat): a subject follow-up whose answer speaks of another
subject is not sure; the question a follow-up is read with, for a reply (回复) to an older answer and for an edited
message; what a chained follow-up says it followed."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from handlers.services.clock import SHANGHAI, FixedClock
from handlers.services.qa import QAService

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
USER = 7_390_201
CHAT = USER


def read(kb, first: str, follow: str):
    return QAService._read_with(SimpleNamespace(kb=kb), first, follow, 3)


@pytest.mark.parametrize(
    ("first", "follow"),
    [
        ("主题党日多久开展一次", "那支委会呢"),  # 支委会: the lexicon gives 三会一课, so it counts as named
        ("党建工作经费可以在税前扣除吗", "那党课呢"),
        ("主题党日多久开展一次", "那党可呢"),  # a typo of 党课
    ],
)
def test_a_subject_follow_up_answered_of_the_subject_before_is_not_sure(kb, first, follow):
    question, answer, in_place = read(kb, first, follow)
    assert not in_place and question.startswith(first)  # the question before, read again
    assert answer.hits and answer.confidence == "low", answer.hits[0].highlight


def test_a_subject_follow_up_whose_answer_names_it_stays_sure(kb):
    question, answer, in_place = read(kb, "单独建支部要几个党员", "那联合建呢")
    assert in_place and question.startswith("联合建") and answer.confidence == "high"


@pytest.fixture
def service(kb, session_factory):
    clock = FixedClock(T0)
    return QAService(kb, session_factory, clock), clock


async def test_a_reply_is_read_with_the_question_it_replies_to(service):
    qa, clock = service
    first = await qa.ask("主题党日多久开展一次", user_id=USER, chat_id=CHAT)
    await qa.ask("党建工作经费可以在税前扣除吗", user_id=USER, chat_id=CHAT)
    clock.advance(timedelta(hours=2))  # long after the follow-up window: the reply says which question
    result = await qa.ask("那党课呢", user_id=USER, chat_id=CHAT, replying_to=first.question_id)
    assert result.follows == "主题党日多久开展一次" and result.read_as == "党课多久开展一次"
    # Another user's question is not leaned on.
    other = await qa.ask("那党课呢", user_id=USER + 1, chat_id=USER + 1, replying_to=first.question_id)
    assert other.follows is None


async def test_an_edited_follow_up_is_read_with_the_question_before_it_was_first_sent(service):
    qa, clock = service
    await qa.ask("主题党日多久开展一次", user_id=USER, chat_id=CHAT)
    clock.advance(timedelta(minutes=1))
    typo = await qa.ask("那党可呢", user_id=USER, chat_id=CHAT)
    clock.advance(timedelta(minutes=1))
    await qa.ask("党建工作经费可以在税前扣除吗", user_id=USER, chat_id=CHAT)  # sent after it: not leaned on
    clock.advance(timedelta(minutes=15))  # the window counts from the message as first sent
    result = await qa.ask("那党课呢", user_id=USER, chat_id=CHAT, edit_of=typo.question_id)
    assert result.follows == "主题党日多久开展一次" and result.read_as == "党课多久开展一次"


async def test_a_chained_follow_up_follows_what_the_user_asked(service):
    qa, _ = service
    await qa.ask("观摩交流多久一次", user_id=USER, chat_id=CHAT)
    second = await qa.ask("谁来组织", user_id=USER, chat_id=CHAT)
    assert second.follows == "观摩交流多久一次"
    third = await qa.ask("具体怎么做", user_id=USER, chat_id=CHAT)
    assert third.follows == "谁来组织"  # not the stem "观摩交流" it was read with
