"""What the repositories share: argument validators, :class:`NotFoundError`, the upsert statement and the
chunking of long id lists."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from importlib import import_module
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

_CHUNK = 500  # values per IN (...) list
T = TypeVar("T")


def _chunks(ids: Sequence[T]) -> list[Sequence[T]]:
    """``ids`` (or any values) in lists short enough for one ``IN (...)``."""
    return [ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]


class NotFoundError(LookupError):
    """The row an operation needs (a branch, a record) does not exist."""


# Both dialects offer INSERT ... ON CONFLICT DO UPDATE ... RETURNING with the same API; a dialect's module is
# imported when first used (a bot on SQLite never loads PostgreSQL's, 2.2 MB).
_UPSERT_DIALECTS = frozenset({"postgresql", "sqlite"})


def _upsert_insert(session: AsyncSession) -> Any:
    """The dialect's ``insert`` that offers ``on_conflict_do_update``."""
    dialect = session.get_bind().dialect.name
    if dialect not in _UPSERT_DIALECTS:
        raise NotImplementedError(f"no upsert for the {dialect!r} dialect")
    return import_module(f"sqlalchemy.dialects.{dialect}").insert


def _require_aware(name: str, value: datetime) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {value!r}")


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


def _json_dict(name: str, value: object) -> dict[str, Any]:
    """A detached copy of a dict destined for a JSON column."""
    if not isinstance(value, Mapping):
        raise ValueError(f"{name} must be a dict, got {value!r}")
    return copy.deepcopy(dict(value))
