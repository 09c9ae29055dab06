"""Many records for the ledger export's memory and time checks (the test at 10,000, ``bench/export.py`` beyond).

Rows go in with bulk INSERTs (executemany), a page at a time: every kind of the catalogue, spread over the branches
and the months of 2026-Q4, each with one photo (all the same bytes, so the store holds one file).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.clock import SHANGHAI
from knowledge.activities import CATALOGUE, Cadence
from storage.models import ActivityRecord, Branch, RecordFile

AT = datetime(2026, 12, 20, 9, 0, tzinfo=SHANGHAI)
STATES = ("passed", "pending_review", "returned")
PAGE = 2000


def _record(i: int, branches: int) -> dict:
    kind = CATALOGUE[i % len(CATALOGUE)]
    month = 10 + (i // len(CATALOGUE)) % 3
    held = date(2026, month, 1 + i % 28)
    period = {Cadence.MONTHLY: f"2026-{month:02d}", Cadence.QUARTERLY: "2026-Q4", Cadence.YEARLY: "2026"}[
        kind.cadence
    ]
    details = {
        f.key: (
            ["学习讨论", "志愿服务"]
            if f.input_type == "multi"
            else 3
            if f.input_type == "int"
            else "内容" * 5
        )
        for f in kind.fields
    }
    return {
        "id": i + 1,
        "branch_id": 1 + i % branches,
        "kind": kind.code,
        "period": period,
        "held_on": held,
        "topic": f"第{i}次活动：学习贯彻党的二十届四中全会精神",
        "place": "党员活动室",
        "expected": 12,
        "actual": 11,
        "absentees": [{"name": "张三", "reason": "出差"}],
        "details": details,
        "minutes_text": "会议由支部书记主持，传达学习了上级精神，并研究了下一步工作。" * 4,
        "status": "active",
        "review_state": STATES[i % 3],
        "submitted_by": 10_000 + i % branches,
        "created_at": AT,
        "updated_at": AT,
    }


async def fill(
    factory: async_sessionmaker[AsyncSession], photo: bytes, records: int, branches: int = 40
) -> None:
    sha = hashlib.sha256(photo).hexdigest()
    async with factory() as session, session.begin():
        await session.execute(
            insert(Branch),
            [
                {"id": b + 1, "org_name": f"第{b + 1}家企业", "name": f"第{b + 1}支部", "form": "single",
                 "formal_members": 5, "created_at": AT, "updated_at": AT}
                for b in range(branches)
            ],
        )  # fmt: skip
    for start in range(0, records, PAGE):
        ids = range(start, min(start + PAGE, records))
        async with factory() as session, session.begin():
            await session.execute(insert(ActivityRecord), [_record(i, branches) for i in ids])
            await session.execute(
                insert(RecordFile),
                [
                    {"record_id": i + 1, "role": "photo", "sha256": sha, "size": len(photo), "mime": "image/jpeg",
                     "telegram_file_id": f"f{i}", "telegram_file_unique_id": f"u{i}", "position": 0}
                    for i in ids
                ],
            )  # fmt: skip
