"""Rules the speeches state with numbers, applied to the numbers in a user's question.

- Forming a branch: 3 or more formal members -> 单独组建; 1-2 -> 联合建/挂靠建; none -> 党建工作指导员.
- Funding: party-building funds within 1% of the yearly payroll are deductible before enterprise income tax.
- A joint party organisation covers at most 5 units.
- How often the meetings of "三会一课" are held: the speeches set no number (``knowledge.cadence``).
- How often 主题党日, 观摩交流, 述职评议 and 集体学习 are held, and whether the user's count meets it
  (``knowledge.duties``).

The limits come from ``knowledge.organisation``. Each rule cites the passage that states it, found by a phrase of
the speech (not by position) in a ``Corpus``: anything with ``find`` and ``analyze``, such as ``KnowledgeBase``.
This module does not import ``knowledge.base``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from knowledge import duties
from knowledge.cadence import ALLOWED_WORDS, DUTY_PHRASE, asked_kinds, conclusion, without_names
from knowledge.highlight import LIMIT, sentences
from knowledge.numbers import parse_count, parse_number
from knowledge.organisation import MAX_JOINT_UNITS, MIN_OWN_BRANCH_MEMBERS
from knowledge.segment import AnalyzedQuery
from knowledge.textforms import nfkc
from knowledge.traditional import fold
from knowledge.types import Passage

_NUM = r"(\d{1,4}|[零一二两俩三四五六七八九十百]{1,4})"
_HAVE = r"(?:只有|仅有|共有|一共有|一共|总共|有|共|就|才)"
_MEMBERS = re.compile(
    rf"{_HAVE}?\s*{_NUM}\s*(?:名|个|位)?(?:正式)?党员"
    rf"|党员(?:人数|数量|数)?(?:{_HAVE}|为|是)?\s*(?:(\d{{1,4}})\s*(?:名|个|位|人)?(?![\d万千百%])"
    # A Chinese numeral with no measure word counts only at a word's end: 党员三亮 names something.
    rf"|([零一二两俩三四五六七八九十百]{{1,4}})\s*(?:(?:名|个|位|人)|(?![万千百%\u4e00-\u9fff])))"
    rf"|党员.{{0,6}}?(?:只有|仅有|就|才)\s*{_NUM}\s*(?:名|个|位|人)"
)
# "没有党员", "0名党员", "党员为零"; not "10名党员" (a 0 that ends a number) nor "有无党员" (whether there are).
_NO_MEMBERS = re.compile(
    r"(没有|(?<!有)无|(?<![\d零一二两三四五六七八九十百千])(?:零个?|0名?))(正式)?党员"
    r"|党员(人数|数量)?(为|是)?(?<![\d])(零|0)(?!\d)|一(个|名|位)(正式)?党员(都|也)没有"
    r"|(一个|一名)都没有"
)
# "两名正式党员和一名预备党员": the formal members, counted apart from the probationary ones.
_FORMAL_MEMBERS = re.compile(
    rf"{_NUM}\s*(?:名|个|位)?正式党员|正式(?:的)?党员(?:有|是|为|共|一共)?\s*{_NUM}\s*(?:名|个|位|人)"
)
_PROBATIONARY = re.compile(
    rf"(?:和|及|以及|、|，|,|还有|另有|外加)?{_NUM}?\s*(?:名|个|位)?预备(?:党员|的)"
    rf"|预备(?:党员|的)(?:有|是|为)?\s*{_NUM}\s*(?:名|个|位|人)"
)
# "三个党员，其中一个是预备党员" (the probationary ones among a total), "都是预备党员" (all of them).
# Also without 其中, when a clause says one of them *is* probationary ("3名党员，有一个还是预备的": helper-88's review).
_PROBATIONARY_AMONG = re.compile(
    rf"其中\s*(?:有)?\s*{_NUM}\s*(?:名|个|位)?(?:是|为)?预备(?:党员|的)"
    rf"|[，,]\s*(?:有)?\s*{_NUM}\s*(?:名|个|位)?(?:还|也)?(?:是|为)预备(?:党员|的)"
)
_ALL_PROBATIONARY = re.compile(r"(?:都|全|全部|全都)(?:是|为)?预备(?:党员|的)")
# What a question about forming a branch may contain besides the member count.
_FORMING_WORDS = frozenset(
    """建 组建 建立 成立 建不了 建不起来 不了 不能 无法 没法 党组织 支部 党支部 单独 联合 挂靠 联合建 挂靠建 单独组建
    单独建立 建党组织 企业 公司 单位 本单位 本企业 组织 只有 正式 党员 正式党员 现在 目前 情况 形式 方式 设置 必须 能 少 多 人数 数量 职工 员工 开展 工作 办
    社会组织 非公企业 小微企业 个体工商户 商户 行业协会 两新组织 农民专业合作组织 专业市场 商务楼宇
    自己 员工 公司员工 个人 刚好 其中 以上 够 不够 够不够 具体 分别 上面 一起 一块 凑 每家 几家 最多能 园区 工业园
    楼宇 商务楼 联合党支部 挂到 村里 社区 去过 过组织生活""".split()
)
_AMOUNT = r"([0-9零〇一二两三四五六七八九十百千万亿.,，多余]{1,24})"
_PAYROLL = re.compile(
    rf"工资(?:薪金)?(?:总额|总数|总计)?(?:是|为|有|约|大约|共|一共)?\s*{_AMOUNT}\s*(元)?(?![%％\d])"
)
_FUNDS = re.compile(r"经费|税前|列支|抵税|所得税|扣除")
_MONTHLY = re.compile(r"每月|月工资|一个月|每个月|月均|月薪")
_UNITS = re.compile(
    rf"联合.{{0,8}}?{_NUM}\s*(?:个|家)(?:小|大)?(?:单位|企业|组织|公司|厂|店)"
    rf"|{_NUM}\s*(?:个|家)(?:小|大)?(?:单位|企业|组织|公司|厂|店).{{0,10}}联合"
)
_WITH_OTHERS = re.compile(
    r"(?:跟|和|与|同)(?:旁边|附近|周边|隔壁|别的|其他|另外)?的?\s*(?:\d|[一二两三四五六七八九十])"
)
_MORE_UNITS = re.compile(rf"(?:和|跟|与|加上|还有)(?:另外|其他|别的)?的?\s*{_NUM}\s*(?:个|家)")
_UNITS_TOTAL = re.compile(rf"(?:一共|总共|共|合计|加起来|加上.{{0,6}}共)\s*{_NUM}\s*(?:个|家)")
# Spaces a user types inside a number (3 0万) or after 工资, taken out before the rules read the question.
_SPACE_AFTER_DIGIT = re.compile(r"(?<=\d)\s+(?=[\d万亿千元])|(?<=\d)\s+(?=\d)")
_SPACE_AFTER_PAYROLL = re.compile(r"工资(总额)?\s+")
MAX_RULE_QUERY = 300  # rules read a question, not a pasted document

PAYROLL_PHRASE = "不超过职工年度工资薪金总额1%的部分"
# The branch-forming rules cite the items of the speech on "两新" organisations ("一是单独组建…", "二是联合建、挂靠建…",
# "三是派驻党建工作指导员…"); the other speech says the same of enterprises in a broader paragraph.
SINGLE_PHRASE = "对职工中正式党员3名以上的"
JOINT_PHRASE = "对职工中正式党员不足3名的，开展联合建、挂靠建"
NONE_PHRASE = "选派党建工作指导员"
UNITS_PHRASE = "联合党组织覆盖单位数不超过5个"


class Corpus(Protocol):
    """What the rules need from a knowledge base."""

    def find(self, phrase: str) -> Passage | None:
        """The first passage containing ``phrase``."""
        ...

    def analyze(self, text: str) -> AnalyzedQuery:
        """``text`` analysed as a query is."""
        ...


@dataclass(frozen=True, slots=True)
class RuleAnswer:
    """A rule applied to the user's numbers: the conclusion and the sentence of the speech it rests on."""

    conclusion: str
    passage_id: int
    phrase_sentence: str
    # False when the speeches do not settle the question and the conclusion says so (``knowledge.cadence``): the
    # answer is then tentative, not confident.
    settled: bool = True


