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
- ``exempt`` (无需开展): nothing passed or waiting, and the branch's profile as the slot began (``profile_history``:
  a change counts from the next period) did not owe the kind: a 挂靠建 group or a unit with no formal member owes
  nothing, a branch of fewer than 7 formal members no 支部委员会 or 党小组会 (``knowledge.organisation.exempt_kinds``);
- ``closed`` (已撤销): nothing passed or waiting, and the branch was closed at the slot's end (as of the view's
  last day for a longer slot): it owes nothing for the period it was closed in, nor for one that ended while it
  stayed closed (``handlers.services.closures``); its row names the closure. A view leaves out a branch that
  owes none of its months unless it closed within the view with a record there that passed or waits for review
  (what it did before it closed stays in sight);
- ``na`` (未成立): nothing, and the slot ended before the branch was created (``branches.created_at``, a date in
  the clock's zone): it was never owed. The slot the branch was created in is owed, as the reminders and the
  administrators' digest count it (``reminders/digest.py``: a branch counts for a period it existed by the end
  of), however little of it was left.

``overdue``: missing, muted or returned, owed (not ``na`` or ``exempt``), and its deadline (by default the slot's last
day) has passed. A mute stops the reminders only: the secretary is told the slot still shows as not done, with the
reason (helper-87's review: it used to hide the slot from the overdue count). A record of a slot before the branch
was created still shows as recorded, waiting or returned.

A slot longer than the view (a yearly kind in a quarter, a quarterly kind in a month) is seen as of the view's
last day, so a view that is over never changes with what happens after it, and the ledger's sheets (which list
that slot's records held up to the view's last day, ``export._plan``) agree with its summary: only records held
by then count, the branch is owed it only if it was created by then, the mutes are those in force then, and it
is never overdue in that view (its deadline lies beyond it; the view that holds its end says so).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.clock import Clock
from handlers.services.closures import Closures, Span, load_closures
from handlers.services.held_after import counted_by, held_after
from handlers.services.mute_spans import MuteSpan, mute_for, mute_spans
from handlers.services.periods import parse_period, slots, this_month
from handlers.services.profile_history import ProfileChange, ProfileHistory, profile_changes
from handlers.services.supervision import load_viewer
from knowledge.activities import CATALOGUE, Cadence, Period
from storage.models import Branch
from storage.repositories.reminders import ReminderRepository
from storage.repositories.status import CountRow, StatusRepository

STATES = ("recorded", "waiting", "returned", "missing", "muted", "upcoming", "exempt", "closed", "na")
STATE_LABELS = {
    "recorded": "已完成",
    "waiting": "待审核",
    "returned": "已退回",
    "missing": "未完成",
    "muted": "未完成·免提醒",
    "upcoming": "未开始",
    "exempt": "无需开展",
    "closed": "已撤销",
    "na": "未成立",
}
_WORST_FIRST = ("missing", "returned", "muted", "waiting", "recorded", "upcoming", "exempt", "closed", "na")
NOT_OWED = frozenset({"exempt", "closed", "na"})

Deadline = Callable[[str, Period], date]  # (kind code, slot) -> the last day it may be recorded


def period_end(kind: str, slot: Period) -> date:
    return slot.end


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
        """The worst state of its owed slots that have started (missing, returned, muted, waiting, recorded); of
        the others only when none has (helper-87's review: a year all done so far read 未开始 for December)."""
        present = {s.state for s in self.slots}
        pool = present - NOT_OWED - {"upcoming"} or present - NOT_OWED or present
        return next(state for state in _WORST_FIRST if state in pool)

    @property
    def overdue(self) -> bool:
        return any(s.overdue for s in self.slots)

    @property
    def counts(self) -> Counter[str]:
        return Counter(s.state for s in self.slots)

    @property
    def note(self) -> str:
        """Of several periods, how many of the owed ones wait for review or have not started ("1期待审核、1期未开始")."""
        counts, parts = self.counts, []
        if counts["waiting"] and self.state != "waiting":
            parts.append(f"{counts['waiting']}期待审核")
        if counts["upcoming"] and self.state != "upcoming":
            parts.append(f"{counts['upcoming']}期未开始")
        return "、".join(parts) if len(self.slots) > 1 else ""

    @property
    def mute_reasons(self) -> list[str]:
        """The secretary's reasons of its muted slots, once each."""
        return list(dict.fromkeys(s.mute_reason for s in self.slots if s.mute_reason))

    @property
    def owed(self) -> int:
        """How many of its slots were owed (not before the branch was created, not exempt by its profile)."""
        return sum(s.state not in NOT_OWED for s in self.slots)


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
    closed: tuple[Span, ...] = ()  # the closures (撤销) in force on some day of the view (``closure_label``)


