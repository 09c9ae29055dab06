"""Questions asked and the votes on their answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models._base import Base, TZDateTime


class QuestionLog(Base):
    """One question a user asked, and whether the knowledge base could answer it."""

    __tablename__ = "question_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    query: Mapped[str] = mapped_column(Text)
    answered: Mapped[bool] = mapped_column(Boolean)
    top_passage_id: Mapped[int | None] = mapped_column(Integer)
    top_score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), index=True)
    # Review (revision 0004): how sure the answer was ("high" / "low"; None: not known, e.g. logged before 0004).
    confidence: Mapped[str | None] = mapped_column(String(16))
    # Revision 0010: when an administrator dismissed the question's /unanswered group (忽略); None: not dismissed.
    # A dismissed question is no longer listed; the same question asked again is a new row, listed again.
    dismissed_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    def __repr__(self) -> str:
        return f"QuestionLog(id={self.id!r}, answered={self.answered!r}, query={self.query[:30]!r})"


class Feedback(Base):
    """A user's vote on an answer: +1 or -1; a later vote by the same user replaces the earlier one."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("question_id", "user_id"),
        CheckConstraint("value IN (1, -1)", name="value"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question_log.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger)
    value: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(TZDateTime())

    def __repr__(self) -> str:
        return f"Feedback(question_id={self.question_id!r}, user_id={self.user_id!r}, value={self.value!r})"
