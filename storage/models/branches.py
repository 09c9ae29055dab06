"""Branches and their invitations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.organisation import OrgForm
from storage.models._base import Base, TZDateTime, _in_list

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
    # Closed (撤销) by an administrator (revision 0008): the branch no longer exists, but its records stay for the
    # ledgers of past periods. It owes nothing for the period it was closed in and after, gets no reminders and
    # has no secretary or open invitation. None: open. A closure ended by a reopening is kept in branch_closures.
    closed_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    def __repr__(self) -> str:
        return f"Branch(id={self.id!r}, name={self.name!r}, secretary_user_id={self.secretary_user_id!r})"


class BranchProfileChange(Base):
    """What a branch's form and formal members were until ``changed_at`` (revision 0007), written by each change
    of either: the reports read a period that is over with the profile in force on its last day, so a change
    today never rewrites what a closed period owed (helper-87's review). No row: the profile never changed."""

    __tablename__ = "branch_profile_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id", ondelete="CASCADE"), index=True)
    changed_at: Mapped[datetime] = mapped_column(TZDateTime())
    form: Mapped[str] = mapped_column(String(16))  # before the change
    formal_members: Mapped[int] = mapped_column(Integer)  # before the change


class BranchClosure(Base):
    """A closure (撤销) of a branch that a reopening ended (revision 0009), written by the reopening: the periods
    that ended while it was closed stay not owed (``handlers.services.closures``). The current closure, if any,
    is ``branches.closed_at``; no row: the branch was never reopened."""

    __tablename__ = "branch_closures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id", ondelete="CASCADE"), index=True)
    closed_at: Mapped[datetime] = mapped_column(TZDateTime())
    reopened_at: Mapped[datetime] = mapped_column(TZDateTime())


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
