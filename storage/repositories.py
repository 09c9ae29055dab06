"""Repositories: thin, Telegram-free data access over an :class:`AsyncSession`.

They flush (so generated ids are available) but never commit: the caller owns the transaction.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import case, delete, false, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from storage.models import (
    BRANCH_FORMS,
    FILE_ROLES,
    ActivityRecord,
    Branch,
    Draft,
    Feedback,
    Invitation,
    PtbState,
    QuestionLog,
    RecordAmendment,
    RecordFile,
)

VOTE_UP = 1
VOTE_DOWN = -1

# Both dialects offer INSERT ... ON CONFLICT DO UPDATE ... RETURNING with the same API.
_UPSERT_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _require_aware(name: str, value: datetime) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {value!r}")


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
        dialect = self.session.get_bind().dialect.name
        insert = _UPSERT_INSERTS.get(dialect)
        if insert is None:
            raise NotImplementedError(f"set_feedback has no upsert for the {dialect!r} dialect")
        # One atomic statement: no race between two taps on the same button.
        stmt = insert(Feedback).values(question_id=question_id, user_id=user_id, value=value, created_at=at)
        stmt = stmt.on_conflict_do_update(
            index_elements=[Feedback.question_id, Feedback.user_id],
            set_={"value": stmt.excluded.value, "created_at": stmt.excluded.created_at},
        ).returning(Feedback)
        # populate_existing: refresh a Feedback already in this session's identity map.
        result = await self.session.scalars(stmt, execution_options={"populate_existing": True})
        return result.one()

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


# --- Branches, invitations, activity records, drafts, PTB state ---------------------------------------


class NotFoundError(LookupError):
    """The row an operation needs (a branch, a record) does not exist."""


_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def _upsert_insert(session: AsyncSession) -> Any:
    dialect = session.get_bind().dialect.name
    insert = _UPSERT_INSERTS.get(dialect)
    if insert is None:
        raise NotImplementedError(f"no upsert for the {dialect!r} dialect")
    return insert


def _check_text(name: str, value: object, max_length: int, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    if len(value) > max_length:
        raise ValueError(f"{name} is longer than {max_length} characters")


def _check_count(name: str, value: object, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")


def _check_day(name: str, value: object) -> None:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"{name} must be a date (not a datetime), got {value!r}")


def _check_branch_field(field: str, value: object) -> None:
    if field in ("org_name", "name"):
        _check_text(field, value, 200)
    elif field == "form":
        if value not in BRANCH_FORMS:
            raise ValueError(f"form must be one of {BRANCH_FORMS}, got {value!r}")
    elif field == "formal_members":
        _check_count(field, value)
    elif field == "units":
        _check_count(field, value, optional=True)
    else:
        raise ValueError(f"unknown branch field {field!r}")


class BranchRepository:
    """Party branches and their secretaries (one Telegram user is secretary of at most one branch)."""

    UPDATABLE = frozenset({"org_name", "name", "form", "formal_members", "units"})

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        org_name: str,
        name: str,
        form: str,
        formal_members: int,
        at: datetime,
        units: int | None = None,
    ) -> Branch:
        """A new branch without a secretary. Invalid values raise :class:`ValueError`."""
        _require_aware("at", at)
        fields = {
            "org_name": org_name,
            "name": name,
            "form": form,
            "formal_members": formal_members,
            "units": units,
        }
        for field, value in fields.items():
            _check_branch_field(field, value)
        row = Branch(**fields, created_at=at, updated_at=at)
        self.session.add(row)
        await self.session.flush()
        return row

    async def get(self, branch_id: int) -> Branch | None:
        return await self.session.get(Branch, branch_id)

    async def list_all(self) -> list[Branch]:
        return list(await self.session.scalars(select(Branch).order_by(Branch.id)))

    async def by_secretary(self, user_id: int) -> Branch | None:
        stmt = select(Branch).where(Branch.secretary_user_id == user_id)
        return (await self.session.scalars(stmt)).one_or_none()

    async def _require(self, branch_id: int) -> Branch:
        branch = await self.get(branch_id)
        if branch is None:
            raise NotFoundError(f"no branch {branch_id}")
        return branch

    async def set_secretary(
        self, branch_id: int, user_id: int | None, name: str | None, at: datetime
    ) -> Branch:
        """Make ``user_id`` the secretary of ``branch_id`` (``None`` clears the post).

        The user is first removed from any other branch they were secretary of, and that change
        is flushed before this branch takes them, so the unique constraint on
        ``secretary_user_id`` holds at every statement. The branch's previous secretary, if any,
        simply loses the post. A missing branch raises :class:`NotFoundError`.
        """
        _require_aware("at", at)
        _check_text("name", name, 200, optional=True)
        branch = await self._require(branch_id)
        if user_id is not None:
            others = await self.session.scalars(
                select(Branch).where(Branch.secretary_user_id == user_id, Branch.id != branch_id)
            )
            for other in others:
                other.secretary_user_id = None
                other.secretary_name = None
                other.updated_at = at
            await self.session.flush()
        branch.secretary_user_id = user_id
        branch.secretary_name = name if user_id is not None else None
        branch.updated_at = at
        await self.session.flush()
        return branch

    async def update(self, branch_id: int, at: datetime, **fields: object) -> Branch:
        """Change any of ``org_name``, ``name``, ``form``, ``formal_members``, ``units``.

        Unknown fields and invalid values raise :class:`ValueError` (nothing is changed then);
        ``updated_at`` moves to ``at`` only if a value actually changes.
        """
        _require_aware("at", at)
        unknown = set(fields) - self.UPDATABLE
        if unknown:
            raise ValueError(f"cannot update branch field(s) {sorted(unknown)}")
        for field, value in fields.items():
            _check_branch_field(field, value)
        branch = await self._require(branch_id)
        changed = False
        for field, value in fields.items():
            if getattr(branch, field) != value:
                setattr(branch, field, value)
                changed = True
        if changed:
            branch.updated_at = at
            await self.session.flush()
        return branch


class RedeemResult(StrEnum):
    """Outcome of :meth:`InvitationRepository.redeem` (a ``str``: ``result == "ok"`` works)."""

    OK = "ok"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"


class InvitationRepository:
    """One-time invitation codes, stored only as their SHA-256 hex digest."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(
        self,
        *,
        branch_id: int,
        code_hash: str,
        created_by: int | None,
        at: datetime,
        expires_at: datetime,
    ) -> Invitation:
        """A new invitation; every still-open one of the branch (unused, unrevoked, unexpired at
        ``at``) is revoked at ``at``. ``code_hash`` must be 64 lowercase hex digits."""
        _require_aware("at", at)
        _require_aware("expires_at", expires_at)
        if not isinstance(code_hash, str) or not _SHA256_HEX.fullmatch(code_hash):
            raise ValueError("code_hash must be a SHA-256 hex digest (64 lowercase hex digits)")
        if expires_at <= at:
            raise ValueError("expires_at must be later than at")
        await self.session.execute(
            update(Invitation)
            .where(
                Invitation.branch_id == branch_id,
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > at,
            )
            .values(revoked_at=at)
        )
        row = Invitation(
            branch_id=branch_id,
            code_hash=code_hash,
            created_by=created_by,
            created_at=at,
            expires_at=expires_at,
            # Set explicitly: a bulk UPDATE (as above) only synchronises attributes present in
            # an object's __dict__, and never-assigned ones are absent from it.
            used_at=None,
            used_by=None,
            revoked_at=None,
        )
        self.session.add(row)
        await self.session.flush()
        return row

    async def find(self, code_hash: str) -> Invitation | None:
        stmt = select(Invitation).where(Invitation.code_hash == code_hash)
        result = await self.session.scalars(stmt, execution_options={"populate_existing": True})
        return result.one_or_none()

    async def redeem(
        self, code_hash: str, *, user_id: int, at: datetime, name: str | None = None
    ) -> RedeemResult:
        """Use the invitation: on ``OK`` ``user_id`` (called ``name``) becomes the branch's
        secretary (see :meth:`BranchRepository.set_secretary`; read the branch back with
        :meth:`BranchRepository.by_secretary`).

        Marking it used is one conditional ``UPDATE`` whose row count decides, so of two
        concurrent redemptions exactly one succeeds (on PostgreSQL the second waits for the
        first's transaction and then finds the row used). An invitation expires at
        ``expires_at`` itself. When several reasons apply, ``USED`` wins over ``REVOKED`` over
        ``EXPIRED``.
        """
        _require_aware("at", at)
        _check_text("name", name, 200, optional=True)
        result = await self.session.execute(
            update(Invitation)
            .where(
                Invitation.code_hash == code_hash,
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > at,
            )
            .values(used_at=at, used_by=user_id)
            .execution_options(synchronize_session=False)
        )
        invitation = await self.find(code_hash)  # also refreshes a copy held by this session
        if result.rowcount != 1:  # type: ignore[attr-defined]
            if invitation is None:
                return RedeemResult.UNKNOWN
            if invitation.used_at is not None:
                return RedeemResult.USED
            if invitation.revoked_at is not None:
                return RedeemResult.REVOKED
            if invitation.expires_at <= at:
                return RedeemResult.EXPIRED
            # Not reachable: the UPDATE's conditions are the negation of the checks above.
            raise RuntimeError(f"invitation {invitation.id} neither redeemable nor closed")
        assert invitation is not None
        await BranchRepository(self.session).set_secretary(invitation.branch_id, user_id, name, at)
        return RedeemResult.OK


