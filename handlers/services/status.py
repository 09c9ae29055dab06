"""The compliance matrix of a period: branch by activity kind, each cell recorded, waiting for review, returned,
missing, muted or not yet started, with an overdue flag and totals per kind and per branch.

A view is a month (``2026-11``), a quarter (``2026-Q4``) or a year (``2026``). A kind is counted in the periods of
its own cadence that overlap the view (its *slots*): in a quarter view a monthly kind has three slots, a quarterly
kind one; in a month view a quarterly kind has the one quarter the month is in. A slot is

- ``recorded``: at least one record passed review;
- ``waiting``: none passed, at least one waits for review;
- ``returned``: the only records were returned (counts as missing until one passes);
- ``upcoming``: nothing yet, and the slot has not started;
- ``muted``: nothing yet, and the reminders were muted for that branch and kind while the slot was running
  (``reminder_mutes``, kept as history: a mute for that period, or one until unmuted set by the slot's last day
  and not lifted or replaced by then; so a mute set or lifted later never changes a slot already over);
- ``missing``: nothing at all;
- ``na`` (未成立): nothing, and the slot ended before the branch was created (``branches.created_at``, a date in
  the clock's zone): it was never owed. The slot the branch was created in is owed, as the reminders and the
  administrators' digest count it (``reminders/digest.py``: a branch counts for a period it existed by the end
  of), however little of it was left.

``overdue``: missing or returned, owed (not ``na``), and its deadline (by default the slot's last day) has passed.
A muted slot is never overdue. A record of a slot before the branch was created still shows as recorded, waiting
or returned.

A slot longer than the view (a yearly kind in a quarter, a quarterly kind in a month) is seen as of the view's
last day, so a view that is over never changes with what happens after it, and the ledger's sheets (which list
that slot's records held up to the view's last day, ``export._plan``) agree with its summary: only records held
by then count, the branch is owed it only if it was created by then, the mutes are those in force then, and it
is never overdue in that view (its deadline lies beyond it; the view that holds its end says so).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.clock import Clock
from handlers.services.periods import finer_or_equal, parse_period, slots, this_month
from handlers.services.supervision import load_viewer
from knowledge.activities import CATALOGUE, Cadence, Period
from knowledge.organisation import holds_own_activities
from storage.models import Branch, ReminderMute
from storage.repositories.ledger import LedgerRepository
from storage.repositories.reminders import ReminderRepository
from storage.repositories.status import CountRow, StatusRepository

STATES = ("recorded", "waiting", "returned", "missing", "muted", "upcoming", "na")
STATE_LABELS = {
    "recorded": "已完成",
    "waiting": "待审核",
    "returned": "已退回",
    "missing": "未完成",
    "muted": "已免提醒",
    "upcoming": "未开始",
    "na": "未成立",
}
_WORST_FIRST = ("missing", "returned", "waiting", "muted", "upcoming", "recorded", "na")

Deadline = Callable[[str, Period], date]  # (kind code, slot) -> the last day it may be recorded


def period_end(kind: str, slot: Period) -> date:
    return slot.end


@dataclass(frozen=True, slots=True)
class MuteSpan:
    """A mute as the reports read it: of one period (``period``) or until unmuted (``None``), set on ``since`` and
    lifted or replaced on ``until`` (days in the clock's zone; ``None``: always, still in force)."""

    branch_id: int
    kind: str
    period: str | None
    reason: str
    since: date | None = None
    until: date | None = None

    def applies(self, slot: Period, end: date) -> bool:
        """Whether it mutes ``slot`` as of ``end`` (the slot's last day): it is of that slot (or until unmuted),
        was set by ``end`` and not lifted or replaced until after ``end``."""
        if self.period is not None and self.period != slot.code:
            return False
        if self.since is not None and self.since > end:
            return False
        return self.until is None or self.until > end


def _day(at: datetime | None, tz: tzinfo | None) -> date | None:
    if at is None:
        return None
    return (at.astimezone(tz) if tz is not None else at).date()


def mute_spans(rows: Iterable[ReminderMute], tz: tzinfo | None = None) -> list[MuteSpan]:
    """The mutes' history rows as spans of days in ``tz``."""
    return [
        MuteSpan(m.branch_id, m.kind, m.period, m.reason, _day(m.created_at, tz), _day(m.ended_at, tz))
        for m in rows
    ]


@dataclass(frozen=True, slots=True)
class Slot:
    period: Period
    state: str
    passed: int = 0
    pending: int = 0
    returned: int = 0
    overdue: bool = False
    mute_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Cell:
    branch_id: int
    kind: str
    slots: list[Slot]

    @property
    def state(self) -> str:
        """The worst state of its slots (missing, returned, waiting, muted, upcoming, recorded)."""
        present = {s.state for s in self.slots}
        return next(state for state in _WORST_FIRST if state in present)

    @property
    def overdue(self) -> bool:
        return any(s.overdue for s in self.slots)

    @property
    def counts(self) -> Counter[str]:
        return Counter(s.state for s in self.slots)

    @property
    def owed(self) -> int:
        """How many of its slots were owed (not before the branch was created)."""
        return sum(s.state != "na" for s in self.slots)


@dataclass
class Totals:
    """Slots by state, overdue slots, and active records by review state."""

    slots: Counter[str] = field(default_factory=Counter)
    overdue: int = 0
    passed: int = 0
    pending: int = 0
    returned: int = 0

    def add(self, cell: Cell) -> None:
        for s in cell.slots:
            self.slots[s.state] += 1
            self.overdue += s.overdue
            self.passed += s.passed
            self.pending += s.pending
            self.returned += s.returned


@dataclass(frozen=True, slots=True)
class KindColumn:
    code: str
    name: str
    cadence: Cadence


@dataclass(frozen=True, slots=True)
class BranchRow:
    branch_id: int
    name: str
    org_name: str
    cells: dict[str, Cell]
    totals: Totals


@dataclass(frozen=True, slots=True)
class StatusMatrix:
    period: Period
    as_of: date
    kinds: list[KindColumn]
    rows: list[BranchRow]
    kind_totals: dict[str, Totals]
    totals: Totals


# As if founded after every slot: nothing owed (``knowledge.organisation.holds_own_activities``).
NEVER_OWED = date.max


def founded_on(branch: Branch, tz: tzinfo | None = None) -> date | None:
    """The day the branch was created, in ``tz`` (``None``: unknown, as if it always existed)."""
    created = branch.created_at
    if created is None:
        return None
    return (created.astimezone(tz) if tz is not None else created).date()


def is_owed(slot: Period, founded: date | None, end: date | None = None) -> bool:
    """Whether a branch created on ``founded`` owes ``slot`` seen as of ``end`` (default: the slot's last day):
    it existed by then."""
    return founded is None or founded <= min(slot.end, end or slot.end)


def slot_state(
    slot: Period,
    records: Counter[str],
    mute: MuteSpan | None,
    today: date,
    founded: date | None = None,
    end: date | None = None,
) -> str:
    if records["passed"]:
        return "recorded"
    if records["pending_review"]:
        return "waiting"
    if records["returned"]:
        return "returned"
    if not is_owed(slot, founded, end):
        return "na"
    if slot.start > today:
        return "upcoming"
    return "muted" if mute is not None else "missing"


def _mute_for(
    mutes: dict[tuple[int, str], list[MuteSpan]], branch_id: int, kind: str, slot: Period, end: date
) -> MuteSpan | None:
    """The mute in force for the slot as of ``end`` (at most one: a branch has one current mute per kind)."""
    return next((m for m in mutes.get((branch_id, kind), ()) if m.applies(slot, end)), None)


def _slot(
    slot: Period,
    end: date,
    kind: str,
    branch_id: int,
    founded: date | None,
    by_cell: dict[tuple[int, str, str], Counter[str]],
    muted: dict[tuple[int, str], list[MuteSpan]],
    today: date,
    deadline: Deadline,
) -> Slot:
    """One slot seen as of ``end`` (its last day, or the view's when the slot is longer than the view)."""
    records = by_cell.get((branch_id, kind, slot.code), Counter())
    mute = _mute_for(muted, branch_id, kind, slot, end)
    state = slot_state(slot, records, mute, today, founded, end)
    overdue = (
        state in ("missing", "returned")
        and is_owed(slot, founded, end)
        and end == slot.end  # a slot longer than the view is due after it
        and today > deadline(kind, slot)
    )
    reason = mute.reason if state == "muted" and mute else None
    return Slot(
        slot, state, records["passed"], records["pending_review"], records["returned"], overdue, reason
    )


def counted_by(counts: Iterable[CountRow], later: Iterable[CountRow]) -> list[CountRow]:
    """``counts`` less the records of ``later`` (those held after the view, of slots longer than it)."""
    less = Counter({(r.branch_id, r.kind, r.period, r.review_state): r.records for r in later})
    rows = []
    for r in counts:
        n = r.records - less[(r.branch_id, r.kind, r.period, r.review_state)]
        if n > 0:
            rows.append(CountRow(r.branch_id, r.kind, r.period, r.review_state, n))
    return rows


def build_matrix(
    view: Period,
    today: date,
    branches: Iterable[Branch],
    counts: Iterable[CountRow],
    mutes: Iterable[MuteSpan],
    deadline: Deadline = period_end,
    tz: tzinfo | None = None,
) -> StatusMatrix:
    """The matrix from plain rows (pure: no database, no clock); ``tz`` dates the branches' creation."""
    by_cell: dict[tuple[int, str, str], Counter[str]] = {}
    for row in counts:
        by_cell.setdefault((row.branch_id, row.kind, row.period), Counter())[row.review_state] += row.records
    muted: dict[tuple[int, str], list[MuteSpan]] = {}
    for m in mutes:
        muted.setdefault((m.branch_id, m.kind), []).append(m)
    kinds = [KindColumn(k.code, k.name, k.cadence) for k in CATALOGUE]
    kind_slots = {k.code: slots(k.cadence, view) for k in CATALOGUE}
    kind_totals = {k.code: Totals() for k in kinds}
    totals, rows = Totals(), []
    for branch in branches:
        cells, branch_totals = {}, Totals()
        founded = founded_on(branch, tz)
        if not holds_own_activities(branch.form, branch.formal_members):
            founded = NEVER_OWED  # a 挂靠建 group, a unit with no formal member: its slots are "na", its records shown
        for kind in kinds:
            cell_slots = [
                _slot(
                    slot,
                    min(slot.end, view.end),
                    kind.code,
                    branch.id,
                    founded,
                    by_cell,
                    muted,
                    today,
                    deadline,
                )
                for slot in kind_slots[kind.code]
            ]
            cell = Cell(branch.id, kind.code, cell_slots)
            cells[kind.code] = cell
            for bucket in (branch_totals, kind_totals[kind.code], totals):
                bucket.add(cell)
        rows.append(BranchRow(branch.id, branch.name, branch.org_name, cells, branch_totals))
    return StatusMatrix(view, today, kinds, rows, kind_totals, totals)


class StatusService:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        admin_ids: frozenset[int],
        deadline: Deadline = period_end,
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.admin_ids = admin_ids
        self.deadline = deadline

    def view(self, period: str | Period | None) -> Period:
        """The period asked for (``None``: this month); a malformed code raises ``ValueError`` (Chinese)."""
        if period is None:
            return this_month(self.clock.now().date())
        return parse_period(period) if isinstance(period, str) else period

    async def matrix(self, user_id: int, period: str | Period | None = None) -> StatusMatrix | None:
        """The matrix the user may see: every branch for an administrator, a supervisor's branches, a secretary's
        own; ``None`` for anyone else."""
        view = self.view(period)
        async with self.session_factory() as session:
            viewer = await load_viewer(session, user_id, self.admin_ids)
            if viewer.role == "none":
                return None
            return await self._matrix(session, viewer.branch_ids, view)

    async def matrix_for(
        self, branch_ids: frozenset[int] | None, period: str | Period | None = None
    ) -> StatusMatrix:
        """The matrix of ``branch_ids`` (``None``: all) without a user (the CLI's export, reports)."""
        view = self.view(period)
        async with self.session_factory() as session:
            return await self._matrix(session, branch_ids, view)

    async def _matrix(
        self, session: AsyncSession, scope: frozenset[int] | None, view: Period
    ) -> StatusMatrix:
        repo = StatusRepository(session)
        branches = await repo.branches(scope)
        ids = [b.id for b in branches]
        periods = {k.code: [s.code for s in slots(k.cadence, view)] for k in CATALOGUE}
        now = self.clock.now()
        counts = counted_by(
            await repo.counts(ids, periods), await _held_after(session, scope, view, now.date())
        )
        mutes = mute_spans(await ReminderRepository(session).mute_history(ids), now.tzinfo)
        return build_matrix(view, now.date(), branches, counts, mutes, self.deadline, now.tzinfo)


async def _held_after(
    session: AsyncSession, scope: frozenset[int] | None, view: Period, today: date
) -> list[CountRow]:
    """The active records of slots longer than ``view`` held after its last day (none while it is not over)."""
    if view.end >= today:
        return []
    repo, later = LedgerRepository(session), Counter[tuple[int, str, str, str]]()
    for kind in CATALOGUE:
        if finer_or_equal(kind.cadence, view):
            continue
        (slot,) = slots(kind.cadence, view)
        held = (view.end + timedelta(days=1), slot.end)
        after = None
        while page := await repo.page(kind.code, [slot.code], scope, after, 500, held):
            later.update((r.branch_id, r.kind, r.period, r.review_state) for r in page)
            after = (page[-1].branch_id, page[-1].held_on, page[-1].id)
    return [CountRow(*key, n) for key, n in later.items()]
