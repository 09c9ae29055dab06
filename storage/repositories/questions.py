"""Questions asked to the bot and the votes on their answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Feedback, QuestionLog
from storage.repositories._checks import _require_aware, _upsert_insert

VOTE_UP = 1
VOTE_DOWN = -1


class QuestionRepository:
    """Questions asked to the bot and the feedback given on their answers."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        query: str,
        answered: bool,
        created_at: datetime,
        user_id: int | None = None,
        chat_id: int | None = None,
        top_passage_id: int | None = None,
        top_score: float | None = None,
        confidence: str | None = None,
    ) -> QuestionLog:
        _require_aware("created_at", created_at)
        row = QuestionLog(
            query=query,
            answered=answered,
            created_at=created_at,
            user_id=user_id,
            chat_id=chat_id,
            top_passage_id=top_passage_id,
            top_score=top_score,
            confidence=confidence,
        )
        self.session.add(row)
        await self.session.flush()
        return row

    async def get(self, question_id: int) -> QuestionLog | None:
        return await self.session.get(QuestionLog, question_id)

    async def set_feedback(self, *, question_id: int, user_id: int, value: int, at: datetime) -> Feedback:
        """Record ``user_id``'s vote (+1 / -1) on a question, replacing any earlier vote of theirs.

        ``created_at`` of the returned row is the time of the latest vote. A missing question
        surfaces as :class:`sqlalchemy.exc.IntegrityError` from the foreign key.
        """
        if isinstance(value, bool) or value not in (VOTE_UP, VOTE_DOWN):
            raise ValueError(f"feedback value must be 1 or -1, got {value!r}")
        _require_aware("at", at)
        insert = _upsert_insert(self.session)
        # One atomic statement: no race between two taps on the same button.
        stmt = insert(Feedback).values(question_id=question_id, user_id=user_id, value=value, created_at=at)
        stmt = stmt.on_conflict_do_update(
            index_elements=[Feedback.question_id, Feedback.user_id],
            set_={"value": stmt.excluded.value, "created_at": stmt.excluded.created_at},
        ).returning(Feedback)
        # populate_existing: refresh a Feedback already in this session's identity map.
        result = await self.session.scalars(stmt, execution_options={"populate_existing": True})
        return result.one()

    async def latest_for(
        self, *, user_id: int, chat_id: int | None, since: datetime, before_id: int | None = None
    ) -> QuestionLog | None:
        """The user's latest question in this chat asked at or after ``since`` (for follow-up questions); with
        ``before_id``, among those logged before that question (an edited message's: the one it followed)."""
        _require_aware("since", since)
        stmt = (
            select(QuestionLog)
            .where(QuestionLog.user_id == user_id, QuestionLog.created_at >= since)
            .order_by(QuestionLog.created_at.desc(), QuestionLog.id.desc())
            .limit(1)
        )
        if chat_id is not None:
            stmt = stmt.where(QuestionLog.chat_id == chat_id)
        if before_id is not None:
            stmt = stmt.where(QuestionLog.id < before_id)
        return (await self.session.scalars(stmt)).first()

    async def unanswered(self, limit: int = 50) -> list[QuestionLog]:
        """Questions the knowledge base could not answer, newest first."""
        stmt = (
            select(QuestionLog)
            .where(QuestionLog.answered == false())
            .order_by(QuestionLog.created_at.desc(), QuestionLog.id.desc())
            .limit(limit)
        )
        return list(await self.session.scalars(stmt))

    async def feedback_counts(self, question_id: int) -> tuple[int, int]:
        """``(up, down)`` votes on a question."""
        stmt = select(
            func.coalesce(func.sum(case((Feedback.value == VOTE_UP, 1), else_=0)), 0),
            func.coalesce(func.sum(case((Feedback.value == VOTE_DOWN, 1), else_=0)), 0),
        ).where(Feedback.question_id == question_id)
        up, down = (await self.session.execute(stmt)).one()
        return int(up), int(down)
