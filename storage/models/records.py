"""Activity records, their files and amendments, and form drafts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models._base import Base, TZDateTime, _in_list

RECORD_STATUSES = ("active", "withdrawn")
FILE_ROLES = ("photo", "minutes")
# Review (revision 0004): every record starts pending; an administrator or a district supervisor passes or returns
# it; an amendment puts a returned (or passed) record back to pending.
REVIEW_STATES = ("pending_review", "passed", "returned")


class ActivityRecord(Base):
    """One activity a branch held (a meeting, a theme day, a party class ...).

    ``absentees`` is a list of ``{"name": ..., "reason": ...}``; ``details`` holds the fields
    specific to ``kind``. ``period`` is the period the activity counts for: ``"2026-11"``
    (month), ``"2026-Q4"`` (quarter) or ``"2026"`` (year). Records are never deleted by the
    bot: they are withdrawn (``status="withdrawn"``), and changes are kept as amendments.
    """

    __tablename__ = "activity_records"
    __table_args__ = (
        CheckConstraint(_in_list("status", RECORD_STATUSES), name="status"),
        CheckConstraint(_in_list("review_state", REVIEW_STATES), name="review_state"),
        # Its leading column also serves every lookup by branch_id alone (no separate index).
        Index("ix_activity_records_branch_id_kind_period", "branch_id", "kind", "period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(16))
    held_on: Mapped[date] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(200))
    place: Mapped[str | None] = mapped_column(String(200))
    expected: Mapped[int | None] = mapped_column(Integer)
    actual: Mapped[int | None] = mapped_column(Integer)
    absentees: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    minutes_text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="active")
    submitted_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(TZDateTime())
    updated_at: Mapped[datetime] = mapped_column(TZDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    # Review (revision 0004): pending_review | passed | returned; its history is in ``record_events``.
    review_state: Mapped[str] = mapped_column(
        String(16), default="pending_review", server_default="pending_review"
    )

    # Filled when a record is created (so record and files go in one flush). Never lazy-loaded
    # (that would be implicit I/O under asyncio): read files with ``RecordRepository.files``.
    files: Mapped[list[RecordFile]] = relationship(
        lazy="raise_on_sql",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(RecordFile.role, RecordFile.position)",
    )

    def __repr__(self) -> str:
        return (
            f"ActivityRecord(id={self.id!r}, branch_id={self.branch_id!r}, kind={self.kind!r}, "
            f"period={self.period!r}, status={self.status!r})"
        )


class RecordFile(Base):
    """A photo or a minutes document attached to a record.

    The bytes live in a :class:`storage.files.FileStore` under ``sha256``; the Telegram ids
    allow re-sending the file without uploading it again.
    """

    __tablename__ = "record_files"
    __table_args__ = (
        UniqueConstraint("record_id", "telegram_file_unique_id"),
        CheckConstraint(_in_list("role", FILE_ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The unique constraint above starts with record_id, so it also indexes record_id.
    record_id: Mapped[int] = mapped_column(ForeignKey("activity_records.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))  # photo | minutes
    # Indexed: is a stored blob still referenced (before deleting it from the file store)?
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(100))
    telegram_file_id: Mapped[str] = mapped_column(String(255))
    telegram_file_unique_id: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    # Thumbnails (revision 0004): a small JPEG in the thumbnail store, made once when the record is stored.
    # ``thumb_made_at`` is set when making one was tried, also when none could be made (thumb_sha256 stays null).
    thumb_sha256: Mapped[str | None] = mapped_column(String(64))
    thumb_made_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    def __repr__(self) -> str:
        return f"RecordFile(id={self.id!r}, record_id={self.record_id!r}, role={self.role!r}, position={self.position!r})"


class RecordAmendment(Base):
    """A correction to a record: who, when, why, and ``changes`` as ``{field: [old, new]}`` (JSON-safe)."""

    __tablename__ = "record_amendments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("activity_records.id", ondelete="CASCADE"), index=True)
    amended_by: Mapped[int] = mapped_column(BigInteger)
    amended_at: Mapped[datetime] = mapped_column(TZDateTime())
    reason: Mapped[str] = mapped_column(Text)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)

    def __repr__(self) -> str:
        return (
            f"RecordAmendment(id={self.id!r}, record_id={self.record_id!r}, fields={sorted(self.changes)!r})"
        )


class Draft(Base):
    """A record being filled in by a user (at most one per user)."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(TZDateTime())
    updated_at: Mapped[datetime] = mapped_column(TZDateTime())

    def __repr__(self) -> str:
        return f"Draft(user_id={self.user_id!r}, branch_id={self.branch_id!r}, step={self.step!r})"