# Fields a record amendment may change (kind, branch and submitter are fixed).
AMENDABLE_FIELDS = frozenset(
    {"topic", "place", "held_on", "period", "expected", "actual", "absentees", "details", "minutes_text"}
)
_JSON_FIELDS = frozenset({"absentees", "details"})
_FILE_KEYS = frozenset(
    {"role", "sha256", "size", "mime", "telegram_file_id", "telegram_file_unique_id", "position"}
)


def _absentees(value: object) -> list[dict[str, Any]]:
    """A detached list of ``{"name": ..., "reason": ...}`` dicts."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise ValueError(f"absentees must be a list of {{'name', 'reason'}} dicts, got {value!r}")
    items = []
    for item in value:
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            raise ValueError(f"an absentee must be a dict with a 'name' string, got {item!r}")
        items.append(copy.deepcopy(dict(item)))
    return items


def _json_dict(name: str, value: object) -> dict[str, Any]:
    """A detached copy of a dict destined for a JSON column."""
    if not isinstance(value, Mapping):
        raise ValueError(f"{name} must be a dict, got {value!r}")
    return copy.deepcopy(dict(value))


def _record_value(field: str, value: object) -> Any:
    """Validate one record field, returning the value to store (JSON values detached)."""
    if field == "topic":
        _check_text(field, value, 200)
    elif field == "place":
        _check_text(field, value, 200, optional=True)
    elif field == "period":
        _check_text(field, value, 16)
    elif field == "held_on":
        _check_day(field, value)
    elif field in ("expected", "actual"):
        _check_count(field, value, optional=True)
    elif field == "absentees":
        return _absentees(value)
    elif field == "details":
        return _json_dict(field, value)
    elif field == "minutes_text":
        if value is not None and not isinstance(value, str):
            raise ValueError(f"minutes_text must be a string or None, got {value!r}")
    else:
        raise ValueError(f"unknown record field {field!r}")
    return value


def _json_safe(value: object) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return copy.deepcopy(value)


def _record_file(index: int, spec: Mapping[str, Any]) -> RecordFile:
    keys = set(spec)
    if keys != _FILE_KEYS:
        missing, extra = sorted(_FILE_KEYS - keys), sorted(keys - _FILE_KEYS)
        raise ValueError(f"file #{index}: missing keys {missing}, unknown keys {extra}")
    if spec["role"] not in FILE_ROLES:
        raise ValueError(f"file #{index}: role must be one of {FILE_ROLES}, got {spec['role']!r}")
    if not isinstance(spec["sha256"], str) or not _SHA256_HEX.fullmatch(spec["sha256"]):
        raise ValueError(f"file #{index}: sha256 must be 64 lowercase hex digits")
    _check_count(f"file #{index} size", spec["size"])
    _check_count(f"file #{index} position", spec["position"])
    return RecordFile(**spec)


class RecordRepository:
    """Activity records, their evidence files and their amendment history."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        branch_id: int,
        kind: str,
        period: str,
        held_on: date,
        topic: str,
        submitted_by: int,
        at: datetime,
        place: str | None = None,
        expected: int | None = None,
        actual: int | None = None,
        absentees: Iterable[Mapping[str, Any]] = (),
        details: Mapping[str, Any] | None = None,
        minutes_text: str | None = None,
        files: Iterable[Mapping[str, Any]] = (),
    ) -> ActivityRecord:
        """A new active record with its files, inserted in one flush.

        Each file is a dict with exactly the keys ``role`` (``"photo"`` / ``"minutes"``),
        ``sha256``, ``size``, ``mime``, ``telegram_file_id``, ``telegram_file_unique_id`` and
        ``position``. Invalid values raise :class:`ValueError`; a missing branch surfaces as
        :class:`sqlalchemy.exc.IntegrityError`.
        """
        _require_aware("at", at)
        _check_text("kind", kind, 32)
        values = {
            field: _record_value(field, value)
            for field, value in {
                "period": period,
                "held_on": held_on,
                "topic": topic,
                "place": place,
                "expected": expected,
                "actual": actual,
                "absentees": absentees,
                "details": {} if details is None else details,
                "minutes_text": minutes_text,
            }.items()
        }
        record_files = [_record_file(i, spec) for i, spec in enumerate(files)]
        row = ActivityRecord(
            branch_id=branch_id,
            kind=kind,
            **values,
            status="active",
            submitted_by=submitted_by,
            created_at=at,
            updated_at=at,
            files=record_files,
        )
        self.session.add(row)
        await self.session.flush()
        return row

    async def get(self, record_id: int, branch_id: int | None = None) -> ActivityRecord | None:
        """The record, or ``None``; with ``branch_id`` also ``None`` if it belongs to another branch."""
        record = await self.session.get(ActivityRecord, record_id)
        if record is None or (branch_id is not None and record.branch_id != branch_id):
            return None
        return record

    async def _require(self, record_id: int) -> ActivityRecord:
        record = await self.get(record_id)
        if record is None:
            raise NotFoundError(f"no activity record {record_id}")
        return record

    async def files(self, record_id: int) -> list[RecordFile]:
        """The record's files, by role (``"minutes"`` before ``"photo"``) then position."""
        stmt = (
            select(RecordFile)
            .where(RecordFile.record_id == record_id)
            .order_by(RecordFile.role, RecordFile.position, RecordFile.id)
        )
        return list(await self.session.scalars(stmt))

    async def list_for_branch(
        self, branch_id: int, since: date | None = None, include_withdrawn: bool = False
    ) -> list[ActivityRecord]:
        """The branch's records held on or after ``since``, newest ``held_on`` first."""
        stmt = select(ActivityRecord).where(ActivityRecord.branch_id == branch_id)
        if since is not None:
            stmt = stmt.where(ActivityRecord.held_on >= since)
        if not include_withdrawn:
            stmt = stmt.where(ActivityRecord.status == "active")
        stmt = stmt.order_by(ActivityRecord.held_on.desc(), ActivityRecord.id.desc())
        return list(await self.session.scalars(stmt))

    async def withdraw(self, record_id: int, at: datetime) -> ActivityRecord:
        """Mark the record withdrawn (idempotent: a second call keeps the first ``withdrawn_at``)."""
        _require_aware("at", at)
        record = await self._require(record_id)
        if record.status != "withdrawn":
            record.status = "withdrawn"
            record.withdrawn_at = at
            record.updated_at = at
            await self.session.flush()
        return record

    async def amend(
        self, record_id: int, *, by: int, at: datetime, reason: str, changes: Mapping[str, object]
    ) -> RecordAmendment:
        """Apply ``changes`` (``{field: new value}``) and keep them as an amendment.

        Amendable: topic, place, held_on, period, expected, actual, absentees, details,
        minutes_text. The amendment stores ``{field: [old, new]}`` for the fields whose value
        actually changes, JSON-safe (dates as ISO strings). Unknown fields, invalid values, an
        empty ``reason``, a withdrawn record or changes that change nothing raise
        :class:`ValueError`; a missing record raises :class:`NotFoundError`.
        """
        _require_aware("at", at)
        _check_text("reason", reason, 10_000)
        unknown = set(changes) - AMENDABLE_FIELDS
        if unknown:
            raise ValueError(f"cannot amend record field(s) {sorted(unknown)}")
        new_values = {field: _record_value(field, value) for field, value in changes.items()}
        record = await self._require(record_id)
        if record.status == "withdrawn":
            raise ValueError(f"activity record {record_id} is withdrawn")
        diff: dict[str, list[Any]] = {}
        for field, new in new_values.items():
            old = getattr(record, field)
            if old != new:
                diff[field] = [_json_safe(old), _json_safe(new)]
        if not diff:
            raise ValueError("the amendment changes nothing")
        for field in diff:
            setattr(record, field, new_values[field])
            if field in _JSON_FIELDS:
                flag_modified(record, field)
        record.updated_at = at
        amendment = RecordAmendment(
            record_id=record_id, amended_by=by, amended_at=at, reason=reason, changes=diff
        )
        self.session.add(amendment)
        await self.session.flush()
        return amendment

    async def history(self, record_id: int) -> list[RecordAmendment]:
        """The record's amendments, oldest first."""
        stmt = (
            select(RecordAmendment)
            .where(RecordAmendment.record_id == record_id)
            .order_by(RecordAmendment.amended_at, RecordAmendment.id)
        )
        return list(await self.session.scalars(stmt))

    async def count_active(self, branch_id: int, kind: str, period: str) -> int:
        stmt = select(func.count()).where(
            ActivityRecord.branch_id == branch_id,
            ActivityRecord.kind == kind,
            ActivityRecord.period == period,
            ActivityRecord.status == "active",
        )
        return int(await self.session.scalar(stmt) or 0)


