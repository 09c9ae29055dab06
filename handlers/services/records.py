"""A branch's activity records: list, open, withdraw (24 hours), amend with a reason (history kept): the texts,
the attendance, the photos (add or replace).

An amendment of a returned (or passed) record puts it back to ``pending_review``: its reviewers are told
(:meth:`RecordService.amend_record` says whom). A passed record of a period that has ended is not amended
(``amend_rules.closed_note``: the closed period would read as not done again).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.amend_rules import (
    AMENDABLE,
    MAX_REASON,
    MIN_REASON,
    Amended,
    PhotoTaken,
    amend_value_problem,
    closed_note,
    date_problem,
    photo_spec,
)
from handlers.services.clock import Clock
from handlers.services.form.display import record_number
from handlers.services.form.files import IncomingFile, check_file
from handlers.services.form.model import MAX_ATTENDANCE
from handlers.services.history import HistoryEntry, timeline
from handlers.services.record_minutes import MinutesAmendments
from knowledge.activities import activity_by_code
from storage.files import FileStore
from storage.models import ActivityRecord, RecordAmendment, RecordFile
from storage.repositories import BranchRepository, RecordRepository
from storage.repositories.reviews import ReviewRepository
from storage.repositories.supervisors import SupervisorRepository

WITHDRAW_WINDOW = timedelta(hours=24)
HISTORY_MONTHS = 12
# How an amendment's changed fields read in a record's history (the attendance's three fields read as one).
CHANGE_LABELS = {
    **AMENDABLE,
    "expected": "出勤",
    "actual": "出勤",
    "absentees": "出勤",
    "held_on": "日期",
    "photos": "照片",
    "minutes_files": "会议记录",  # the minutes' new files (``record_minutes``)
}
PHOTO_MODES = ("add", "replace")
MAX_PHOTOS = 20
SAME_PHOTO = "这张照片和已有的照片是同一张，没有保存。请发送另一张现场照片。"
PHOTOS_GONE = "这条记录已不能修改（已撤回，或不属于您的支部）。"


@dataclass(frozen=True, slots=True)
class RecordView:
    """A record as its secretary or a reviewer opens it.

    ``history``: the amendments (as before); ``timeline``: every step, review included (``history.HistoryEntry``);
    ``review_state``: pending_review | passed | returned; ``return_comment``: what the reviewer asked to fix
    while the record is returned; ``can_review``: the viewer may review this active record (see ``reviewable``
    for whether it waits for review now); ``branch_name``: set for reviewers; ``closed``: why it may not be
    amended (passed, its period over: ``amend_rules.closed_note``).
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
    closed: str | None = None

    @property
    def number(self) -> str:
        return record_number(self.record.id, self.record.held_on)

    @property
    def review_state(self) -> str:
        return self.record.review_state

    @property
    def reviewable(self) -> bool:
        """The viewer may pass or return it now: it waits for review (a returned one waits for its secretary, a
        passed one is done until amended)."""
        return self.can_review and self.review_state == "pending_review"


@dataclass(frozen=True, slots=True)
class PhotoSlots:
    """The photos a record has and may have: ``count`` now, at least ``least``, at most ``most``."""

    count: int
    least: int
    most: int


def kind_name(code: str) -> str:
    ak = activity_by_code(code)
    return ak.name if ak else code