def _sentence_with(text: str, phrase: str) -> str:
    """The sentence of ``text`` that states ``phrase`` (the rule's key sentence)."""
    return next((s.strip() for s in sentences(text) if phrase in s), phrase)[:LIMIT]


def _cite(corpus: Corpus, phrase: str, conclusion: str, *, settled: bool = True) -> RuleAnswer | None:
    passage = corpus.find(phrase)
    if passage is None:
        return None
    return RuleAnswer(conclusion, passage.id, _sentence_with(passage.text, phrase), settled)


def _format_money(yuan: Decimal) -> str:
    if yuan >= 100_000_000 and yuan % 10_000_000 == 0:
        return f"{(yuan / 100_000_000).normalize():f}亿元"
    if yuan >= 10000:
        return f"{(yuan / 10000).normalize():f}万元"
    return f"{yuan.normalize():f}元"


def _about_forming(query: str, span: tuple[int, int], corpus: Corpus) -> bool:
    """True when, besides the count, the question only talks about forming a branch.

    What is left once the count is cut out is analysed on its own: the words of the whole question cannot stand
    in for it, as jieba may cut a word across the count (我们律所有3名党员 -> 律 / 所有 / 3 / 名 / 党员). A colloquial
    word counts as its speech terms (单位里 -> 企业, 单位; 建支部 -> 建立党组织, 组建).
    """
    rest = corpus.analyze(query[: span[0]] + " " + query[span[1] :])
    return all(
        word in _FORMING_WORDS or any(term in _FORMING_WORDS for term in rest.expansions.get(word, ()))
        for word in rest.content
        if not word.isdigit()
    )


