"""A branch's activity records: list, open, withdraw (24 hours), amend with a reason (history kept)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.clock import Clock
from handlers.services.forms import attendance_lines, detail_text, record_number
from knowledge.activities import activity_by_code, period_of
from storage.models import ActivityRecord, RecordAmendment, RecordFile
from storage.repositories import BranchRepository, RecordRepository

WITHDRAW_WINDOW = timedelta(hours=24)
HISTORY_MONTHS = 12
AMENDABLE = {"topic": "主题", "place": "地点", "minutes_text": "会议记录"}
MAX_LENGTH = {"topic": 200, "place": 200, "minutes_text": 4000}


@dataclass(frozen=True, slots=True)
class RecordView:
    record: ActivityRecord
    files: list[RecordFile]
    history: list[RecordAmendment]
    can_withdraw: bool

    @property
    def number(self) -> str:
        return record_number(self.record.id, self.record.held_on)


def kind_name(code: str) -> str:
    ak = activity_by_code(code)
    return ak.name if ak else code


def describe(view: RecordView, tz: tzinfo) -> str:
    r = view.record
    ak = activity_by_code(r.kind)
    lines = [f"记录编号：{view.number}" + ("（已撤回）" if r.status == "withdrawn" else "")]
    lines.append(
        f"{kind_name(r.kind)} · {period_of(ak.cadence, r.held_on).label if ak else r.period} · {r.held_on:%Y-%m-%d}"
    )
    lines += [f"主题：{r.topic}", f"地点：{r.place or '未填写'}"]
    lines += attendance_lines(r.expected, r.actual, r.absentees)
    for spec in ak.fields if ak else ():
        if (value := detail_text((r.details or {}).get(spec.key))) is not None:
            lines.append(f"{spec.label}：{value}")
    photos = [f for f in view.files if f.role == "photo"]
    minutes = [f for f in view.files if f.role == "minutes"]
    if r.minutes_text:
        lines.append(f"会议记录：{r.minutes_text}")
    elif minutes:
        lines.append(f"会议记录：文件/照片 {len(minutes)} 份")
    lines.append(f"照片：{len(photos)} 张")
    for h in view.history:
        fields = "、".join(AMENDABLE.get(k, k) for k in (h.changes or {}))
        lines.append(f"修改：{h.amended_at.astimezone(tz):%Y-%m-%d %H:%M} 改了{fields}，原因：{h.reason}")
    return "\n".join(lines)


class RecordService:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self.session_factory = session_factory
        self.clock = clock

    async def _branch_id(self, session: AsyncSession, user_id: int) -> int | None:
        branch = await BranchRepository(session).by_secretary(user_id)
        return branch.id if branch else None

    async def recent(self, user_id: int) -> list[ActivityRecord] | None:
        """This period's and the last 12 months' records of the user's branch (None: the user has no branch)."""
        today = self.clock.now().date()
        since = date(today.year - 1, today.month, 1)
        async with self.session_factory() as session:
            branch_id = await self._branch_id(session, user_id)
            if branch_id is None:
                return None
            return await RecordRepository(session).list_for_branch(
                branch_id, since=since, include_withdrawn=True
            )

    async def open(self, user_id: int, record_id: int) -> RecordView | None:
        """None when the record does not exist or belongs to another branch."""
        async with self.session_factory() as session:
            repo = RecordRepository(session)
            record = await self._own_record(session, user_id, record_id)
            if record is None:
                return None
            return RecordView(
                record, await repo.files(record_id), await repo.history(record_id), self._withdrawable(record)
            )

    def _withdrawable(self, record: ActivityRecord) -> bool:
        return record.status == "active" and self.clock.now() - record.created_at <= WITHDRAW_WINDOW

    async def _own_record(self, session: AsyncSession, user_id: int, record_id: int) -> ActivityRecord | None:
        """The record if it belongs to the user's branch (None for another branch's record, or no branch)."""
        branch_id = await self._branch_id(session, user_id)
        return await RecordRepository(session).get(record_id, branch_id=branch_id) if branch_id else None

    async def withdraw(self, user_id: int, record_id: int) -> str:
        """'ok', 'missing' or 'late'."""
        async with self.session_factory() as session, session.begin():
            repo = RecordRepository(session)
            record = await self._own_record(session, user_id, record_id)
            if record is None:
                return "missing"
            if not self._withdrawable(record):
                return "late"
            await repo.withdraw(record_id, self.clock.now())
        return "ok"

    async def amend(self, user_id: int, record_id: int, field: str, value: str, reason: str) -> str:
        """'ok', 'missing', 'withdrawn', 'unchanged' or 'invalid'."""
        if (
            field not in AMENDABLE
            or not value.strip()
            or not reason.strip()
            or len(value.strip()) > MAX_LENGTH[field]
        ):
            return "invalid"
        async with self.session_factory() as session, session.begin():
            repo = RecordRepository(session)
            record = await self._own_record(session, user_id, record_id)
            if record is None:
                return "missing"
            if record.status != "active":
                return "withdrawn"
            if getattr(record, field) == value.strip():
                return "unchanged"
            await repo.amend(
                record_id,
                by=user_id,
                at=self.clock.now(),
                reason=reason.strip()[:200],
                changes={field: value.strip()},
            )
        return "ok"
