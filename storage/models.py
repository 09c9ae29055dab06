"""ORM models. Every schema change here needs a matching migration in ``storage/migrations/versions``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from knowledge.organisation import OrgForm

# Stable constraint names on every backend, so later migrations can address them by name
# (SQLite batch mode needs names to drop or alter a constraint).
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TZDateTime(TypeDecorator[datetime]):
    """An aware timestamp: stored as UTC, always read back as an aware UTC ``datetime``.

    PostgreSQL gets ``timestamp with time zone``; SQLite has no zone support, so the value is
    stored there as naive UTC text and the zone is re-attached on the way out. Naive datetimes
    are refused with :class:`ValueError` instead of being guessed at.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"TZDateTime expects a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"TZDateTime refuses a naive datetime: {value!r}")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


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


# --- Branches and their activity records ------------------------------------------------------------
#
# JSON columns (``sqlalchemy.JSON``: TEXT on SQLite, ``json`` on PostgreSQL) are plain, NOT wrapped in
# ``MutableDict`` / ``MutableList``: changing a loaded value in place (``draft.data["x"] = 1``,
# ``record.absentees.append(...)``) is NOT noticed by the session and would be silently lost. Write a
# new value instead (``record.details = {**record.details, "x": 1}``), or better go through the
# repositories, which write JSON with explicit statements or ``flag_modified``. (Mutable wrappers would
# only track the top level anyway, not the nested lists/dicts these columns hold.)
#
# A Python ``None`` assigned to a JSON column is stored as the JSON value ``null``, not SQL NULL.

# The organisation forms have one home, knowledge/organisation.py (a pure, standard-library-only module).
BRANCH_FORMS: tuple[str, ...] = tuple(f.value for f in OrgForm)
RECORD_STATUSES = ("active", "withdrawn")
FILE_ROLES = ("photo", "minutes")
# Review (revision 0004): every record starts pending; an administrator or a district supervisor passes or returns
# it; an amendment puts a returned (or passed) record back to pending.
REVIEW_STATES = ("pending_review", "passed", "returned")


def _in_list(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Branch(Base):
    """A party branch and its (single) secretary on Telegram."""

    __tablename__ = "branches"
    __table_args__ = (
        CheckConstraint(_in_list("form", BRANCH_FORMS), name="form"),
        CheckConstraint("formal_members >= 0", name="formal_members"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_name: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    form: Mapped[str] = mapped_column(String(16))  # single | joint | attached
    formal_members: Mapped[int] = mapped_column(Integer)
    units: Mapped[int | None] = mapped_column(Integer)  # how many units a joint branch covers
    # Unique: a Telegram user is the secretary of at most one branch.
    secretary_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    secretary_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(TZDateTime())
    updated_at: Mapped[datetime] = mapped_column(TZDateTime())
    # Reminders (revision 0003): the hour the branch chose (8 to 20, checked by the repository; None: the
    # default hour), and since when its secretary cannot be reached (Telegram said 403 / chat not found; None:
    # reachable). No reminder is tried while it is set; the secretary's next /start clears it.
    reminder_hour: Mapped[int | None] = mapped_column(SmallInteger)
    secretary_unreachable_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    def __repr__(self) -> str:
        return f"Branch(id={self.id!r}, name={self.name!r}, secretary_user_id={self.secretary_user_id!r})"


class Invitation(Base):
    """A one-time code that makes whoever redeems it the secretary of a branch.

    Only the SHA-256 hex digest of the code is stored, never the code itself.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(TZDateTime())
    expires_at: Mapped[datetime] = mapped_column(TZDateTime())
    used_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    used_by: Mapped[int | None] = mapped_column(BigInteger)
    revoked_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    def __repr__(self) -> str:
        return f"Invitation(id={self.id!r}, branch_id={self.branch_id!r}, used_at={self.used_at!r})"


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


class PtbState(Base):
    """Key-value rows behind a python-telegram-bot persistence class.

    ``kind`` names the store (e.g. ``"user_data"``, ``"chat_data"``, ``"conversations"``),
    ``key`` the entry within it (as text); ``data`` is any JSON value.
    """

    __tablename__ = "ptb_state"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    data: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime())

    def __repr__(self) -> str:
        return f"PtbState(kind={self.kind!r}, key={self.key!r})"


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

    At most one per branch and kind (a new mute replaces the old). A muted kind still counts as missing in the
    administrators' digest, marked as muted with its reason.
    """

    __tablename__ = "reminder_mutes"
    __table_args__ = (UniqueConstraint("branch_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The unique constraint starts with branch_id, so it also indexes branch_id.
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(200))
    period: Mapped[str | None] = mapped_column(String(16))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(TZDateTime())

    def __repr__(self) -> str:
        return f"ReminderMute(branch_id={self.branch_id!r}, kind={self.kind!r}, period={self.period!r})"


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
