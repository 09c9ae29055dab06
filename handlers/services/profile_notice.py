"""Who is told of a change of a branch's profile, and what: plain values the Telegram adapter words
(``handlers.tg.profile_notices``).

A secretary's change of the organisational form or of the formal members changes what the branch owes (from the
next period: ``handlers.services.profile_history``), so the branch's supervisors and the administrators are told:
which branch, what changed (old -> new), from which period it counts, and who made it. A change of the unit count
of a 联合建 branch is told only when it changes what the speeches say of the profile (``profile_warnings``: over 5
units, or so few that a unit must form its own branch). The names (单位名称, 支部名称) are not told: they change
nothing owed, and every list shows the current name beside the branch's number. Nobody is told of their own
change, and an edit that changes nothing tells nobody.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from handlers.services.profile_history import ProfileHistory
from knowledge.activities import CATALOGUE, Cadence, period_of
from knowledge.organisation import COMMITTEE_KINDS, OrgForm, exempt_kinds, org_form_label, profile_warnings
from storage.models import Branch

NO_UNITS = "未填"


@dataclass(frozen=True, slots=True)
class Profile:
    """The fields of a branch that say what it owes and whether it conforms (a copy, taken before a change)."""

    form: str
    formal_members: int
    units: int | None

    @classmethod
    def of(cls, branch: Branch) -> Profile:
        return cls(branch.form, branch.formal_members, branch.units)

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(profile_warnings(self.form, self.formal_members, self.units))


@dataclass(frozen=True, slots=True)
class FieldChange:
    """``field``: form | formal_members | units; ``old`` and ``new`` as the profile shows them (联合建, 5)."""

    field: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class DutyChange:
    """From ``periods`` (the first period of each cadence that goes by the new profile: 2027年1月, 2027年第一季度)
    the branch owes (``owed``) or no longer owes the activities of those cadences, or only the committee's and the
    party groups' meetings (``committee_only``). ``deferred``: the current period keeps the former profile."""

    periods: tuple[str, ...]
    owed: bool
    committee_only: bool
    deferred: bool


@dataclass(frozen=True, slots=True)
class ProfileNotice:
    """Tell ``recipients`` that ``by_name`` changed the profile of branch ``branch_id``. ``duties`` None: what the
    branch owes is unchanged. ``warnings``: what the speeches say of the new profile (empty: it conforms)."""

    recipients: tuple[int, ...]
    branch_id: int
    org_name: str
    branch_name: str
    changes: tuple[FieldChange, ...]
    duties: DutyChange | None
    by_name: str
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProfileEdit:
    """A profile change (``BranchService.edit``): the branch as saved, and whom to tell of it (None: nobody)."""

    branch: Branch
    notice: ProfileNotice | None = None


def field_changes(was: Profile, now: Profile) -> tuple[FieldChange, ...]:
    """What a notice reports of a change from ``was`` to ``now`` (empty: nobody is told). The unit count is listed
    when the branch is 联合建 after the change and the change alters the profile's warnings."""
    changes = []
    if was.form != now.form:
        changes.append(FieldChange("form", org_form_label(was.form), org_form_label(now.form)))
    if was.formal_members != now.formal_members:
        changes.append(FieldChange("formal_members", str(was.formal_members), str(now.formal_members)))
    units_told = now.form == OrgForm.JOINT and was.units != now.units
    if units_told and (changes or was.warnings != now.warnings):
        changes.append(FieldChange("units", _units(was.units), _units(now.units)))
    return tuple(changes)


def _units(units: int | None) -> str:
    return NO_UNITS if units is None else str(units)


def duty_change(was: Profile, now: Profile, history: ProfileHistory, today: date) -> DutyChange | None:
    """How what the branch owes changes, and from which period of each cadence (None: it owes what it owed).

    The exempt sets form a chain (none, the committee's kinds, every kind), so a change only adds or only removes.
    A cadence's current period goes by the new profile only if it did so as the period began (a correction on the
    day the branch was created); otherwise the next period is the first."""
    before, after = exempt_kinds(was.form, was.formal_members), exempt_kinds(now.form, now.formal_members)
    diff = before ^ after
    if not diff:
        return None
    periods, deferred = [], False
    for cadence in Cadence:
        kinds = frozenset(k.code for k in CATALOGUE if k.cadence is cadence)
        if not diff & kinds:
            continue
        current = period_of(cadence, today)
        if history.exempt_in(current) & kinds == after & kinds:
            periods.append(current.label)
        else:
            periods.append(period_of(cadence, current.end + timedelta(days=1)).label)
            deferred = True
    return DutyChange(tuple(periods), after < before, diff <= COMMITTEE_KINDS, deferred)


def recipients(admin_ids: Iterable[int], supervisors: Iterable[int], by: int | None) -> tuple[int, ...]:
    """The administrators, then the branch's other supervisors; each once, never the one who made the change."""
    admins = sorted(admin_ids)
    told = admins + [u for u in supervisors if u not in admins]
    return tuple(dict.fromkeys(u for u in told if u != by))


def profile_notice(
    branch: Branch,
    was: Profile,
    history: ProfileHistory,
    today: date,
    told: tuple[int, ...],
    by_name: str,
) -> ProfileNotice | None:
    """The notice of a change from ``was`` to the branch's current profile; None when there is nothing to tell
    or nobody to tell it to."""
    now = Profile.of(branch)
    changes = field_changes(was, now)
    if not changes or not told:
        return None
    return ProfileNotice(
        told,
        branch.id,
        branch.org_name,
        branch.name,
        changes,
        duty_change(was, now, history, today),
        by_name,
        now.warnings,
    )
