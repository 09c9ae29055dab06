"""How a draft's or a record's values read, shared by the form's summary and the record view."""

from __future__ import annotations

from datetime import date


def record_number(record_id: int, held_on: date) -> str:
    return f"JL{held_on.year}-{record_id:06d}"


def attendance_lines(expected: int | None, actual: int | None, absentees: list[dict] | None) -> list[str]:
    """出勤 and 缺席 lines of a draft or a record (none when attendance was not given)."""
    if not expected:
        return []
    return [
        f"出勤：应到{expected}人，实到{actual}人",
        *(f"  缺席：{p.get('name')}（{p.get('reason')}）" for p in absentees or []),
    ]


def detail_text(value: object) -> str | None:
    """A kind-specific field's value as shown (choices joined with 、), None when empty."""
    if isinstance(value, list):
        value = "、".join(value)
    return None if value in (None, "") else str(value)
