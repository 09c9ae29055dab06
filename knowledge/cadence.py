"""How often the meetings of "三会一课" are held: a question the speeches leave open, answered honestly.

The speeches require branches to "认真落实“三会一课”" but set no number for its four meetings (支部委员会, 党小组会,
党员大会, 党课), so retrieval can only offer passages about other duties' cadences (观摩交流 every quarter, 集体学习
every month), read confidently as if they answered. This rule answers instead: the speeches name the duty
without a number, and the bot's own reminders follow the cadence in its activity catalogue
(``knowledge.activities``), to be checked against the upper-level party committee's requirements. ``knowledge.rules``
cites the passage that names the duty.

The activities whose cadence the speeches do state (主题党日, 观摩交流, 述职评议, 集体学习) are left to retrieval,
which finds the sentence that states it.
"""

from __future__ import annotations

import re

from knowledge.activities import ActivityKind, activity_by_code
from knowledge.patterns import quick

DUTY_PHRASE = "认真落实“三会一课”"
_ALL = ("committee", "group_meeting", "assembly", "lecture")
# The names a question uses for each meeting, longest first within a kind (支部委员会 before 支委).
_NAMES = (
    ("三会一课", _ALL),
    ("支部委员会|支委会议|支委会|支委", ("committee",)),
    ("党小组会议|党小组会|党小组|小组会", ("group_meeting",)),
    ("支部党员大会|全体党员大会|党员大会", ("assembly",)),
    ("党课", ("lecture",)),
)
# A question about how often, not about what or how (党课讲什么 is retrieval's).
_HOW_OFTEN = quick(
    r"多久|多长时间|多少天|几天|几次|多少次|几回|多少回|频次|频率|间隔|周期|几个月|几周"
    r"|(?:每个?月|每季度?|每年|每周)(?:都|要|得|必须|一定)|(?:是不是|要不要|需不需要|必须|是否)每"
    r"|(?:一年|一个月|一季度|一个季度|半年)(?:要|得|需要|开|上|搞|召开|组织)?(?:几|多少)"
    # 党小组会每月开吗, 党课每季度讲一次吗 (helper-67's review: 党小组会每月开吗 had no note)
    r"|(?:每个?月|每个?季度|每年|每周)(?:都|要|得)?(?:开|召开|搞|讲|上|开展|组织|举行)?(?:一次|一回)?(?:吗|嘛|不)"
)


# Words a question about how often may hold besides the meetings' names (more means it asks something else:
# 手拉手共建…能一起开三会一课吗, 支部委员会换届要提前多久请示).
ALLOWED_WORDS = frozenset(
    """一般 通常 至少 最少 必须 需要 应该 规定 要求 一次 几次 次数 多久一次 一年 一年几次 每年 每月 每个月 每季度 季度
    一个月 半年 时间 多长时间 开一次 召开 开展 举行 组织 支部 党支部 书记 亲自 来讲 讲课 按时 定期""".split()
)


def without_names(query: str) -> str:
    """``query`` with the meetings' names blanked (for reading what else it asks)."""
    for names, _ in _NAMES:
        query = re.sub(names, " ", query)
    return query


def asked_kinds(query: str) -> tuple[ActivityKind, ...]:
    """The "三会一课" meetings ``query`` asks the frequency of (none when it asks something else)."""
    if not _HOW_OFTEN.search(query):
        return ()
    codes: list[str] = []
    for names, kinds in _NAMES:
        if re.search(names, query):
            codes += [c for c in kinds if c not in codes]
    return tuple(k for c in codes if (k := activity_by_code(c)) is not None)


def conclusion(kinds: tuple[ActivityKind, ...]) -> str:
    schedule = "，".join(f"{k.name}{k.cadence.label}一次" for k in kinds)
    subject = "“三会一课”各项" if len(kinds) > 1 else kinds[0].name
    return (
        f"讲话要求认真落实“三会一课”，但没有规定{subject}多久开一次。本助手按{schedule}提醒和统计；"
        "具体次数请以上级党组织的要求为准。"
    )
