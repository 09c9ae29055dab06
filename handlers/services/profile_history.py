"""What a branch owes in a period: by its profile as the period began (``knowledge.organisation.exempt_kinds``).

Each change of a branch's form or formal members keeps the values it replaced (``branch_profile_changes``), so the
reports, the digest and the reminders read each period with the profile in force when it began: a change counts
from the next period. A 挂靠建 group that becomes a branch of its own in November owes nothing before December; a
branch that switches to 挂靠建, or drops below 7 formal members, still owes the period it was in, however late in
it the change came (helper-87's and helper-89's reviews: a change on a period's last evening erased what it owed).
A branch with no change row had its current profile all along.

The period in which the branch was created is read with its profile at the end of its creation day (helper-97's
review): a correction made that day (the administrator picked 挂靠建 by mistake, the new secretary set 单独组建
minutes later) is its real starting profile, not a change that waits for the next month, quarter and year.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.activities import Cadence, Period, period_of
from knowledge.organisation import exempt_kinds, holds_own_activities
from storage.models import Branch, BranchProfileChange
from storage.repositories.status import StatusRepository


@dataclass(frozen=True, slots=True)
class ProfileChange:
    """The profile a branch had until ``day`` (the day of the change, in the clock's zone)."""

    day: date
    form: str
    formal_members: int


@dataclass(frozen=True, slots=True)
class ProfileHistory:
    form: str
    formal_members: int
    changes: tuple[ProfileChange, ...] = ()  # oldest first
    created: date | None = None  # the day the branch was created, in the clock's zone (None: unknown)

    @classmethod
    def of(
        cls, branch: Branch, changes: Iterable[ProfileChange] = (), tz: tzinfo | None = None
    ) -> ProfileHistory:
        at = branch.created_at
        created = None if at is None else (at.astimezone(tz) if tz is not None else at).date()
        return cls(branch.form, branch.formal_members, tuple(sorted(changes, key=lambda c: c.day)), created)

    def began(self, period: Period) -> tuple[str, int]:
        """(form, formal members) as ``period`` began, at the end of the day before it, or at the end of the day
        the branch was created if that came later: those of the first change made after that day, which held
        until then, or the current ones."""
        day = period.start - timedelta(days=1)
        if self.created is not None and self.created > day:
            day = self.created  # corrections on its first day are its starting profile
        change = next((c for c in self.changes if c.day > day), None)
        return (change.form, change.formal_members) if change else (self.form, self.formal_members)

    def exempt_in(self, period: Period) -> frozenset[str]:
        """The kinds the branch does not owe in ``period``: by its profile as the period began."""
        return exempt_kinds(*self.began(period))

    def holds_activities_in(self, period: Period) -> bool:
        """Whether it holds activities of its own in ``period`` (not a 挂靠建 group or a unit with no member)."""
        return holds_own_activities(*self.began(period))

    def exempt_now(self, today: date) -> dict[Cadence, frozenset[str]]:
        """The kinds not owed in the month, the quarter and the year of ``today`` (``organisation.profile_line``
        tells where that is not yet what the current profile exempts)."""
        return {cadence: self.exempt_in(period_of(cadence, today)) for cadence in Cadence}


def profile_changes(
    rows: Sequence[BranchProfileChange], tz: tzinfo | None = None
) -> dict[int, list[ProfileChange]]:
    """The change rows by branch, dated in ``tz``, in the order they were made."""
    by_branch: dict[int, list[ProfileChange]] = {}
    for row in sorted(rows, key=lambda r: (r.changed_at, r.id)):
        at = row.changed_at.astimezone(tz) if tz is not None else row.changed_at
        by_branch.setdefault(row.branch_id, []).append(ProfileChange(at.date(), row.form, row.formal_members))
    return by_branch


async def load_histories(
    session: AsyncSession, branches: Iterable[Branch], tz: tzinfo | None
) -> dict[int, ProfileHistory]:
    """The profile history of each branch, by id (one query)."""
    branches = list(branches)
    rows = await StatusRepository(session).profile_changes([b.id for b in branches]) if branches else []
    changes = profile_changes(rows, tz)
    return {b.id: ProfileHistory.of(b, changes.get(b.id, ()), tz) for b in branches}
