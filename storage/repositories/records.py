"""Activity records, their evidence files and their amendment history."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from storage.files import is_sha256
from storage.models import FILE_ROLES, ActivityRecord, RecordAmendment, RecordFile
from storage.repositories._checks import (
    NotFoundError,
    _check_count,
    _check_day,
    _check_text,
    _json_dict,
    _require_aware,
)

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
    if not is_sha256(spec["sha256"]):
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

    async def amend_photos(
        self,
        record_id: int,
        *,
        by: int,
        at: datetime,
        reason: str,
        photos: Iterable[Mapping[str, Any]],
        replace: bool = False,
        role: str = "photo",
    ) -> RecordAmendment:
        """Add ``photos`` to the record's photos (``replace``: instead of them) and keep it as an amendment.

        Each photo is a file dict as in :meth:`add` without ``role`` and ``position`` (they are set here: after
        the photos kept). The amendment stores ``{"photos": [old sha256s, new sha256s]}``, so a replaced photo
        stays findable in the file store. No photos, an empty ``reason``, a withdrawn record or a photo that is
        already on the record (the same Telegram file) raise :class:`ValueError`; a missing record raises
        :class:`NotFoundError`. ``role="minutes"`` with ``replace``: the record's new minutes, kept as
        ``minutes_files`` (the typed minutes they replace cleared, kept as ``minutes_text``).
        """
        _require_aware("at", at)
        _check_text("reason", reason, 10_000)
        specs = [dict(p) for p in photos]
        if not specs:
            raise ValueError("an amendment of the photos needs at least one photo")
        record = await self._require(record_id)
        if record.status == "withdrawn":
            raise ValueError(f"activity record {record_id} is withdrawn")
        files = await self.files(record_id)
        old = [f for f in files if f.role == role]
        kept = [f for f in files if not (replace and f.role == role)]
        seen = {f.telegram_file_unique_id for f in kept}
        start = max((f.position for f in kept if f.role == role), default=-1) + 1
        rows = [
            _record_file(i, {**spec, "role": role, "position": start + i}) for i, spec in enumerate(specs)
        ]
        for row in rows:
            if row.telegram_file_unique_id in seen:
                raise ValueError(f"file {row.telegram_file_unique_id!r} is already on record {record_id}")
            seen.add(row.telegram_file_unique_id)
        for f in old if replace else ():
            await self.session.delete(f)
        await (
            self.session.flush()
        )  # the replaced rows go before the new ones (same Telegram file, same record)
        for row in rows:
            row.record_id = record_id
            self.session.add(row)
        before = [f.sha256 for f in old]
        after = [f.sha256 for f in kept if f.role == role] + [row.sha256 for row in rows]
        changes: dict[str, list[Any]] = {"photos" if role == "photo" else "minutes_files": [before, after]}
        if role == "minutes" and replace and record.minutes_text:
            changes["minutes_text"], record.minutes_text = [record.minutes_text, None], None
        record.updated_at = at
        amendment = RecordAmendment(
            record_id=record_id, amended_by=by, amended_at=at, reason=reason, changes=changes
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
