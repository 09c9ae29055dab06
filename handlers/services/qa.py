"""Question answering: search the speeches, log the question, record feedback."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.clock import Clock
from handlers.services.text import clean_text
from knowledge import KnowledgeBase
from knowledge.base import Answer
from knowledge.followup import (
    AMOUNT,
    ASKING_WORDS,
    asked,
    asks_own,
    in_place,
    is_follow_up,
    names_a_topic,
    names_nothing,
    original,
    short_ask,
    subject_only,
    with_context,
    without_frame,
)
from storage.models import QuestionLog
from storage.repositories import QuestionRepository

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 500  # what is searched and stored of a long paste
_SENTENCE_END = re.compile(r"[。！？!?；;]")

# Close enough to the best answer to be worth offering as "其他相关内容".
RUNNER_UP_RATIO = 0.6
FOLLOW_UP_WINDOW = timedelta(minutes=10)


# What a phone or a chat adds to a pasted question that no speech answers: links, a mail client's signature, @ and
# # tags, and laughter (helper-88's review: "党员不足3名怎么办 发自我的华为手机" was refused).
_JUNK = re.compile(
    r"https?://\S+|www\.\S+|(?:发自|来自)我的[^\s，。？！?!]{0,12}|sent from my \S+|@\S+|#[^#\s]+#?"
    r"|(?:哈|呵|嘿|嘻){3,}|\b(?:h|ha|he){3,}\b",
    re.IGNORECASE,
)


# English question words mixed into a Chinese question ("党员不足3名how to do"): they ask, they name nothing the
# speeches could hold, and they weighed against the question's coverage. Only a run of two or more, or a word of
# politeness: a lone letter (<i>, a) and names (App, QQ, KPI) are kept.
_FRAME_WORD = r"(?:how|what|why|when|where|who|which|to|do|does|did|is|are|can|could|should|we|i|you|the|a|an|about|for|of)"
_ENGLISH_FRAME = re.compile(
    rf"(?<![A-Za-z<>/])(?:{_FRAME_WORD}(?:\s+{_FRAME_WORD})+|please|pls|plz|thanks|thx|okay)(?![A-Za-z<>])",
    re.IGNORECASE,
)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def clean_question(text: str) -> str:
    """Control and zero-width characters, links, signatures, tags and laughter removed (``_JUNK``; all of it kept
    if nothing else is left), whitespace folded, at most ``MAX_QUERY_CHARS``: of a longer paste (a notice, then
    the question) the end, from the first sentence that starts in it."""
    cleaned = clean_text(text)
    folded = " ".join(_JUNK.sub(" ", cleaned).split()) or " ".join(cleaned.split())
    if len(_CJK.findall(folded)) >= 2:
        folded = " ".join(_ENGLISH_FRAME.sub(" ", folded).split()) or folded
    if len(folded) <= MAX_QUERY_CHARS:
        return folded
    tail = folded[-MAX_QUERY_CHARS:]
    end = _SENTENCE_END.search(tail[: MAX_QUERY_CHARS // 2])
    return tail[end.end() :].lstrip() if end else tail


NAMES_NOTHING_NOTE = (
    "问题里没有说是哪项工作，以下只是讲话中最接近的内容。可以带上事项再问，如“主题党日多久开展一次”。"
)


def may_lean(question: str, alone: Answer) -> bool:
    """Whether ``question`` may be read with the user's previous one (``QAService.in_context`` decides): a
    follow-up (``leans``), or a short question the speeches do not answer surely on its own (``short_ask``)."""
    return leans(question, alone) or (alone.confidence != "high" and short_ask(question))


def leans(question: str, alone: Answer) -> bool:
    """Whether ``question`` is read with the user's previous one: a follow-up, unless the speeches answer it surely
    on its own ("那联合建呢？") and it names something of its own (多久一次 names nothing)."""
    return is_follow_up(question) and (alone.confidence != "high" or names_nothing(question))


@dataclass(frozen=True, slots=True)
class QAResult:
    answer: Answer
    question_id: int | None  # None when the log could not be written
    follows: str | None = None  # the earlier question this one was read with (a follow-up), else None
    # The earlier question asked of the follow-up's subject ("党课每月搞几次"), when it was so read.
    read_as: str | None = None

    @property
    def has_runners_up(self) -> bool:
        hits = self.answer.hits
        return len(hits) > 1 and hits[1].score >= RUNNER_UP_RATIO * hits[0].score


UNNAMED_NOTE = "讲话中没有提到“{subject}”，以下是与上一个问题最接近的内容，仅供参考。"


def _named(kb: KnowledgeBase, subject: str) -> bool:
    """Whether the speeches name each word of ``subject`` as typed or as a term the lexicon gives for it (市里: 市级;
    团委书记: not 团委)."""
    terms = kb.coverage_terms(kb.analyze(subject))
    return all(any(kb.writes(s) for s in term.spellings) for term in terms)


def _speaks_of(answer: Answer, subject: str) -> str | None:
    """Where the answer names ``subject``: "key" (its key sentence or rule), "passage" (elsewhere in its first
    passage), or None."""
    if not answer.hits:
        return None
    first = answer.hits[0]
    if subject in (first.highlight or "") + (answer.rule.conclusion if answer.rule else ""):
        return "key"
    return "passage" if subject in first.text else None


def _mentions(kb: KnowledgeBase, answer: Answer, subject: str) -> bool:
    """Whether the answer's first passage (its key sentence, rule or text) names ``subject``, as typed or with each
    of its words in a spelling the lexicon gives for it (支委会: 三会一课; 党可: 党课)."""
    if _speaks_of(answer, subject) is not None:
        return True
    first = answer.hits[0]
    text = first.text + (first.highlight or "") + (answer.rule.conclusion if answer.rule else "")
    terms = kb.coverage_terms(kb.analyze(subject))
    return bool(terms) and all(any(s in text for s in term.spellings) for term in terms)


def _bears(kb: KnowledgeBase, answer: Answer, previous: str, question: str) -> bool:
    """Whether a short question's own words of two or more characters ("依托谁办": 依托; not an amount, nor a word
    that asks: ``ASKING_WORDS``) are in the answer it gets with the question before (its first passage, key
    sentence or rule) or in that question: else it asked of something else ("怎么入党" after a question on 主题党日)
    and stands alone."""
    if not answer.hits:
        return False
    first = answer.hits[0]
    text = first.text + (first.highlight or "") + (answer.rule.conclusion if answer.rule else "") + previous
    terms = kb.coverage_terms(kb.analyze(question))
    return all(
        any(s in text for s in term.spellings)
        for term in terms
        if max(map(len, term.spellings), default=0) >= 2
        and not AMOUNT.match(term.spellings[0])
        and term.spellings[0] not in ASKING_WORDS
    )


class QAService:
    def __init__(
        self, kb: KnowledgeBase, session_factory: async_sessionmaker[AsyncSession], clock: Clock
    ) -> None:
        self.kb = kb
        self.session_factory = session_factory
        self.clock = clock

    async def ask(
        self,
        text: str,
        *,
        user_id: int | None,
        chat_id: int | None,
        k: int = 3,
        follow_ups: bool = True,
        replying_to: int | None = None,
        edit_of: int | None = None,
    ) -> QAResult:
        """Answer ``text`` and log it, in one session. A short follow-up ("那联合建呢？") is read together with the
        question before (``_previous``: the one whose answer it replies to, ``replying_to``; for an edited message,
        the one before the question first logged for it, ``edit_of``; else the user's latest within
        ``FOLLOW_UP_WINDOW``)."""
        question = clean_question(text)
        follows: str | None = None
        read_as: str | None = None
        question_id: int | None = None
        try:
            async with self.session_factory() as session, session.begin():
                repo = QuestionRepository(session)
                answer = self.kb.ask(question, k)
                if follow_ups and user_id is not None and may_lean(question, answer):
                    # A follow-up the speeches answer surely on its own ("那联合建呢？") is not read with the question
                    # before, unless it names nothing of its own (多久一次); nor is one that follows a question the
                    # speeches could not answer.
                    previous = await self._previous(repo, user_id, chat_id, replying_to, edit_of)
                    reading = None
                    if previous is not None and previous.answered:
                        reading = self.in_context(previous.query, question, answer, k)
                    if reading is not None:
                        follows = asked(previous.query)
                        question, answer, in_place_ = reading
                        read_as = question if in_place_ else None
                if follow_ups and follows is None and names_nothing(question):
                    # "多久一次" with nothing before it to lean on: whatever passage comes first answers nothing
                    # asked, so it is only offered as the closest (helper-70's review: answered confidently).
                    answer = (
                        replace(answer.made_tentative(), note=NAMES_NOTHING_NOTE) if answer.hits else answer
                    )
                question_id = await self._log(repo, answer, question, user_id, chat_id)
        except SQLAlchemyError:
            # The answer matters more than the log: answer anyway.
            log.exception("could not log question")
            answer = self.kb.ask(question, k)
        return QAResult(answer, question_id, follows, read_as)

    async def _previous(
        self,
        repo: QuestionRepository,
        user_id: int,
        chat_id: int | None,
        replying_to: int | None,
        edit_of: int | None,
    ) -> QuestionLog | None:
        """The question a follow-up is read with: the user's own question whose answer it replies to (Telegram's
        回复), however long ago; for an edited message, the latest before the question logged for it when first
        sent (not that question, the wording the edit corrects), within ``FOLLOW_UP_WINDOW`` of it; else the
        user's latest within ``FOLLOW_UP_WINDOW``."""
        if replying_to is not None:
            replied = await repo.get(replying_to)
            if replied is not None and replied.user_id == user_id:
                return replied
        if edit_of is not None:
            first = await repo.get(edit_of)
            if first is None or first.user_id != user_id:
                return None
            since = first.created_at - FOLLOW_UP_WINDOW
            return await repo.latest_for(user_id=user_id, chat_id=chat_id, since=since, before_id=first.id)
        since = self.clock.now() - FOLLOW_UP_WINDOW
        return await repo.latest_for(user_id=user_id, chat_id=chat_id, since=since)

    def answers_surely(self, text: str) -> bool:
        """Whether the knowledge base, as it is now, answers ``text`` with confidence when asked on its own (as
        :meth:`ask` would without a question before it; nothing logged): /unanswered drops what it answers."""
        if self.kb is None:
            return False
        question = clean_question(text)
        answer = self.kb.ask(question, 3)
        return answer.answered and answer.confidence == "high" and not names_nothing(question)

    def in_context(
        self, previous: str, question: str, alone: Answer, k: int
    ) -> tuple[str, Answer, bool] | None:
        """``question`` read with ``previous`` (an answered question just before it) as ``_read_with`` reads it, or
        None when it stands alone: a follow-up (``leans``) always leans; a short question that asks something the
        speeches do not answer surely alone ("具体咋推", "依托谁办") leans when the reading with the question before
        bears its own words (``_bears``)."""
        if leans(question, alone):
            return self._read_with(previous, question, k)
        if not may_lean(question, alone):
            return None
        reading = self._read_with(previous, question, k)
        return reading if _bears(self.kb, reading[1], original(previous), question) else None

    def _read_with(self, previous: str, follow_up: str, k: int) -> tuple[str, Answer, bool]:
        """A follow-up read with the question before (question read, its answer, whether in place):

        - one that names a subject only ("那党课呢？"): the question before asked of it ("主题党日每月搞几次" ->
          "党课每月搞几次") when the answer names it: surely in its key sentence, tentatively elsewhere in the
          passage (helper-88's review: "那党费呢" after a question on 党建经费 quoted the 经费 sentence, surely);
          a subject the speeches never name gets the question before, joined, tentatively and with a note; one
          they name gets it tentatively too when its first passage does not speak of the subject (helper-95's review:
          "那支委会呢" after 主题党日多久开展一次 got the 主题党日 sentence, surely);
        - one that asks its own question ("谁来组织"): the question before up to what it asked, then the follow-up
          (``without_frame``), so that its frame (多久一次) does not answer again;
        - else the question before followed by the follow-up's words."""
        subject = subject_only(follow_up)
        if subject:
            reading = in_place(previous, follow_up, self.kb.segmenter.cut)
            if reading is not None:
                reading = reading[:MAX_QUERY_CHARS]
                answer = self.kb.ask(reading, k)
                speaks = _speaks_of(answer, subject)
                # Not a topic (一年四次, X, 线上的): the passage naming it is enough, as before helper-88's review.
                if speaks == "key" or (speaks and not names_a_topic(subject)):
                    return reading, answer, True
                if speaks:
                    return reading, answer.made_tentative(), True
        question = with_context(previous, follow_up, MAX_QUERY_CHARS)
        if not subject and asks_own(follow_up):
            stem = without_frame(previous, self.kb.segmenter.cut)
            if stem and self.kb.analyze(stem).content:
                question = with_context(stem, follow_up, MAX_QUERY_CHARS)
        answer = self.kb.ask(question, k)
        if subject and answer.hits and names_a_topic(subject):
            if not _named(self.kb, subject):
                answer = replace(answer.made_tentative(), note=UNNAMED_NOTE.format(subject=subject))
            elif not _mentions(self.kb, answer, subject):
                # The question before answered again ("那支委会呢" after 主题党日多久开展一次: the 主题党日 sentence):
                # only the closest, since nothing in it speaks of the subject asked.
                answer = answer.made_tentative()
        return question, answer, False

    async def _log(
        self,
        repo: QuestionRepository,
        answer: Answer,
        question: str,
        user_id: int | None,
        chat_id: int | None,
    ) -> int:
        top = answer.hits[0] if answer.hits else None
        row = await repo.add(
            query=question,
            answered=answer.answered,
            created_at=self.clock.now(),
            user_id=user_id,
            chat_id=chat_id,
            top_passage_id=top.passage_id if top else None,
            top_score=top.score if top else None,
            confidence=answer.confidence if answer.answered else None,
        )
        return row.id

    async def more(self, question_id: int, k: int = 6, *, user_id: int | None = None) -> QAResult | None:
        """The same question again with more results (for 其他相关内容); None for a question another user asked."""
        async with self.session_factory() as session:
            row = await QuestionRepository(session).get(question_id)
        if row is None or (user_id is not None and row.user_id not in (None, user_id)):
            return None
        return QAResult(self.kb.ask(row.query, k), question_id)

    async def feedback(self, question_id: int, *, user_id: int, value: int) -> bool:
        """Stores a 👍 (1) or 👎 (-1); False when the question is unknown."""
        async with self.session_factory() as session, session.begin():
            repo = QuestionRepository(session)
            if await repo.get(question_id) is None:
                return False
            await repo.set_feedback(
                question_id=question_id, user_id=user_id, value=value, at=self.clock.now()
            )
        return True
