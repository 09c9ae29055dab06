"""Rules the speeches state with numbers, applied to the numbers in a user's question.

- Forming a branch: 3 or more formal members -> 单独组建; 1-2 -> 联合建/挂靠建; none -> 党建工作指导员.
- Funding: party-building funds within 1% of the yearly payroll are deductible before enterprise income tax.
- A joint party organisation covers at most 5 units.

Each rule cites the passage that states it (found by a phrase of the speech, not by position).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.base import KnowledgeBase

_CN_DIGIT = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUM = r"(\d+|[零一二两俩三四五六七八九十]{1,3})"
_MEMBERS = re.compile(
    rf"(?:只有|仅有|有|共有|一共|共|就|才)?{_NUM}\s*(?:名|个|位)?(?:正式)?党员"
    rf"|党员(?:只有|仅有|有|共有|一共|共|就|才)?{_NUM}\s*(?:名|个|位|人)"
)
_NO_MEMBERS = re.compile(r"(没有|无|零个?|0名?)(正式)?党员|党员(人数)?为?(零|0)")
_PAYROLL = re.compile(
    r"工资(?:薪金)?(?:总额|总数|总计)?(?:是|为|有|约|大约|共)?\s*(\d+(?:\.\d+)?)\s*(亿|万|千|元)?"
)
_UNITS = re.compile(rf"联合.{{0,8}}?{_NUM}\s*(?:个|家)(?:单位|企业|组织|公司)")

PAYROLL_PHRASE = "不超过职工年度工资薪金总额1%的部分"
SINGLE_PHRASE = "有3名以上正式党员的，必须单独建立党组织"
JOINT_PHRASE = "对职工中正式党员不足3名的，开展联合建、挂靠建"
NONE_PHRASE = "选派党建工作指导员"
UNITS_PHRASE = "联合党组织覆盖单位数不超过5个"


@dataclass(frozen=True, slots=True)
class RuleAnswer:
    """A rule applied to the user's numbers: the conclusion and the sentence of the speech it rests on."""

    conclusion: str
    passage_id: int
    phrase_sentence: str


def parse_count(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    if token == "十":
        return 10
    if "十" in token:
        tens, _, ones = token.partition("十")
        return _CN_DIGIT.get(tens, 1) * 10 + (_CN_DIGIT.get(ones, 0) if ones else 0)
    if len(token) == 1:
        return _CN_DIGIT.get(token)
    return None


def _sentence_with(text: str, phrase: str) -> str:
    start = text.find(phrase)
    if start < 0:
        return phrase
    left = max(text.rfind(c, 0, start) for c in "。；") + 1
    right = min((i for i in (text.find(c, start) for c in "。；") if i >= 0), default=len(text) - 1)
    return text[left : right + 1].strip()[:200]


def _cite(kb: KnowledgeBase, phrase: str, conclusion: str) -> RuleAnswer | None:
    passage = kb.find(phrase)
    if passage is None:
        return None
    return RuleAnswer(conclusion, passage.id, _sentence_with(passage.text, phrase))


def _format_money(yuan: Decimal) -> str:
    if yuan >= 10000:
        value = (yuan / 10000).normalize()
        return f"{value:f}万元"
    return f"{yuan.normalize():f}元"


def member_rule(query: str, kb: KnowledgeBase) -> RuleAnswer | None:
    if _NO_MEMBERS.search(query):
        return _cite(
            kb,
            NONE_PHRASE,
            "没有正式党员的单位，暂不具备建立党组织的条件：由上级选派党建工作指导员，"
            "通过先建立工会、共青团、妇联组织等方式开展党的工作。",
        )
    match = _MEMBERS.search(query)
    if not match:
        return None
    count = parse_count(match.group(1) or match.group(2))
    if count is None:
        return None
    if count >= 3:
        return _cite(
            kb,
            SINGLE_PHRASE,
            f"您有{count}名正式党员，达到3名以上，应当单独建立党组织（单独组建）。",
        ) or _cite(kb, "正式党员3名以上", f"您有{count}名正式党员，达到3名以上，应当单独建立党组织。")
    if count == 0:
        return member_rule("没有党员", kb)
    return _cite(
        kb,
        JOINT_PHRASE,
        f"您有{count}名正式党员，不足3名，不能单独建立党组织，应采取联合建或挂靠建的方式"
        "（联合党组织覆盖单位数不超过5个）。",
    )


def payroll_rule(query: str, kb: KnowledgeBase) -> RuleAnswer | None:
    match = _PAYROLL.search(query)
    if not match or not re.search(r"经费|税前|扣|列支|党建", query):
        return None
    amount = Decimal(match.group(1))
    unit = {"亿": Decimal(100_000_000), "万": Decimal(10_000), "千": Decimal(1_000)}.get(
        match.group(2) or "", 1
    )
    payroll = amount * unit
    deductible = (payroll / 100).quantize(Decimal("0.01"))
    return _cite(
        kb,
        PAYROLL_PHRASE,
        f"职工年度工资薪金总额{_format_money(payroll)}，党建工作经费纳入企业管理费列支，"
        f"其中不超过1%的部分，即最多{_format_money(deductible)}，可以据实在企业所得税前扣除。",
    )


def units_rule(query: str, kb: KnowledgeBase) -> RuleAnswer | None:
    match = _UNITS.search(query)
    if not match:
        return None
    count = parse_count(match.group(1))
    if count is None:
        return None
    verdict = "没有超过上限" if count <= 5 else "超过了上限，需要拆分为两个或以上联合党组织"
    return _cite(kb, UNITS_PHRASE, f"联合党组织覆盖单位数不超过5个；您说的{count}个单位{verdict}。")


def apply_rules(query: str, kb: KnowledgeBase) -> RuleAnswer | None:
    for rule in (payroll_rule, units_rule, member_rule):
        answer = rule(query, kb)
        if answer is not None:
            return answer
    return None
