"""Reviewing records: pass (通过) or return (退回, with a comment); the scoped reads reviewers need.

Every method takes the acting user's id and checks their rights inside its own session
(``supervision.load_viewer``): an administrator reviews every branch, a district supervisor only theirs, nobody
their own submission. Results are plain values, with whom to notify (:class:`Notify`) for the adapter to send.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.services.form.display import record_number
from handlers.services.history import HistoryEntry
from handlers.services.records import RecordView, build_view, kind_name
from handlers.services.supervision import ScopedService, Viewer, clean_name, load_viewer
from handlers.services.text import clean_text
from storage.models import ActivityRecord, Branch
from storage.repositories import BranchRepository, RecordRepository
from storage.repositories.reviews import ReviewRepository
from storage.repositories.supervisors import SupervisorRepository

MIN_COMMENT, MAX_COMMENT = 2, 500


@dataclass(frozen=True, slots=True)
class RecordBrief:
    """What a notification or a review button shows of a record."""

    record_id: int
    number: str
    branch_id: int
    branch_name: str
    kind: str
    kind_name: str
    period: str
    held_on: date
    topic: str
    review_state: str
    status: str
    submitted_by: int
    secretary_user_id: int | None


@dataclass(frozen=True, slots=True)
class ReviewQueue:
    """The oldest records waiting for this reviewer (at most the limit asked for), and how many wait in all."""

    items: list[RecordBrief]
    total: int


@dataclass(frozen=True, slots=True)
class Notify:
    """Tell ``user_id`` about ``record``: ``event`` is new_record | resubmitted (a returned record amended) |
    passed_amended (a passed record amended: to reviewers, with 通过 / 退回) or
    returned (to the secretary, with ``comment`` and a way to amend) | passed (to the secretary)."""

    user_id: int
    event: str
    record: RecordBrief
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class ReviewResult:
    """``status``: ok | missing (no such record, or not in the reviewer's scope) | forbidden (in scope but not
    theirs to review: a secretary, or their own submission) | withdrawn | unchanged (already in that state: see
    ``last``, e.g. another reviewer was first) | stale (通过 on a returned record: it must be amended first) |
    passed (退回 on a record already passed: see ``last``; only a record waiting for review is returned) |
    comment_required (2 to 500 characters)."""

    status: str
    record: RecordBrief | None = None
    last: HistoryEntry | None = None
    notify: list[Notify] = field(default_factory=list)


def brief(record: ActivityRecord, branch: Branch | None) -> RecordBrief:
    return RecordBrief(
        record.id,
        record_number(record.id, record.held_on),
        record.branch_id,
        branch.name if branch else "",
        record.kind,
        kind_name(record.kind),
        record.period,
        record.held_on,
        record.topic,
        record.review_state,
        record.status,
        record.submitted_by,
        branch.secretary_user_id if branch else None,
    )


def clean_comment(text: str | None) -> str | None:
    """The comment fit to store, or ``None`` when it is too short (a return needs a reason) or too long (never cut:
    the reviewer is asked to shorten it)."""
    comment = clean_text(text or "").strip()
    return comment if MIN_COMMENT <= len(comment) <= MAX_COMMENT else None


class ReviewService(ScopedService):
    async def _scoped(
        self, session: AsyncSession, user_id: int, record_id: int
    ) -> tuple[Viewer, ActivityRecord, Branch | None] | None:
        viewer = await load_viewer(session, user_id, self.admin_ids)
        record = await RecordRepository(session).get(record_id)
        if record is None or not viewer.can_view_branch(record.branch_id):
            return None
        return viewer, record, await BranchRepository(session).get(record.branch_id)

    async def pass_record(self, reviewer_id: int, record_id: int, name: str | None = None) -> ReviewResult:
        """通过: a pending record becomes passed; the secretary is told (event ``passed``). A returned record is
        ``stale`` until its secretary amends it. ``name``: the reviewer's name as the channel knows it (kept, so
        the record's history names them)."""
        return await self._move(reviewer_id, record_id, "passed", None, name)

    async def return_record(
        self, reviewer_id: int, record_id: int, comment: str, name: str | None = None
    ) -> ReviewResult:
        """退回 with a comment: a record waiting for review becomes returned (it counts as missing until it passes
        again); the secretary is told, with the comment (event ``returned``). A passed record is not returned
        (``passed``): the web offers no 退回 on it either, and a stale button must not overturn a pass."""
        cleaned = clean_comment(comment)
        if cleaned is None:
            return ReviewResult("comment_required")
        return await self._move(reviewer_id, record_id, "returned", cleaned, name)

    async def reopen_passed(
        self, admin_id: int, record_id: int, comment: str, name: str | None = None
    ) -> ReviewResult:
        """An administrator returns a passed record for correction (a record of a closed period cannot be amended
        while passed: ``amend_rules.closed_note``): passed -> returned, logged with the reason, the secretary told
        (event ``returned``). Only administrators (it re-opens a period's result); ``not_passed`` for a record in
        another state, ``admins_only`` for anyone else. One conditional UPDATE: a replay finds it returned."""
        if admin_id not in self.admin_ids:
            return ReviewResult("admins_only")
        cleaned = clean_comment(comment)
        if cleaned is None:
            return ReviewResult("comment_required")
        return await self._move(admin_id, record_id, "returned", cleaned, name, expected="passed")

    async def may_reopen(self, admin_id: int, record_id: int) -> ReviewResult:
        """Before 退回更正 asks for a reason: ``ok`` (with the record) when this administrator may return it now,
        else the status :meth:`reopen_passed` would give (admins_only, missing, withdrawn, not_passed)."""
        if admin_id not in self.admin_ids:
            return ReviewResult("admins_only")
        async with self.session_factory() as session:
            checked = await self._check(session, admin_id, record_id)
            if isinstance(checked, ReviewResult):
                return checked
            record, branch = checked
            return ReviewResult(
                "ok" if record.review_state == "passed" else "not_passed", brief(record, branch)
            )

    async def may_return(self, reviewer_id: int, record_id: int) -> ReviewResult:
        """Before 退回 asks for a comment: ``ok`` (with the record) when this reviewer may return it now, else the
        status :meth:`return_record` would give (missing, forbidden, withdrawn, unchanged, passed)."""
        async with self.session_factory() as session:
            checked = await self._check(session, reviewer_id, record_id)
            if isinstance(checked, ReviewResult):
                return checked
            record, branch = checked
            if record.review_state != "pending_review":
                return await self._refused(session, record, branch, "returned")
            return ReviewResult("ok", brief(record, branch))

    async def _check(
        self, session: AsyncSession, reviewer_id: int, record_id: int
    ) -> ReviewResult | tuple[ActivityRecord, Branch | None]:
        """The record and its branch if this reviewer may review it and it is active; else why not."""
        scoped = await self._scoped(session, reviewer_id, record_id)
        if scoped is None:
            return ReviewResult("missing")
        viewer, record, branch = scoped
        if not viewer.can_review(record):
            return ReviewResult("forbidden", brief(record, branch))
        if record.status != "active":
            return ReviewResult("withdrawn", brief(record, branch))
        return record, branch

    async def _refused(
        self, session: AsyncSession, record: ActivityRecord, branch: Branch | None, state: str
    ) -> ReviewResult:
        """Why a record cannot be moved to ``state`` (read anew: another reviewer may just have moved it)."""
        await session.refresh(record)
        if record.status != "active":
            return ReviewResult("withdrawn", brief(record, branch))
        entry = (await ReviewRepository(session).last_events([record.id])).get(record.id)
        history = entry and HistoryEntry(entry.at, entry.actor_id, entry.action, entry.comment)
        if record.review_state == state:
            status = "unchanged"
        else:
            status = "passed" if record.review_state == "passed" else "stale"
        return ReviewResult(status, brief(record, branch), history)

    async def _move(
        self,
        reviewer_id: int,
        record_id: int,
        state: str,
        comment: str | None,
        name: str | None = None,
        expected: str = "pending_review",
    ) -> ReviewResult:
        """Only a record waiting for review is passed or returned, in one conditional UPDATE (two reviewers, or a
        pass between pressing 退回 and sending its comment: the later one is refused, never overturns); with
        ``expected`` "passed", only a passed one is returned (``reopen_passed``: else ``not_passed``)."""
        async with self.session_factory() as session, session.begin():
            checked = await self._check(session, reviewer_id, record_id)
            if isinstance(checked, ReviewResult):
                return checked
            record, branch = checked
            await BranchRepository(session).remember_name(reviewer_id, clean_name(name), self.clock.now())
            event = await ReviewRepository(session).move(
                record_id, expected=(expected,), state=state, action=state, actor_id=reviewer_id,
                at=self.clock.now(), comment=comment,
            )  # fmt: skip
            if event is None and expected == "passed":
                return ReviewResult("not_passed", brief(record, branch))
            if event is None:
                return await self._refused(session, record, branch, state)
            await session.refresh(record)
            info = brief(record, branch)
        secretary = info.secretary_user_id
        notify = [Notify(secretary, state, info, comment)] if secretary and secretary != reviewer_id else []
        return ReviewResult("ok", info, HistoryEntry(event.at, reviewer_id, state, comment), notify)

    async def new_record_notice(self, record_id: int) -> list[Notify]:
        """Whom to tell that a record was stored (event ``new_record``): the administrators and the branch's
        supervisors, never the submitter. Empty when the record is gone."""
        async with self.session_factory() as session:
            record = await RecordRepository(session).get(record_id)
            if record is None or record.status != "active":
                return []
            branch = await BranchRepository(session).get(record.branch_id)
            supervisors = await SupervisorRepository(session).supervisors_of(record.branch_id)
        info = brief(record, branch)
        reviewers = sorted(self.admin_ids) + [u for u in supervisors if u not in self.admin_ids]
        return [Notify(u, "new_record", info) for u in reviewers if u != record.submitted_by]

    async def open(self, user_id: int, record_id: int) -> RecordView | None:
        """The record for anyone who may see its branch (``None`` otherwise), with ``can_review`` set."""
        async with self.session_factory() as session:
            scoped = await self._scoped(session, user_id, record_id)
            if scoped is None:
                return None
            viewer, record, branch = scoped
            mine = branch is not None and branch.secretary_user_id == user_id
            return await build_view(
                session,
                record,
                False,
                can_review=viewer.can_review(record),
                can_amend=mine,
                branch_name=branch.name if branch else None,
                today=self.clock.now().date(),
            )

    async def queue(self, user_id: int, limit: int = 50, offset: int = 0) -> ReviewQueue:
        """Records waiting for review that this user may review, oldest first (``limit`` of them after the first
        ``offset``: a page), and their number."""
        async with self.session_factory() as session:
            viewer = await load_viewer(session, user_id, self.admin_ids)
            if not viewer.may_use_dashboard:
                return ReviewQueue([], 0)
            scope = None if viewer.is_admin else viewer.supervised
            repo = ReviewRepository(session)
            rows = await repo.waiting(scope, exclude_submitter=user_id, limit=limit, offset=offset)
            total = offset + len(rows)
            if len(rows) >= limit or (offset and not rows):
                total = await repo.waiting_count(scope, exclude_submitter=user_id)
        return ReviewQueue([brief(record, branch) for record, branch in rows], total)
