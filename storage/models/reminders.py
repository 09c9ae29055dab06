"""Reminder deliveries and mutes (revision 0003; the mutes' history, 0006)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models._base import Base, TZDateTime, _in_list

# --- Reminders (revision 0003) -------------------------------------------------------------------------
#
# One table holds every delivery, a secretary's reminder and an administrator's digest alike:
#   audience "branch": target_id = branch id, branch_id = the branch, kinds = the kind codes still missing,
#                      stage open | nudge | last, payload null;
#   audience "admin":  target_id = the administrator's Telegram user id, branch_id null, kinds [], stage
#                      "digest", cadence "monthly" and period = the closed month; payload = the digest (the
#                      periods that closed with that month and what each branch missed).
# The unique key (audience, target_id, cadence, period, stage) makes planning idempotent: a row is inserted
# with ON CONFLICT DO NOTHING, so a stage is delivered at most once per branch (or administrator) and period.

DELIVERY_AUDIENCES = ("branch", "admin")
DELIVERY_STATUSES = ("pending", "sending", "sent", "failed", "dead", "skipped")
DELIVERY_STAGES = ("open", "nudge", "last", "digest")
DELIVERY_CADENCES = ("monthly", "quarterly", "yearly")


class ReminderDelivery(Base):
    """One reminder (or digest) to deliver once: planned, claimed by a sender, then sent or given up.

    ``status``: ``pending`` (waiting for ``next_attempt_at``; also after a transient failure), ``sending``
    (claimed by ``claimed_by`` until ``lease_until``; an expired lease makes the row claimable again),
    ``sent`` (``sent_at``, ``message_id``), ``failed`` (the chat is unreachable: 403 / chat not found),
    ``dead`` (transient failures until the attempts ran out; administrators list these), ``skipped`` (no longer
    worth sending: recorded meanwhile, a later stage due, the period closed, no secretary). ``last_error`` is a
    short reason written by the bot, never a user's text.
    """

    __tablename__ = "reminder_deliveries"
    __table_args__ = (
        UniqueConstraint("audience", "target_id", "cadence", "period", "stage"),
        CheckConstraint(_in_list("audience", DELIVERY_AUDIENCES), name="audience"),
        CheckConstraint(_in_list("status", DELIVERY_STATUSES), name="status"),
        CheckConstraint(_in_list("stage", DELIVERY_STAGES), name="stage"),
        CheckConstraint(_in_list("cadence", DELIVERY_CADENCES), name="cadence"),
        CheckConstraint("attempts >= 0", name="attempts"),
        # What a sender claims: due rows by status and time.
        Index("ix_reminder_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audience: Mapped[str] = mapped_column(String(8))
    target_id: Mapped[int] = mapped_column(BigInteger)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    cadence: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(16))
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(TZDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(TZDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(TZDateTime())
    updated_at: Mapped[datetime] = mapped_column(TZDateTime())

    def __repr__(self) -> str:
        return (
            f"ReminderDelivery(id={self.id!r}, {self.audience}:{self.target_id}, {self.cadence} "
            f"{self.period} {self.stage}, status={self.status!r})"
        )


class ReminderMute(Base):
    """A kind a branch is not reminded of, and why: for one period (``period``) or until unmuted (null).

    Rows are kept as history: a new mute or an unmute ends the branch's current mute of the kind (``ended_at``)
    instead of deleting it, so reports of a period that is over keep the mutes that were in force then (see
    ``handlers.services.status``). At most one current row (``ended_at`` null, ``in_force`` true) per branch and kind. A muted kind
    still counts as missing in the administrators' digest, marked as muted with its reason.
    """

    __tablename__ = "reminder_mutes"
    # ``in_force`` is true on the current row and null on ended ones: unique (branch_id, kind, in_force) then
    # allows one current row and any number of ended ones (nulls are distinct), on SQLite and PostgreSQL alike
    # without a partial index (whose dialect options would load the PostgreSQL dialect at import).
    __table_args__ = (UniqueConstraint("branch_id", "kind", "in_force"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(200))
    period: Mapped[str | None] = mapped_column(String(16))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(TZDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(TZDateTime())  # lifted or replaced (null: in force)
    in_force: Mapped[bool | None] = mapped_column(Boolean, default=True)  # true while current, else null

    def __repr__(self) -> str:
        return (
            f"ReminderMute(branch_id={self.branch_id!r}, kind={self.kind!r}, period={self.period!r}, "
            f"ended_at={self.ended_at!r})"
        )