class RecordService(MinutesAmendments):
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
            today = self.clock.now().date()
            return await build_view(session, record, self._withdrawable(record), can_amend=True, today=today)

    def _withdrawable(self, record: ActivityRecord) -> bool:
        """Within a day of filing unless passed; a returned one at any time (a wrong date: withdraw, file anew)."""
        fresh = self.clock.now() - record.created_at <= WITHDRAW_WINDOW
        returned = record.review_state == "returned"
        return record.status == "active" and record.review_state != "passed" and (fresh or returned)

    async def _own_record(self, session: AsyncSession, user_id: int, record_id: int) -> ActivityRecord | None:
        """The record if it belongs to the user's branch (None for another branch's record, or no branch)."""
        branch_id = await self._branch_id(session, user_id)
        return await RecordRepository(session).get(record_id, branch_id=branch_id) if branch_id else None

    async def withdraw(self, user_id: int, record_id: int) -> str:
        """'ok', 'missing', 'withdrawn' (already: a second tap), 'passed' (a reviewer passed it) or 'late'."""
        async with self.session_factory() as session, session.begin():
            repo = RecordRepository(session)
            record = await self._own_record(session, user_id, record_id)
            if record is None:
                return "missing"
            if record.status != "active":
                return "withdrawn"
            if not self._withdrawable(record):
                return "passed" if record.review_state == "passed" else "late"
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
        return await self._amend(user_id, record_id, reason, {field: value.strip()})

    async def amend_held_on(self, user_id: int, record_id: int, held_on: date, reason: str) -> Amended:
        """Move the record to another day of its month (``amend_rules.date_problem``), like a text."""
        async with self.session_factory() as session:
            record = await self._own_record(session, user_id, record_id)
        problem = date_problem(record, held_on, self.clock.now().date()) if record is not None else None
        if problem is not None or len(reason.strip()) < MIN_REASON:
            return Amended("invalid", problem=problem)
        return await self._amend(user_id, record_id, reason, {"held_on": held_on})

    async def amend_attendance(
        self, user_id: int, record_id: int, expected: int, actual: int, absentees: list[dict], reason: str
    ) -> Amended:
        """Amend the attendance (应到, 实到 and who was absent, as ``form.steps`` parses them), like a text."""
        if (
            not 0 < expected <= MAX_ATTENDANCE
            or not 0 <= actual <= expected
            or len(reason.strip()) < MIN_REASON
        ):
            return Amended("invalid")
        changes = {
            "expected": expected,
            "actual": actual,
            "absentees": absentees if actual < expected else [],
        }
        return await self._amend(user_id, record_id, reason, changes)

    async def _amendable(
        self, session: AsyncSession, user_id: int, record_id: int
    ) -> ActivityRecord | Amended:
        """The user's active record of a period not yet closed (``amend_rules.closed_note``), or why it cannot be
        amended."""
        record = await self._own_record(session, user_id, record_id)
        if record is None:
            return Amended("missing")
        if record.status != "active":
            return Amended("withdrawn")
        if closed := closed_note(record, self.clock.now().date()):
            return Amended("closed", problem=closed)
        return record

    async def _amend(self, user_id: int, record_id: int, reason: str, changes: dict) -> Amended:
        async with self.session_factory() as session, session.begin():
            record = await self._amendable(session, user_id, record_id)
            if isinstance(record, Amended):
                return record
            if all(getattr(record, name) == value for name, value in changes.items()):
                return Amended("unchanged")
            now = self.clock.now()
            amendment = await RecordRepository(session).amend(
                record_id, by=user_id, at=now, reason=reason.strip()[:MAX_REASON], changes=changes
            )
            return await self._resubmit(session, record, user_id, amendment.id)

    async def _resubmit(
        self, session: AsyncSession, record: ActivityRecord, user_id: int, amendment_id: int
    ) -> Amended:
        """After an amendment: a returned (or passed) record waits for review again; whom to tell."""
        was = record.review_state
        moved = await ReviewRepository(session).move(
            record.id,
            expected=("returned", "passed"),
            state="pending_review",
            action="amended",
            actor_id=user_id,
            at=self.clock.now(),
            amendment_id=amendment_id,
        )
        if moved is None:
            return Amended("ok")
        supervisors = await SupervisorRepository(session).supervisors_of(record.branch_id)
        reviewers = sorted(self.admin_ids) + [u for u in supervisors if u not in self.admin_ids]
        return Amended("ok", True, [u for u in reviewers if u != user_id], was=was)

    # -- photos: sent one by one (an album is one update per photo), then amended together with a reason ---------

    async def _photo_state(
        self, session: AsyncSession, user_id: int, record_id: int
    ) -> tuple[ActivityRecord, list[RecordFile], PhotoSlots] | None:
        """The user's active record, its files and its photo slots (None: not theirs, or withdrawn)."""
        record = await self._own_record(session, user_id, record_id)
        if record is None or record.status != "active":
            return None
        files = await RecordRepository(session).files(record_id)
        ak = activity_by_code(record.kind)
        count = sum(f.role == "photo" for f in files)
        return (
            record,
            files,
            PhotoSlots(count, ak.min_photos if ak else 1, ak.max_photos if ak else MAX_PHOTOS),
        )

    async def photo_slots(self, user_id: int, record_id: int) -> PhotoSlots | None:
        """How many photos the user's record has and may have (None: not theirs, or withdrawn)."""
        async with self.session_factory() as session:
            state = await self._photo_state(session, user_id, record_id)
        return state[2] if state else None

    async def take_photo(
        self,
        user_id: int,
        record_id: int,
        mode: str,
        taken: list[dict],
        incoming: IncomingFile,
        store: FileStore,
    ) -> PhotoTaken:
        """Check one photo sent to amend the record (``taken``: those already accepted) and store it.

        Refused, and never stored: over the kind's limit, not an image, too large, or the same picture as one the
        record keeps or as one already sent (the same bytes or the same Telegram file).
        """
        async with self.session_factory() as session:
            state = await self._photo_state(session, user_id, record_id)
        if state is None or mode not in PHOTO_MODES:
            return PhotoTaken(problem=PHOTOS_GONE)
        _, files, slots = state
        kept = [f for f in files if f.role == "photo" and mode == "add"]
        if len(kept) + len(taken) >= slots.most:
            return PhotoTaken(problem=f"照片最多{slots.most}张，多出的没有保存。请点击“完成”。")
        uniques = {f.telegram_file_unique_id for f in kept} | {e.get("unique_id") for e in taken}
        if incoming.unique_id in uniques:
            return PhotoTaken(problem=SAME_PHOTO)
        checked = check_file(incoming)
        if isinstance(checked, str):
            return PhotoTaken(problem=checked)
        if not checked.is_image:
            return PhotoTaken(problem="这里请发送活动照片（图片）。")
        if hashlib.sha256(incoming.data).hexdigest() in {f.sha256 for f in kept} | {
            e.get("sha256") for e in taken
        }:
            return PhotoTaken(problem=SAME_PHOTO)
        stored = await store.put(incoming.data, checked.type)
        entry = {"sha256": stored.sha256, "size": stored.size, "mime": stored.mime}
        return PhotoTaken(entry | {"file_id": incoming.file_id, "unique_id": incoming.unique_id})

    def photos_problem(self, slots: PhotoSlots, mode: str, new: int) -> str | None:
        """Why ``new`` photos cannot amend a record with ``slots`` now (a Chinese message), or None."""
        count = new + (slots.count if mode == "add" else 0)
        if new == 0:
            return "还没有收到新照片。请先发送照片，再点击“完成”。"
        if count < slots.least:
            return f"这类活动至少需要{slots.least}张照片，现在只有{count}张。请继续发送照片。"
        if count > slots.most:
            return f"照片最多{slots.most}张，现在有{count}张。请发送 /cancel 后重新操作。"
        return None

    async def amend_photos(
        self, user_id: int, record_id: int, mode: str, photos: list[dict], reason: str, store: FileStore
    ) -> Amended:
        """Add ``photos`` (entries from :meth:`take_photo`) to the record, or replace its photos with them, with
        a reason; like any amendment it puts a returned record back to review. The old photos stay in the file
        store and in the amendment."""
        specs = [photo_spec(p) for p in photos]
        if mode not in PHOTO_MODES or None in specs or len(reason.strip()) < MIN_REASON:
            return Amended("invalid")
        for spec in specs:
            if not await store.exists(spec["sha256"]):
                return Amended("invalid", problem="有照片没有保存成功，请重新发送照片。")
        async with self.session_factory() as session, session.begin():
            state = await self._photo_state(session, user_id, record_id)
            if state is None:
                return Amended(
                    "missing" if await self._own_record(session, user_id, record_id) is None else "withdrawn"
                )
            record, files, slots = state
            if closed := closed_note(record, self.clock.now().date()):
                return Amended("closed", problem=closed)
            problem = self.photos_problem(slots, mode, len(specs))
            kept = {f.telegram_file_unique_id for f in files if mode == "add" or f.role != "photo"}
            uniques = [spec["telegram_file_unique_id"] for spec in specs]
            if problem is None and (len(set(uniques)) < len(uniques) or kept & set(uniques)):
                problem = SAME_PHOTO
            if problem is not None:
                return Amended("invalid", problem=problem)
            amendment = await RecordRepository(session).amend_photos(
                record_id, by=user_id, at=self.clock.now(), reason=reason.strip()[:MAX_REASON], photos=specs,
                replace=mode == "replace",
            )  # fmt: skip
            return await self._resubmit(session, record, user_id, amendment.id)


async def build_view(
    session: AsyncSession,
    record: ActivityRecord,
    can_withdraw: bool,
    *,
    can_review: bool = False,
    can_amend: bool = False,
    branch_name: str | None = None,
    today: date | None = None,
) -> RecordView:
    """The record with its files and its whole history, read in the caller's session; with ``today``, whether
    its period is closed to amendments (``closed``)."""
    repo, reviews = RecordRepository(session), ReviewRepository(session)
    amendments = await repo.history(record.id)
    events = await reviews.events(record.id)
    returned = [e for e in events if e.action == "returned"]
    # what to fix, while it can be fixed: a withdrawn record is not amended and resubmitted (its history keeps it)
    waiting = record.review_state == "returned" and record.status == "active"
    comment = returned[-1].comment if waiting and returned else None
    closed = closed_note(record, today) if today is not None else None
    return RecordView(
        record,
        await repo.files(record.id),
        amendments,
        can_withdraw,
        timeline(record, amendments, events),
        comment,
        can_review and record.status == "active",
        can_amend and record.status == "active" and closed is None,
        branch_name,
        closed,
    )
