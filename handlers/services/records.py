"""A branch's activity records: list, open, withdraw (24 hours), amend with a reason (history kept)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.clock import Clock
from handlers.services.form.display import record_number
from handlers.services.form.model import MAX_MINUTES_TEXT, MAX_TEXT
from knowledge.activities import activity_by_code
from storage.models import ActivityRecord, RecordAmendment, RecordFile
from storage.repositories import BranchRepository, RecordRepository

WITHDRAW_WINDOW = timedelta(hours=24)
HISTORY_MONTHS = 12
AMENDABLE = {"topic": "主题", "place": "地点", "minutes_text": "会议记录"}
MAX_LENGTH = {"topic": MAX_TEXT, "place": MAX_TEXT, "minutes_text": MAX_MINUTES_TEXT}
MIN_REASON = 2


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


def amend_value_problem(field: str, value: str) -> str | None:
    """Why ``value`` cannot replace ``field`` (a Chinese message), or None when it can."""
    value = value.strip()
    if field not in AMENDABLE:
        return "这一项不能修改。"
    if not value:
        return "内容不能为空，请重新发送。"
    if len(value) > MAX_LENGTH[field]:
        return f"{AMENDABLE[field]}不能超过{MAX_LENGTH[field]}字，请重新发送。"
    return None


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
        if amend_value_problem(field, value) is not None or len(reason.strip()) < MIN_REASON:
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
