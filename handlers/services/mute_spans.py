"""The mutes' history as the reports read it: spans of days in the clock's zone (``reminder_mutes`` keeps ended
mutes, revision 0006), so a mute set or lifted later never changes a slot already over."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from knowledge.activities import Period
from storage.models import ReminderMute


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


def mute_for(
    mutes: dict[tuple[int, str], list[MuteSpan]], branch_id: int, kind: str, slot: Period, end: date
) -> MuteSpan | None:
    """The mute in force for the slot as of ``end`` (at most one: a branch has one current mute per kind)."""
    return next((m for m in mutes.get((branch_id, kind), ()) if m.applies(slot, end)), None)