def _no_members(corpus: Corpus) -> RuleAnswer | None:
    return _cite(
        corpus,
        NONE_PHRASE,
        "没有正式党员的单位，暂不具备建立党组织的条件：由上级选派党建工作指导员，"
        "通过先建立工会、共青团、妇联组织等方式开展党的工作。",
    )


def member_rule(query: str, corpus: Corpus) -> RuleAnswer | None:
    # Every alternative of ``_NO_MEMBERS`` holds 党员 or 都没有: a question with neither is not searched.
    if ("党员" in query or "都没有" in query) and _NO_MEMBERS.search(query):
        return _no_members(corpus)
    # Probationary members do not count towards the 3-member line: with them, only a count of formal members is
    # read; without one, retrieval answers.
    probationary = "预备" in query
    among = _PROBATIONARY_AMONG.search(query) or _ALL_PROBATIONARY.search(query) if probationary else None
    if among is not None and not _FORMAL_MEMBERS.search(query):
        return _formal_among(query, among, corpus)
    if probationary:
        query = _PROBATIONARY.sub(" ", query)
        match = _FORMAL_MEMBERS.search(query)
    else:  # every alternative of ``_MEMBERS`` holds 党员: a question without it is not searched
        match = _MEMBERS.search(query) if "党员" in query else None
    if not match or not _about_forming(query, match.span(), corpus):
        return None
    count = parse_count(next(g for g in match.groups() if g))
    if count is None:
        return None
    return _member_conclusion(count, probationary, corpus)


def _formal_among(query: str, among: re.Match, corpus: Corpus) -> RuleAnswer | None:
    """A total and the probationary members among it: the formal members are the rest."""
    rest = query[: among.start()] + " " + query[among.end() :]
    total = _MEMBERS.search(rest)
    if total is None or not _about_forming(rest, total.span(), corpus):
        return None
    count = parse_count(next(g for g in total.groups() if g))
    given = next((g for g in among.groups() if g), None)  # the count of whichever alternative matched
    probationary = parse_count(given) if given else count  # none given: 都是预备党员
    if count is None or probationary is None or probationary > count:
        return None
    return _member_conclusion(count - probationary, True, corpus)


def _member_conclusion(count: int, probationary: bool, corpus: Corpus) -> RuleAnswer | None:
    if count == 0:
        return _no_members(corpus)
    aside = "预备党员不计入正式党员人数。" if probationary else ""
    if count >= MIN_OWN_BRANCH_MEMBERS:
        return _cite(
            corpus,
            SINGLE_PHRASE,
            f"您有{count}名正式党员，达到{MIN_OWN_BRANCH_MEMBERS}名以上，应当单独建立党组织（单独组建）。{aside}",
        )
    return _cite(
        corpus,
        JOINT_PHRASE,
        f"您有{count}名正式党员，不足{MIN_OWN_BRANCH_MEMBERS}名，不能单独建立党组织，应采取联合建或挂靠建的方式"
        f"（联合党组织覆盖单位数不超过{MAX_JOINT_UNITS}个）。{aside}",
    )