class DraftRepository:
    """The record each user is filling in (at most one per user)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int) -> Draft | None:
        stmt = select(Draft).where(Draft.user_id == user_id)
        result = await self.session.scalars(stmt, execution_options={"populate_existing": True})
        return result.one_or_none()

    async def save(
        self, *, user_id: int, branch_id: int, step: str, data: Mapping[str, Any], at: datetime
    ) -> Draft:
        """Insert or replace the user's draft in one statement (``created_at`` of an existing
        draft is kept, ``updated_at`` becomes ``at``). ``data`` is copied, so later changes to
        the caller's dict are not saved by accident; save again to store them."""
        _require_aware("at", at)
        _check_text("step", step, 32)
        data = _json_dict("data", data)
        insert = _upsert_insert(self.session)
        stmt = insert(Draft).values(
            user_id=user_id, branch_id=branch_id, step=step, data=data, created_at=at, updated_at=at
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[Draft.user_id],
            set_={
                "branch_id": stmt.excluded.branch_id,
                "step": stmt.excluded.step,
                "data": stmt.excluded.data,
                "updated_at": stmt.excluded.updated_at,
            },
        ).returning(Draft)
        result = await self.session.scalars(stmt, execution_options={"populate_existing": True})
        return result.one()

    async def delete(self, user_id: int) -> bool:
        """Remove the user's draft; ``True`` if there was one."""
        result = await self.session.execute(delete(Draft).where(Draft.user_id == user_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]


class PtbStateRepository:
    """The key-value rows behind the python-telegram-bot persistence (``data`` is any JSON value)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _check_key(kind: object, key: object) -> None:
        if not isinstance(kind, str) or not isinstance(key, str):
            raise TypeError(f"kind and key must be strings, got {kind!r}, {key!r}")

    async def load(self, kind: str) -> dict[str, Any]:
        """Every entry of ``kind`` as ``{key: data}``."""
        stmt = select(PtbState.key, PtbState.data).where(PtbState.kind == kind).order_by(PtbState.key)
        return {key: data for key, data in (await self.session.execute(stmt)).all()}

    async def put(self, kind: str, key: str, data: Any, at: datetime) -> None:
        """Insert or replace one entry (one atomic statement)."""
        self._check_key(kind, key)
        _require_aware("at", at)
        insert = _upsert_insert(self.session)
        stmt = insert(PtbState).values(kind=kind, key=key, data=data, updated_at=at)
        stmt = stmt.on_conflict_do_update(
            index_elements=[PtbState.kind, PtbState.key],
            set_={"data": stmt.excluded.data, "updated_at": stmt.excluded.updated_at},
        )
        await self.session.execute(stmt)

    async def delete(self, kind: str, key: str) -> bool:
        """Remove one entry; ``True`` if it existed."""
        self._check_key(kind, key)
        result = await self.session.execute(
            delete(PtbState).where(PtbState.kind == kind, PtbState.key == key)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
