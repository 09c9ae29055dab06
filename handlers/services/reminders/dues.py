"""Who still owes what: for one cadence and period, each branch's kinds recorded, missing, and muted.

A kind counts as done when the branch has an active record of it for the period (``activity_records.period``,
which the form computes with ``knowledge.activities.period_of``). A muted kind is not reminded, but it is still
missing: reports show it as muted, with the secretary's reason. A kind whose only records of the period were
returned by a reviewer is still missing (reminded as any other), but the secretary is pointed at the latest of
them, to amend and resubmit it rather than record the activity anew.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from knowledge.activities import Cadence
from knowledge.schedule import kinds_of
from storage.models import ReminderMute
from storage.repositories import ReminderRepository


@dataclass(frozen=True, slots=True)
class Outstanding:
    """One branch's kinds of a cadence in a period, each list in catalogue order."""

    done: tuple[str, ...]
    missing: tuple[str, ...]  # not recorded and not muted: what a reminder lists
    muted: tuple[ReminderMute, ...]  # not recorded, muted
    owed: tuple[str, ...]  # every kind not recorded, muted or not (what a report counts as missing)
    # (kind, record id) of the owed kinds whose records of the period were all returned: the latest of them
    returned: tuple[tuple[str, int], ...] = ()
    # of ``done``, the kinds whose records of the period still wait for review, none passed (loaded on request)
    waiting: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Ledger:
    """The records and mutes of one cadence and period, for every branch loaded."""

    cadence: Cadence
    period: str
    kinds: tuple[str, ...]
    recorded: frozenset[tuple[int, str]]
    mutes: dict[tuple[int, str], ReminderMute]
    # (branch_id, kind) -> the latest returned record, when loaded with ``returned=True``
    returned: Mapping[tuple[int, str], int] = field(default_factory=dict)
    # (branch_id, kind) whose records all still wait for review, when loaded with ``waiting=True``
    waiting: frozenset[tuple[int, str]] = frozenset()

    @classmethod
    async def load(
        cls,
        repo: ReminderRepository,
        cadence: Cadence,
        period: str,
        branch_ids: Collection[int] | None = None,
        *,
        returned: bool = False,
        waiting: bool = False,
    ) -> Ledger:
        """One query for the records and one for the mutes (of all branches, or of ``branch_ids``), with
        ``returned`` one for the returned records the secretaries are to amend (what a secretary is told), and
        with ``waiting`` one for the kinds recorded but not yet passed by a reviewer (what /reminders marks)."""
        kinds = kinds_of(cadence)
        recorded = await repo.recorded(period, kinds, branch_ids)
        mutes = await repo.mutes(period, kinds, branch_ids)
        amend = await repo.returned(period, kinds, branch_ids) if returned else {}
        pending = await repo.waiting(period, kinds, branch_ids) if waiting else set()
        return cls(cadence, period, kinds, frozenset(recorded), mutes, amend, frozenset(pending))

    def of(self, branch_id: int, exempt: Collection[str] = ()) -> Outstanding:
        """One branch's kinds; those in ``exempt`` (``knowledge.organisation.exempt_kinds``) are neither missing
        nor owed, but done when recorded."""
        done: list[str] = []
        missing: list[str] = []
        muted: list[ReminderMute] = []
        for kind in self.kinds:
            if (branch_id, kind) in self.recorded:
                done.append(kind)
            elif kind in exempt:
                continue
            elif (mute := self.mutes.get((branch_id, kind))) is not None:
                muted.append(mute)
            else:
                missing.append(kind)
        owed = tuple(k for k in self.kinds if k not in done and k not in exempt)
        amend = tuple((k, rid) for k in owed if (rid := self.returned.get((branch_id, k))) is not None)
        pending = tuple(k for k in done if (branch_id, k) in self.waiting)
        return Outstanding(tuple(done), tuple(missing), tuple(muted), owed, amend, pending)
