"""Which periods a closed (撤销) branch owes: those it was open at the end of, as the reports and the digest read it.

A branch owes a period only if it was open at the end of the period's last day, as it owes one only if it existed
by then (``status.is_owed``). Closed on 10 June, it owes nothing for June, the second quarter or the year, but
keeps April and May; reopened on 20 September, it owes September, the third quarter and the year again (as a
branch created that day would), never July and August, which lay wholly inside the closure. The current closure
is ``branches.closed_at``; each one a reopening ended is kept (``branch_closures``, revision 0009), so reopening
never makes the closed months owed again. Days are read in the clock's zone; a branch closed and reopened on the
same day was never closed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Branch, BranchClosure
from storage.repositories.status import StatusRepository

Span = tuple[date, date | None]  # (the day it was closed, the day it was reopened; None: still closed)


def _day(at: datetime, tz: tzinfo | None) -> date:
    return (at.astimezone(tz) if tz is not None else at).date()


@dataclass(frozen=True, slots=True)
class Closures:
    """A branch's closures, oldest first (none: it was never closed)."""

    spans: tuple[Span, ...] = ()

    @classmethod
    def of(cls, branch: Branch, rows: Iterable[BranchClosure] = (), tz: tzinfo | None = None) -> Closures:
        """From the closures a reopening ended (``rows``, the branch's) and the current one."""
        spans: list[Span] = [(_day(r.closed_at, tz), _day(r.reopened_at, tz)) for r in rows]
        if branch.closed_at is not None:
            spans.append((_day(branch.closed_at, tz), None))
        return cls(tuple(sorted((s for s in spans if s[1] is None or s[1] > s[0]), key=lambda s: s[0])))

    def closed_at_end_of(self, day: date) -> date | None:
        """The day the closure in force at the end of ``day`` began; None: the branch was open then."""
        for closed, reopened in self.spans:
            if closed <= day and (reopened is None or day < reopened):
                return closed
        return None

    def owes(self, last_day: date) -> bool:
        """Whether the branch owes a period ending on ``last_day``: it was open at the end of that day."""
        return self.closed_at_end_of(last_day) is None

    def within(self, start: date, end: date) -> tuple[Span, ...]:
        """The closures in force on some day from ``start`` to ``end`` (what a view of those days marks)."""
        return tuple(s for s in self.spans if s[0] <= end and (s[1] is None or s[1] > start))


def closure_label(spans: Iterable[Span]) -> str:
    """How a report marks a branch closed within it: 已撤销（2026-06-10）, or for a closure since ended
    已撤销（2026-06-10，2026-09-20恢复）; empty when none."""
    return "；".join(
        f"已撤销（{closed.isoformat()}" + (f"，{reopened.isoformat()}恢复）" if reopened else "）")
        for closed, reopened in spans
    )


async def load_closures(
    session: AsyncSession, branches: Iterable[Branch], tz: tzinfo | None
) -> dict[int, Closures]:
    """The closures of each branch, by id (one query)."""
    branches = list(branches)
    rows = await StatusRepository(session).closures([b.id for b in branches]) if branches else []
    by_branch: dict[int, list[BranchClosure]] = {}
    for row in rows:
        by_branch.setdefault(row.branch_id, []).append(row)
    return {b.id: Closures.of(b, by_branch.get(b.id, ()), tz) for b in branches}
