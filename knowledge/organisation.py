"""How a branch may be organised, as the speeches set it: the one home of these rules.

3 or more formal members: a branch of its own; fewer: 联合建 or 挂靠建; none: a 党建工作指导员.
A joint organisation covers at most 5 units.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from knowledge.activities import CATALOGUE, Cadence

MIN_OWN_BRANCH_MEMBERS = 3
MAX_JOINT_UNITS = 5
# 《中国共产党支部工作条例（试行）》: a branch with 7 or more formal members sets up a 支部委员会; one with
# fewer has a secretary (and perhaps a deputy) instead, and is too small to divide into 党小组 (groups are for
# branches with many members or scattered ones). The speeches say only "认真落实“三会一课”"; the cadences of its
# meetings (``knowledge.activities``) and this line come from the 条例 (helper-87's review: every 3-member branch
# showed 支部委员会 and 党小组会 overdue every month).
COMMITTEE_MIN_MEMBERS = 7
COMMITTEE_KINDS = frozenset({"committee", "group_meeting"})
EVERY_KIND = frozenset(k.code for k in CATALOGUE)


class OrgForm(StrEnum):
    """The ways a branch is organised; the value is what the database stores."""

    SINGLE = "single"
    JOINT = "joint"
    ATTACHED = "attached"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def from_label(cls, label: str) -> OrgForm | None:
        return next((f for f, text in _LABELS.items() if text == label), None)

    @classmethod
    def parse(cls, value: str) -> OrgForm | None:
        """A code (``joint``) or a label (``联合建``), else None."""
        try:
            return cls(value)
        except ValueError:
            return cls.from_label(value)


_LABELS = {OrgForm.SINGLE: "单独组建", OrgForm.JOINT: "联合建", OrgForm.ATTACHED: "挂靠建"}
ORG_FORM_LABELS: tuple[str, ...] = tuple(_LABELS.values())


def org_form_label(code: str) -> str:
    """The Chinese label of a stored form code (the code itself if unknown)."""
    form = OrgForm.parse(code)
    return form.label if form else code


def profile_warnings(form: str, formal_members: int, units: int | None) -> list[str]:
    """What the speeches say about this profile (empty when it conforms)."""
    warnings = []
    if form == OrgForm.JOINT:
        # The count is the joint branch's, over all its units; the 3-member line is each unit's. Only when the
        # members are too many to be spread with fewer than 3 in every unit must one unit form its own.
        below = MIN_OWN_BRANCH_MEMBERS - 1
        if units is not None and units > 0 and formal_members > below * units:
            warnings.append(
                f"{units}个单位共有{formal_members}名正式党员，至少有一个单位已有{MIN_OWN_BRANCH_MEMBERS}名以上，"
                "按讲话要求该单位应单独建立党组织。"
            )
    elif formal_members >= MIN_OWN_BRANCH_MEMBERS and form != OrgForm.SINGLE:
        warnings.append(
            f"已有{formal_members}名正式党员（{MIN_OWN_BRANCH_MEMBERS}名以上），按讲话要求应单独建立党组织。"
        )
    if 0 < formal_members < MIN_OWN_BRANCH_MEMBERS and form == OrgForm.SINGLE:
        warnings.append(
            f"正式党员只有{formal_members}名，不足{MIN_OWN_BRANCH_MEMBERS}名，按讲话要求应采取联合建或挂靠建。"
        )
    if formal_members == 0:
        warnings.append("没有正式党员，按讲话要求应由党建工作指导员开展党的工作。")
    if form == OrgForm.JOINT and units is not None and units > MAX_JOINT_UNITS:
        warnings.append(f"联合党组织覆盖单位数不超过{MAX_JOINT_UNITS}个，现在是{units}个。")
    return warnings


def holds_own_activities(form: str | None, formal_members: int | None) -> bool:
    """Whether the organisation holds the branch's activities itself. Not a 挂靠建 group: its members "挂靠…党组织
    开展活动", they take part in the host organisation's; nor a unit with no formal member: it has no party
    organisation, a 党建工作指导员 does the party's work (helper-86's review: both were reminded of everything)."""
    attached = form is not None and OrgForm.parse(form) is OrgForm.ATTACHED
    return not attached and (formal_members is None or formal_members > 0)  # None: not known, counted


def exempt_kinds(form: str | None, formal_members: int | None) -> frozenset[str]:
    """The activity kinds a branch of this profile does not owe: every kind when it holds no activities of its
    own, the committee's and the party groups' meetings below ``COMMITTEE_MIN_MEMBERS`` formal members, else none.
    A record it files of such a kind still counts as recorded."""
    if not holds_own_activities(form, formal_members):
        return EVERY_KIND
    if formal_members is not None and formal_members < COMMITTEE_MIN_MEMBERS:
        return COMMITTEE_KINDS
    return frozenset()


# Why (the head of each line; ``profile_line`` ends it with when a change takes effect), then what follows.
_NO_COMMITTEE_WHY = f"正式党员不足{COMMITTEE_MIN_MEMBERS}名：按《中国共产党支部工作条例（试行）》不设支部委员会，一般也不划分党小组"
_NO_OWN_WHY = {
    OrgForm.ATTACHED: "挂靠建：党员随所挂靠的党组织开展活动",
    None: "没有正式党员：按讲话要求由党建工作指导员开展党的工作",
}
NO_COMMITTEE = (
    f"{_NO_COMMITTEE_WHY}，支部委员会、党小组会不计入完成情况，也不推送提醒；如确实召开，仍可记录。"
)
NO_OWN_ACTIVITIES = {
    OrgForm.ATTACHED: f"{_NO_OWN_WHY[OrgForm.ATTACHED]}，本支部不单独计入活动完成情况，也不推送活动提醒。",
    None: f"{_NO_OWN_WHY[None]}，不计入活动完成情况，也不推送活动提醒。",
}


def _own_form(form: str | None) -> OrgForm | None:
    """The key of ``NO_OWN_ACTIVITIES``: 挂靠建, or None (no formal member)."""
    return OrgForm.ATTACHED if form and OrgForm.parse(form) is OrgForm.ATTACHED else None


def no_own_activities_line(form: str | None, formal_members: int | None) -> str | None:
    """Why a branch is neither counted nor reminded, or why its committee's and groups' meetings are not (None
    when it owes every kind)."""
    if holds_own_activities(form, formal_members):
        return NO_COMMITTEE if exempt_kinds(form, formal_members) else None
    return NO_OWN_ACTIVITIES[_own_form(form)]


# Until the next period a change of the profile leaves what the current one owes as it was (helper-97's review:
# /branch and /reminders said 也不推送活动提醒 above 下次提醒：12月21日). For a period started before the change.
PERIOD_WORDS = {
    Cadence.MONTHLY: ("本月", "下月"),
    Cadence.QUARTERLY: ("本季度", "下季度"),
    Cadence.YEARLY: ("本年度", "下年度"),
}
NOT_YET_HEADS = {form: f"{why}。" for form, why in _NO_OWN_WHY.items()}
NO_COMMITTEE_HEAD = f"{_NO_COMMITTEE_WHY}。"


def profile_line(
    form: str | None, formal_members: int | None, began: Mapping[Cadence, frozenset[str]] | None = None
) -> str | None:
    """``no_own_activities_line``, saying when it takes effect: ``began`` the kinds each cadence's current period
    does not owe (by the profile as it began, ``handlers.services.profile_history``); where that differs from what
    the profile now exempts, the current period still goes by the former profile and the line says so."""
    later = exempt_kinds(form, formal_members)
    fewer: list[tuple[Cadence, frozenset[str]]] = []
    more: list[tuple[Cadence, frozenset[str]]] = []
    for cadence in Cadence:
        kinds = frozenset(k.code for k in CATALOGUE if k.cadence is cadence)
        was = (began or {}).get(cadence, later) & kinds
        if was != later & kinds:  # the exempt sets form a chain: one holds the other
            (fewer if was < later & kinds else more).append((cadence, was ^ (later & kinds)))
    steady = no_own_activities_line(form, formal_members)
    if not fewer and not more:
        return steady
    if fewer:  # the steady line's 不计入…不推送 is not true yet
        own = holds_own_activities(form, formal_members)
        head = NO_COMMITTEE_HEAD if own else NOT_YET_HEADS[_own_form(form)]
    else:
        head = steady or ""
    parts = [_pending(fewer, "仍按修改前的情况计入完成情况并提醒", "不再计入、不再提醒")] if fewer else []
    parts += [_pending(more, "仍按修改前的情况不计入完成情况、不提醒", "计入完成情况并提醒")] if more else []
    return f"{head}修改后的组织形式、党员人数从下一期起生效：{'；'.join(parts)}。"


def _pending(cadences: list[tuple[Cadence, frozenset[str]]], now: str, then: str) -> str:
    """ "本月、本季度的活动仍按…，分别从下月、下季度起…" for the cadences whose current period keeps the former profile."""
    this = "、".join(PERIOD_WORDS[c][0] for c, _ in cadences)
    following = "、".join(PERIOD_WORDS[c][1] for c, _ in cadences)
    committee_only = all(diff <= COMMITTEE_KINDS for _, diff in cadences)
    what = "支部委员会、党小组会" if committee_only else "活动"
    each = "分别" if len(cadences) > 1 else ""
    return f"{this}的{what}{now}，{each}从{following}起{then}"
