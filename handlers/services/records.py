"""A branch's activity records: list, open, withdraw (24 hours), amend with a reason (history kept).

An amendment of a returned (or passed) record puts it back to ``pending_review``: its reviewers are told
(:meth:`RecordService.amend_record` says whom).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.clock import Clock
from handlers.services.form.display import record_number
from handlers.services.form.model import MAX_MINUTES_TEXT, MAX_TEXT
from handlers.services.history import HistoryEntry, timeline
from knowledge.activities import activity_by_code
from storage.models import ActivityRecord, RecordAmendment, RecordFile
from storage.repositories import BranchRepository, RecordRepository
from storage.repositories.reviews import ReviewRepository
from storage.repositories.supervisors import SupervisorRepository

WITHDRAW_WINDOW = timedelta(hours=24)
HISTORY_MONTHS = 12
AMENDABLE = {"topic": "主题", "place": "地点", "minutes_text": "会议记录"}
MAX_LENGTH = {"topic": MAX_TEXT, "place": MAX_TEXT, "minutes_text": MAX_MINUTES_TEXT}
MIN_REASON = 2


@dataclass(frozen=True, slots=True)
class RecordView:
    """A record as its secretary or a reviewer opens it.

    ``history``: the amendments (as before); ``timeline``: every step, review included (``history.HistoryEntry``);
    ``review_state``: pending_review | passed | returned; ``return_comment``: what the reviewer asked to fix
    while the record is returned; ``can_review``: the viewer may pass or return it now; ``branch_name``: set
    for reviewers.
    """

    record: ActivityRecord
    files: list[RecordFile]
    history: list[RecordAmendment]
    can_withdraw: bool
    timeline: list[HistoryEntry] = field(default_factory=list)
    return_comment: str | None = None
    can_review: bool = False
    can_amend: bool = False
    branch_name: str | None = None

    @property
    def number(self) -> str:
        return record_number(self.record.id, self.record.held_on)

    @property
    def review_state(self) -> str:
        return self.record.review_state


@dataclass(frozen=True, slots=True)
class Amended:
    """What :meth:`RecordService.amend_record` did.

    ``status``: ok | missing | withdrawn | unchanged | invalid. ``resubmitted``: the amendment put a returned (or
    passed) record back to pending_review; then ``reviewers`` (administrators and the branch's supervisors) should
    be told that it waits for review again.
    """

    status: str
    resubmitted: bool = False
    reviewers: list[int] = field(default_factory=list)


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
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        admin_ids: frozenset[int] = frozenset(),
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.admin_ids = admin_ids

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
            record = await self._own_record(session, user_id, record_id)
            if record is None:
                return None
            return await build_view(session, record, self._withdrawable(record), can_amend=True)

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
        """'ok', 'missing', 'withdrawn', 'unchanged' or 'invalid' (see :meth:`amend_record` for whom to tell)."""
        return (await self.amend_record(user_id, record_id, field, value, reason)).status

    async def amend_record(
        self, user_id: int, record_id: int, field: str, value: str, reason: str
    ) -> Amended:
        """Amend the user's record; a returned or passed record goes back to pending_review, in one transaction."""
        if amend_value_problem(field, value) is not None or len(reason.strip()) < MIN_REASON:
            return Amended("invalid")
        async with self.session_factory() as session, session.begin():
            repo = RecordRepository(session)
            record = await self._own_record(session, user_id, record_id)
            if record is None:
                return Amended("missing")
            if record.status != "active":
                return Amended("withdrawn")
            if getattr(record, field) == value.strip():
                return Amended("unchanged")
            now = self.clock.now()
            amendment = await repo.amend(
                record_id, by=user_id, at=now, reason=reason.strip()[:200], changes={field: value.strip()}
            )
            moved = await ReviewRepository(session).move(
                record_id,
                expected=("returned", "passed"),
                state="pending_review",
                action="amended",
                actor_id=user_id,
                at=now,
                amendment_id=amendment.id,
            )
            if moved is None:
                return Amended("ok")
            supervisors = await SupervisorRepository(session).supervisors_of(record.branch_id)
        reviewers = sorted(self.admin_ids) + [u for u in supervisors if u not in self.admin_ids]
        return Amended("ok", True, [u for u in reviewers if u != user_id])


async def build_view(
    session: AsyncSession,
    record: ActivityRecord,
    can_withdraw: bool,
    *,
    can_review: bool = False,
    can_amend: bool = False,
    branch_name: str | None = None,
) -> RecordView:
    """The record with its files and its whole history, read in the caller's session."""
    repo, reviews = RecordRepository(session), ReviewRepository(session)
    amendments = await repo.history(record.id)
    events = await reviews.events(record.id)
    returned = [e for e in events if e.action == "returned"]
    comment = returned[-1].comment if record.review_state == "returned" and returned else None
    return RecordView(
        record,
        await repo.files(record.id),
        amendments,
        can_withdraw,
        timeline(record, amendments, events),
        comment,
        can_review and record.status == "active",
        can_amend and record.status == "active",
        branch_name,
    )
