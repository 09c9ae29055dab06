"""The activities a branch must hold, as the speeches set them: one catalogue for forms, reminders and reports.

Each kind states its cadence, the fields its record needs, the least number of photos, and the phrase of the
speeches it rests on (resolved to a passage by ``KnowledgeBase.find``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Cadence(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"

    @property
    def label(self) -> str:
        return {"monthly": "每月", "quarterly": "每季度", "yearly": "每年"}[self.value]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A kind-specific field of the form."""

    key: str
    label: str
    prompt: str
    input_type: str = (
        "text"  # text | int | multi (choose several of ``options``) | choice (one of ``options``)
    )
    options: tuple[str, ...] = ()
    optional: bool = False
    max_length: int = 500


@dataclass(frozen=True, slots=True)
class ActivityKind:
    code: str
    name: str
    cadence: Cadence
    cite: str  # a phrase of the speeches stating the duty
    fields: tuple[FieldSpec, ...] = ()
    min_photos: int = 1
    max_photos: int = 20
    short_names: tuple[str, ...] = ()  # what secretaries also call it (支委会): typed at the form's menu
    button_name: str = ""  # the name on a two-column button, where the full name would be cut on a phone

    @property
    def button(self) -> str:
        return self.button_name or self.name


SIX_ITEMS = ("学习讨论", "现场教学", "党性分析", "民主议事", "缴纳党费", "志愿服务")

CATALOGUE: tuple[ActivityKind, ...] = (
    ActivityKind(
        "theme_day",
        "主题党日",
        Cadence.MONTHLY,
        "每月开展一次“主题党日”活动",
        fields=(
            FieldSpec(
                "six_items",
                "“6”项内容",
                "本次主题党日做了“6”项中的哪几项？可多选，选好后点“完成”。",
                input_type="multi",
                options=SIX_ITEMS,
            ),
            FieldSpec(
                "x_items",
                "“X”自选活动",
                "“X”自选活动做了什么？（如学党建知识、支部联建、业务技能、扶贫济困）",
                optional=True,
            ),
        ),
        min_photos=2,
        short_names=("党日", "主题党日活动"),
    ),
    ActivityKind(
        "committee",
        "支部委员会",
        Cadence.MONTHLY,
        "认真落实“三会一课”",
        fields=(FieldSpec("decisions", "议定事项", "会议议定了哪些事项？", optional=True),),
        short_names=("支委会", "支委会议", "支部委员会会议"),
    ),
    ActivityKind(
        "group_meeting",
        "党小组会",
        Cadence.MONTHLY,
        "认真落实“三会一课”",
        fields=(FieldSpec("group_name", "党小组", "是哪个党小组开的会？（如“第一党小组”）", max_length=50),),
        short_names=("党小组会议", "小组会"),
    ),
    ActivityKind(
        "assembly",
        "党员大会",
        Cadence.QUARTERLY,
        "认真落实“三会一课”",
        fields=(FieldSpec("agenda", "会议议程", "党员大会的主要议程是什么？"),),
        short_names=("支部党员大会", "全体党员大会"),
    ),
    ActivityKind(
        "lecture",
        "党课",
        Cadence.QUARTERLY,
        "认真落实“三会一课”",
        fields=(FieldSpec("lecturer", "授课人", "党课由谁讲授？（姓名和职务）", max_length=50),),
        short_names=("讲党课", "上党课"),
    ),
    ActivityKind(
        "observation",
        "观摩交流",
        Cadence.QUARTERLY,
        "每季度开展一次观摩交流",
        fields=(
            FieldSpec("host", "观摩单位", "到哪个单位观摩，或由哪个党组织组织？", max_length=100),
            FieldSpec("takeaways", "交流收获", "有哪些收获或可借鉴的做法？", optional=True),
        ),
        short_names=("观摩", "观摩交流活动"),
    ),
    ActivityKind(
        "joint_study",
        "党组织与管理层集体学习",
        Cadence.MONTHLY,
        "每月至少组织1次党组织班子成员和企业管理人员集体学习",
        fields=(
            FieldSpec("content", "学习内容", "这次集体学习学了什么？"),
            FieldSpec(
                "managers",
                "管理层参加人数",
                "管理层有几人参加？（发送数字）",
                input_type="int",
                optional=True,
            ),
        ),
        short_names=("集体学习", "管理层集体学习"),
        button_name="管理层集体学习",
    ),
    ActivityKind(
        "review",
        "述职评议",
        Cadence.YEARLY,
        "每年开展一次述职评议考核",
        fields=(
            FieldSpec("reviewer", "评议组织", "由哪个上级党组织组织评议？", max_length=100),
            FieldSpec(
                "grade",
                "考核等次",
                "评议确定的考核等次是？",
                input_type="choice",
                options=("好", "较好", "一般", "差"),
            ),
        ),
        short_names=("述职评议考核",),
    ),
)

_BY_CODE = {k.code: k for k in CATALOGUE}


def activity_by_code(code: str) -> ActivityKind | None:
    return _BY_CODE.get(code)


_BY_NAME = {name: k for k in CATALOGUE for name in (k.name, *k.short_names)}
_MENU_SUFFIX = re.compile(r"[（(](?:每月|每季度|每年)[）)]$")  # the menu button's label, typed as shown


def activity_by_name(text: str) -> ActivityKind | None:
    """The kind ``text`` names: its name or one of its short names, as the whole text (支委会, 主题党日。)."""
    name = re.sub(r"\s+", "", text).strip("。.！!，,")
    return _BY_NAME.get(_MENU_SUFFIX.sub("", name))


@dataclass(frozen=True, slots=True)
class Period:
    code: str  # 2026-11, 2026-Q4, 2026
    label: str  # 2026年11月, 2026年第四季度, 2026年度
    start: date
    end: date  # inclusive


_QUARTER_NAMES = "一二三四"


def period_of(cadence: Cadence, day: date) -> Period:
    if cadence is Cadence.MONTHLY:
        start = day.replace(day=1)
        nxt = (start + timedelta(days=32)).replace(day=1)
        return Period(
            f"{day.year}-{day.month:02d}", f"{day.year}年{day.month}月", start, nxt - timedelta(days=1)
        )
    if cadence is Cadence.QUARTERLY:
        q = (day.month - 1) // 3
        start = date(day.year, q * 3 + 1, 1)
        nxt = date(day.year + (q == 3), (q * 3 + 3) % 12 + 1, 1)
        return Period(
            f"{day.year}-Q{q + 1}", f"{day.year}年第{_QUARTER_NAMES[q]}季度", start, nxt - timedelta(days=1)
        )
    return Period(str(day.year), f"{day.year}年度", date(day.year, 1, 1), date(day.year, 12, 31))


def previous_period(cadence: Cadence, day: date) -> Period:
    return period_of(cadence, period_of(cadence, day).start - timedelta(days=1))


def earliest_allowed(cadence: Cadence, today: date) -> date:
    """A record may be dated back to the start of the previous period, no further."""
    return previous_period(cadence, today).start


# The periods a record may be dated in (``earliest_allowed``), as a secretary says them.
LATE_WINDOW = {
    Cadence.MONTHLY: ("上月", "本月"),
    Cadence.QUARTERLY: ("上季度", "本季度"),
    Cadence.YEARLY: ("上年度", "本年度"),
}
