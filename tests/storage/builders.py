"""Shared builders of the storage repository tests: fixed instants, a branch, a record, a file spec."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from storage.models import ActivityRecord, Branch
from storage.repositories import BranchRepository, RecordRepository

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 3, 9, 0, tzinfo=SHANGHAI)
LATER = T0 + timedelta(hours=1)


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


async def add_branch(session, name: str = "第一支部", **kwargs) -> Branch:
    values = {"org_name": "某科技有限公司", "name": name, "form": "single", "formal_members": 5, "at": T0}
    values.update(kwargs)
    return await BranchRepository(session).add(**values)


def photo(position: int, unique: str | None = None, role: str = "photo") -> dict[str, object]:
    return {
        "role": role,
        "sha256": hashlib.sha256(f"{role}{position}".encode()).hexdigest(),
        "size": 1000 + position,
        "mime": "image/jpeg" if role == "photo" else "application/pdf",
        "telegram_file_id": f"AgACAgUAAxkBAAI{position}",
        "telegram_file_unique_id": unique or f"AQAD{role}{position}",
        "position": position,
    }


async def add_record(session, branch_id: int, **kwargs) -> ActivityRecord:
    values: dict[str, object] = {
        "branch_id": branch_id,
        "kind": "theme_day",
        "period": "2026-11",
        "held_on": date(2026, 11, 2),
        "topic": "学习党的二十届四中全会精神",
        "submitted_by": 1001,
        "at": T0,
    }
    values.update(kwargs)
    return await RecordRepository(session).add(**values)
