"""A branch's profile as of a day: what it owed then (``knowledge.organisation.exempt_kinds``).

Each change of a branch's form or formal members keeps the values it replaced (``branch_profile_changes``), so a
report of a period that is over reads the profile in force on that period's last day: a 挂靠建 group that becomes
a branch of its own in November owes nothing for the months before, and a branch that switches to 挂靠建 does not
erase what it owed before the switch (helper-87's review). A branch with no change row had its current profile
all along.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, tzinfo

from knowledge.organisation import exempt_kinds
from storage.models import Branch, BranchProfileChange


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

    @classmethod
    def of(cls, branch: Branch, changes: Iterable[ProfileChange] = ()) -> ProfileHistory:
        return cls(branch.form, branch.formal_members, tuple(sorted(changes, key=lambda c: c.day)))

    def exempt_on(self, day: date) -> frozenset[str]:
        """The kinds the branch did not owe at the end of ``day``: by the profile of the first change after it,
        which held until then, or the current one."""
        for change in self.changes:
            if change.day > day:
                return exempt_kinds(change.form, change.formal_members)
        return exempt_kinds(self.form, self.formal_members)


def profile_changes(
    rows: Sequence[BranchProfileChange], tz: tzinfo | None = None
) -> dict[int, list[ProfileChange]]:
    """The change rows by branch, dated in ``tz``, in the order they were made."""
    by_branch: dict[int, list[ProfileChange]] = {}
    for row in sorted(rows, key=lambda r: (r.changed_at, r.id)):
        at = row.changed_at.astimezone(tz) if tz is not None else row.changed_at
        by_branch.setdefault(row.branch_id, []).append(ProfileChange(at.date(), row.form, row.formal_members))
    return by_branch