def payroll_rule(query: str, corpus: Corpus) -> RuleAnswer | None:
    if not _FUNDS.search(query):
        return None
    for match in _PAYROLL.finditer(query):
        amount = parse_number(match.group(1))
        if amount is None or amount <= 0:
            continue
        if not match.group(2) and not re.search(r"[万亿千]", match.group(1)) and amount < 1000:
            continue  # a bare small number ("1%") is no payroll
        monthly = bool(_MONTHLY.search(query))
        payroll = amount * 12 if monthly else amount
        deductible = (payroll / 100).quantize(Decimal("0.01"))
        basis = f"按每月{_format_money(amount)}计，全年" if monthly else ""
        return _cite(
            corpus,
            PAYROLL_PHRASE,
            f"{basis}职工年度工资薪金总额{_format_money(payroll)}，党建工作经费纳入企业管理费列支，"
            f"其中不超过1%的部分，即最多{_format_money(deductible)}，可以据实在企业所得税前扣除。",
        )
    return None


def units_rule(query: str, corpus: Corpus) -> RuleAnswer | None:
    match = _UNITS.search(query)
    if not match:
        return None
    # A total the user states (一共4家, 共6个单位) is the count; else "跟旁边6家小公司一起联合" is six others and
    # the user's own unit, unless the count is "我们5家", which includes it.
    stated = _UNITS_TOTAL.search(query)
    count = parse_count(stated.group(1) if stated else next(g for g in match.groups() if g))
    if count is None:
        return None
    ours = re.search(r"我们\s*(?:\d|[一二两三四五六七八九十])", query[: match.end()])
    after = next(match.end(i) for i, g in enumerate(match.groups(), 1) if g)  # after the count
    more = None if stated or not ours else _MORE_UNITS.search(query, after)  # 我们5家和另外1家
    others = (
        not stated and not ours and bool(_WITH_OTHERS.search(query[max(0, match.start() - 12) : match.end()]))
    )
    extra = (parse_count(more.group(1)) or 0) if more else 1 if others else 0
    total = count + extra
    said = (
        f"您说的{count}家加上另外{extra}家共{total}个单位"
        if more
        else f"您说的{count}家加上您自己共{total}个单位"
        if others
        else f"您说的{count}个单位"
    )
    verdict = "没有超过上限" if total <= MAX_JOINT_UNITS else "超过了上限，需要拆分为两个或以上联合党组织"
    return _cite(corpus, UNITS_PHRASE, f"联合党组织覆盖单位数不超过{MAX_JOINT_UNITS}个；{said}{verdict}。")


def cadence_rule(query: str, corpus: Corpus) -> RuleAnswer | None:
    """How often the meetings of "三会一课" are held: not set by the speeches (``knowledge.cadence``)."""
    kinds = asked_kinds(query)
    if not kinds or not all(w in ALLOWED_WORDS for w in corpus.analyze(without_names(query)).content):
        return None
    return _cite(corpus, DUTY_PHRASE, conclusion(kinds), settled=False)


def duty_rule(query: str, corpus: Corpus) -> RuleAnswer | None:
    """How often a duty the speeches give a number for is held, and the user's count against it
    (``knowledge.duties``)."""
    kind = duties.asked_duty(query)
    if kind is None or not duties.only_asks_frequency(corpus.analyze(duties.without_names(query)).content):
        return None
    return _cite(corpus, kind.cite, duties.conclusion(kind, query))


def apply_rules(query: str, corpus: Corpus) -> RuleAnswer | None:
    """The first rule that applies to the numbers in ``query`` (the question as the user wrote it), if any."""
    # 黨員 -> 党员, after NFKC (``textforms.nfkc``: ``unicodedata.normalize("NFKC", ...)``, faster on Chinese)
    query = fold(nfkc(query or ""))[:MAX_RULE_QUERY]
    query = _SPACE_AFTER_DIGIT.sub("", query)
    query = _SPACE_AFTER_PAYROLL.sub(r"工资\1", query)
    for rule in (payroll_rule, units_rule, member_rule, cadence_rule, duty_rule):
        answer = rule(query, corpus)
        if answer is not None:
            return answer
    return None