@dataclass(frozen=True, slots=True)
class StatusMatrix:
    period: Period
    as_of: date
    kinds: list[KindColumn]
    rows: list[BranchRow]
    kind_totals: dict[str, Totals]
    totals: Totals


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
    exempt: bool = False,
    closed: bool = False,
) -> str:
    if records["passed"]:
        return "recorded"
    if records["pending_review"]:
        return "waiting"
    if closed:
        return "closed"  # a returned record of a period the branch was closed at the end of asks for nothing
    if exempt and is_owed(slot, founded, end):
        return "exempt"  # a returned record of a kind not owed asks for nothing (helper-89's review)
    if records["returned"]:
        return "returned"
    if not is_owed(slot, founded, end):
        return "na"
    if slot.start > today:
        return "upcoming"
    return "muted" if mute is not None else "missing"


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
    profile: ProfileHistory,
    closures: Closures,
) -> Slot:
    """One slot seen as of ``end`` (its last day, or the view's when the slot is longer than the view)."""
    records = by_cell.get((branch_id, kind, slot.code), Counter())
    mute = mute_for(muted, branch_id, kind, slot, end)
    exempt = kind in profile.exempt_in(slot)
    closed = not closures.owes(end)
    state = slot_state(slot, records, mute, today, founded, end, exempt, closed)
    overdue = (
        state in ("missing", "muted", "returned")
        and not exempt
        and not closed
        and is_owed(slot, founded, end)
        and end == slot.end  # a slot longer than the view is due after it
        and today > deadline(kind, slot)
    )
    reason = mute.reason if state == "muted" and mute else None
    return Slot(
        slot, state, records["passed"], records["pending_review"], records["returned"], overdue, reason
    )


def build_matrix(
    view: Period,
    today: date,
    branches: Iterable[Branch],
    counts: Iterable[CountRow],
    mutes: Iterable[MuteSpan],
    deadline: Deadline = period_end,
    tz: tzinfo | None = None,
    changes: Mapping[int, Iterable[ProfileChange]] | None = None,
    closures: Mapping[int, Closures] | None = None,
) -> StatusMatrix:
    """The matrix from plain rows (pure: no database, no clock); ``tz`` dates the branches' creation; ``changes``:
    the branches' profile history (``profile_history``); ``closures``: when they were closed (none: never)."""
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
        profile = ProfileHistory.of(branch, (changes or {}).get(branch.id, ()), tz)
        shut = (closures or {}).get(branch.id, Closures())
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
                    profile,
                    shut,
                )
                for slot in kind_slots[kind.code]
            ]
            cell = Cell(branch.id, kind.code, cell_slots)
            cells[kind.code] = cell
            for bucket in (branch_totals, kind_totals[kind.code], totals):
                bucket.add(cell)
        marks = shut.within(view.start, view.end)
        rows.append(BranchRow(branch.id, branch.name, branch.org_name, cells, branch_totals, marks))
    return StatusMatrix(view, today, kinds, rows, kind_totals, totals)


# A closed branch's records that keep it in a view it owes nothing of: those its slots show (已完成, 待审核).
_SHOWN_STATES = frozenset({"passed", "pending_review"})


def _owes_a_month(closures: Closures, view: Period) -> bool:
    """Whether the branch owes one of the view's months: it was open at the end of it (``closures``)."""
    return any(closures.owes(m.end) for m in slots(Cadence.MONTHLY, view))


def _in_view(closures: Closures, view: Period) -> bool:
    """Whether a view may show the branch: it owes one of the view's months, or it was open when the view began
    and closed within it. Such a branch is shown only with a record there (``_matrix``): what it did before it
    closed stays in sight, marked 已撤销, owing nothing; a branch closed before the view began is left out."""
    return _owes_a_month(closures, view) or closures.owes(view.start - timedelta(days=1))


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
        """The period asked for (``None``: this month; ``上月``, ``11月``: counted from today); a malformed one
        raises ``ValueError`` (Chinese)."""
        today = self.clock.now().date()
        if period is None:
            return this_month(today)
        return parse_period(period, today) if isinstance(period, str) else period

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
        repo, tz = StatusRepository(session), self.clock.tz
        scoped = await repo.branches(scope)
        closures = await load_closures(session, scoped, tz)
        candidates = [b for b in scoped if _in_view(closures[b.id], view)]
        periods = {k.code: [s.code for s in slots(k.cadence, view)] for k in CATALOGUE}
        now = self.clock.now()
        counts = counted_by(
            await repo.counts([b.id for b in candidates], periods),
            await held_after(session, scope, view, now.date()),
        )
        shown = {r.branch_id for r in counts if r.review_state in _SHOWN_STATES}
        branches = [b for b in candidates if _owes_a_month(closures[b.id], view) or b.id in shown]
        ids = [b.id for b in branches]
        mutes = mute_spans(await ReminderRepository(session).mute_history(ids), now.tzinfo)
        changes = profile_changes(await repo.profile_changes(ids), now.tzinfo)
        return build_matrix(
            view, now.date(), branches, counts, mutes, self.deadline, now.tzinfo, changes, closures
        )
