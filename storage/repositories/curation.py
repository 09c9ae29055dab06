"""Questions worth a curator's look: unanswered, answered with low confidence, or voted down, and not dismissed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, false, func, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Feedback, QuestionLog
from storage.repositories._checks import _chunks, _require_aware

CONFIDENCES = ("high", "low")


@dataclass(frozen=True, slots=True)
class QuestionRow:
    id: int
    query: str
    answered: bool
    confidence: str | None
    created_at: datetime
    up: int
    down: int


class CurationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def candidates(
        self, since: datetime | None = None, limit: int = 2000, dismissed: bool = False
    ) -> list[QuestionRow]:
        """The newest ``limit`` questions not answered, answered with low confidence or voted down, and not
        dismissed (``dismissed``: only those dismissed), oldest first."""
        votes = (
            select(
                Feedback.question_id.label("qid"),
                func.sum(case((Feedback.value == 1, 1), else_=0)).label("up"),
                func.sum(case((Feedback.value == -1, 1), else_=0)).label("down"),
            )
            .group_by(Feedback.question_id)
            .subquery()
        )
        up = func.coalesce(votes.c.up, 0)
        down = func.coalesce(votes.c.down, 0)
        stmt = (
            select(
                QuestionLog.id,
                QuestionLog.query,
                QuestionLog.answered,
                QuestionLog.confidence,
                QuestionLog.created_at,
                up,
                down,
            )
            .outerjoin(votes, votes.c.qid == QuestionLog.id)
            .where(or_(QuestionLog.answered == false(), QuestionLog.confidence == "low", down > 0))
            .where(QuestionLog.dismissed_at.is_not(None) if dismissed else QuestionLog.dismissed_at.is_(None))
            .order_by(QuestionLog.created_at.desc(), QuestionLog.id.desc())
            .limit(limit)
        )
        if since is not None:
            _require_aware("since", since)
            stmt = stmt.where(QuestionLog.created_at >= since)
        rows = [
            QuestionRow(i, q, bool(a), c, t, int(u), int(d))
            for i, q, a, c, t, u, d in await self.session.execute(stmt)
        ]
        rows.reverse()
        return rows

    async def latest_sure(self, queries: Iterable[str]) -> dict[str, datetime]:
        """For each of ``queries`` (exact wordings) answered with high confidence and never voted down since: when
        it last was."""
        voted_down = select(Feedback.question_id).where(Feedback.value == -1)
        latest: dict[str, datetime] = {}
        for chunk in _chunks(sorted(set(queries))):
            stmt = (
                select(QuestionLog.query, func.max(QuestionLog.created_at))
                .where(
                    QuestionLog.query.in_(chunk),
                    QuestionLog.answered == true(),
                    QuestionLog.confidence == "high",
                    QuestionLog.id.not_in(voted_down),
                )
                .group_by(QuestionLog.query)
            )
            latest.update({query: at for query, at in await self.session.execute(stmt)})
        return latest

    async def dismiss(self, question_ids: Iterable[int], at: datetime) -> int:
        """Mark the questions dismissed at ``at`` (those not dismissed yet); how many were."""
        _require_aware("at", at)
        return await self._set_dismissed(question_ids, at)

    async def restore(self, question_ids: Iterable[int]) -> int:
        """Undo :meth:`dismiss` for the questions (those dismissed); how many were."""
        return await self._set_dismissed(question_ids, None)

    async def _set_dismissed(self, question_ids: Iterable[int], at: datetime | None) -> int:
        """``dismissed_at = at`` on those of the questions not in that state already; how many changed."""
        not_yet = (
            QuestionLog.dismissed_at.is_(None) if at is not None else QuestionLog.dismissed_at.is_not(None)
        )
        changed = 0
        for chunk in _chunks(sorted(set(question_ids))):
            stmt = update(QuestionLog).where(QuestionLog.id.in_(chunk), not_yet).values(dismissed_at=at)
            changed += (await self.session.execute(stmt)).rowcount or 0
        return changed

    async def set_confidence(self, question_id: int, confidence: str | None) -> bool:
        """Record how sure the logged answer was ("high" / "low" / None); ``False`` if no such question."""
        if confidence is not None and confidence not in CONFIDENCES:
            raise ValueError(f"confidence must be one of {CONFIDENCES} or None, got {confidence!r}")
        stmt = update(QuestionLog).where(QuestionLog.id == question_id).values(confidence=confidence)
        return bool((await self.session.execute(stmt)).rowcount)
