"""Review, supervision, web login and webhook updates (revision 0004)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models._base import Base, TZDateTime, _in_list
from storage.models.records import REVIEW_STATES

# --- Review, supervision, web login, webhook updates (revision 0004) ---------------------------------------

EVENT_ACTIONS = ("returned", "amended", "passed")


class RecordEvent(Base):
    """One step of a record's review: returned (with a comment), amended (links the amendment), passed.

    The submission itself is the record row (``created_at``, ``submitted_by``); ``state`` is the review state the
    step left the record in.
    """

    __tablename__ = "record_events"
    __table_args__ = (
        CheckConstraint(_in_list("action", EVENT_ACTIONS), name="action"),
        CheckConstraint(_in_list("state", REVIEW_STATES), name="state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("activity_records.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(TZDateTime())
    comment: Mapped[str | None] = mapped_column(Text)
    amendment_id: Mapped[int | None] = mapped_column(ForeignKey("record_amendments.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"RecordEvent(record_id={self.record_id!r}, action={self.action!r}, state={self.state!r})"


class SupervisorScope(Base):
    """A district supervisor and one branch they oversee (a user with no row is no supervisor)."""

    __tablename__ = "supervisor_scopes"
    __table_args__ = (UniqueConstraint("user_id", "branch_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)  # the unique constraint indexes it
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(TZDateTime())

    def __repr__(self) -> str:
        return f"SupervisorScope(user_id={self.user_id!r}, branch_id={self.branch_id!r})"


class LoginLink(Base):
    """A one-time web login link: only the SHA-256 of its token is stored; used once, before ``expires_at``."""

    __tablename__ = "login_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(TZDateTime())
    expires_at: Mapped[datetime] = mapped_column(TZDateTime())
    used_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    def __repr__(self) -> str:
        return f"LoginLink(id={self.id!r}, user_id={self.user_id!r}, used_at={self.used_at!r})"


class WebSession(Base):
    """A web session: only the SHA-256 of its id (the cookie) is stored; ended by expiry or logout."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime())
    expires_at: Mapped[datetime] = mapped_column(TZDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    def __repr__(self) -> str:
        return f"WebSession(id={self.id!r}, user_id={self.user_id!r}, ended_at={self.ended_at!r})"


class WebhookUpdate(Base):
    """A Telegram update received by the webhook, stored before it is answered, processed once.

    A row is claimed by ``claimed_by`` until ``lease_until``; ``processed_at`` is set when it has been handled. A
    row left unprocessed by a crash is claimed again once its lease has run out (or at once, on restart).
    """

    __tablename__ = "webhook_updates"
    __table_args__ = (Index("ix_webhook_updates_processed_at_update_id", "processed_at", "update_id"),)

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(TZDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(TZDateTime())
    processed_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    def __repr__(self) -> str:
        return f"WebhookUpdate(update_id={self.update_id!r}, processed_at={self.processed_at!r})"
