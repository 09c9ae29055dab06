"""How often the duties the speeches give a number for are held, and whether the user's own count meets it.

The speeches set 主题党日 every month, 观摩交流 every quarter, 述职评议 every year, and the 集体学习 of the party
organisation with the management at least once a month (``knowledge.activities``). A secretary asks "一年下来主题党日
至少要搞几次" or "我们一年只去别的企业观摩过两次，够不够": retrieval, reading 一年 as 每年, led with a passage about
yearly awards. This rule answers from the duty's own sentence: the cadence, what it makes in the period the user
names, and whether their count reaches it. 三会一课, whose meetings the speeches give no number, is
``knowledge.cadence``'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from knowledge.activities import ActivityKind, Cadence, activity_by_code
from knowledge.numbers import parse_count

# The names a question uses for each duty (the longest first).
_NAMES = (
    ("theme_day", "主题党日活动|主题党日|党日活动|党日"),
    ("observation", "观摩交流活动|观摩交流|观摩活动|观摩"),
    ("review", "述职评议考核|述职评议|述职考核|述职"),
    ("joint_study", "与管理层集体学习|和管理层集体学习|跟管理层集体学习|集体学习|共同学习"),
)
_NUM = r"(\d{1,3}|[一二两三四五六七八九十百]{1,4})"
# The period the user counts over, and how many months it is.
_PERIODS = (
    ("上半年|下半年|半年", 6),
    ("一个季度|一季度|每季度|每个季度|这个季度|本季度|上季度|季度", 3),
    ("一个月|每个月|每月|这个月|本月|上个月", 1),
    ("一年|每年|全年|一整年|去年|今年", 12),
)
# The year still running: a count so far is not measured against the whole year's.
_RUNNING = frozenset({"今年"})
_PERIOD = "|".join(p for p, _ in _PERIODS)
# "一年只搞了8次", "今年观摩过两次", "半年开了3回"; "8次主题党日" with no period is not compared.
_COUNT = re.compile(
    rf"({_PERIOD})[^，。？?！!,]{{0,14}}?(?<!第){_NUM}\s*(?:次|回)(?![^，。？?！!,]{{0,4}}(?:没|未|缺))"
)
# A count of meetings missed, or the n-th one: no verdict can be drawn from it.
_NOT_HELD = re.compile(
    rf"(?:第{_NUM}\s*(?:次|回))|{_NUM}\s*(?:次|回)[^，。？?！!,]{{0,4}}(?:没|未|缺)|没(?:搞|开|办|组织|开展)"
)
# "每两个月搞一次", "半年才开一次", "一个季度一次": the user's own interval.
_EVERY = re.compile(
    rf"(?:每|隔)?(?:{_NUM}\s*个月|(半年)|(?:一个|每个|每)?(季度)|(一年)|{_NUM}\s*(年|个季度))(?:才|就|只)?"
    r"(?:搞|开|组织|开展|办|去)?"
    r"(?:一次|1次|一回)"
)
# The months the user counts so far: 今年到现在9个月, 到11月.
_MONTHS_SO_FAR = re.compile(rf"{_NUM}\s*个月|到\s*{_NUM}\s*月(?!\d)")
# Asks how often, or whether a count is enough.
_ASKS = re.compile(
    r"多久|多长时间|几次|多少次|几回|多少回|频次|频率|周期|够不够|够吗|够了|达标|达到要求|符合要求|按要求|合格"
    r"|(?:每个?月|每季度?|每年)(?:都|要|得|必须|一定)|(?:是不是|要不要|需不需要|必须|是否)每|至少|最少"
    r"|(?:一年|一个月|一季度|一个季度|半年)(?:要|得|需要|开|搞|召开|组织)?(?:几|多少)"
)
# What such a question may hold besides the duty's name, the period and the count.
ALLOWED_WORDS = frozenset(
    """一般 通常 至少 最少 必须 需要 应该 规定 要求 按要求 次数 一次 几次 一年 每年 每月 每个月 每季度 季度 一个月 半年
    今年 全年 时间 开一次 开展 举行 组织 召开 搞 开 支部 党支部 企业 公司 别的 别的企业 其他 其他企业 外面 去 只
    只有 才 就 一共 总共 够 够不够 达标 合格 下来 按 讲话 活动 次 回 多久 多久一次 频次 频率 定期 参加 落实 党组织
    管理层 班子 成员 管理人员 一起 学习 可以 行 行不行 中不中 是吧 对吗 隔 园区 党建 少 少了 多 不够 到 按讲话""".split()
)
_MONTHS = {Cadence.MONTHLY: 1, Cadence.QUARTERLY: 3, Cadence.YEARLY: 12}


def asked_duty(question: str) -> ActivityKind | None:
    """The one duty with a stated cadence that ``question`` asks the frequency of, or None."""
    if not _ASKS.search(question) and not _COUNT.search(question) and not _every(question):
        return None
    found = [code for code, names in _NAMES if re.search(names, question)]
    return activity_by_code(found[0]) if len(found) == 1 else None


def _every(question: str) -> bool:
    """Whether ``question`` states an interval (``_EVERY``), whose every match ends in 一次, 1次 or 一回."""
    return ("一次" in question or "1次" in question or "一回" in question) and bool(_EVERY.search(question))


def without_names(question: str) -> str:
    """``question`` with the duties' names, the periods and the counts blanked (for reading what else it asks)."""
    for _, names in _NAMES:
        question = re.sub(names, " ", question)
    return re.sub(rf"{_PERIOD}|{_NUM}\s*(?:次|回)", " ", _EVERY.sub(" ", question))


def only_asks_frequency(content: Iterable[str]) -> bool:
    """Whether the rest of the question (its content words) asks nothing else."""
    return all(word in ALLOWED_WORDS or word.isdigit() for word in content)


def conclusion(kind: ActivityKind, question: str) -> str:
    """The cadence of ``kind``, and the user's count measured against it where they give one over a period."""
    per_year = 12 // _MONTHS[kind.cadence]
    text = f"讲话要求{kind.cadence.label}开展一次{kind.name}" + (
        f"，一年{per_year}次。" if per_year > 1 else "。"
    )
    if kind.code == "joint_study":
        text = f"讲话要求每月至少组织1次{kind.name}，一年至少12次。"
    if _NOT_HELD.search(question):  # 有3回没搞, 第3次, 上个月没搞: no count of meetings held
        return text
    every = _EVERY.search(question)
    if every is not None:
        return text + _interval(kind, every)
    match = _COUNT.search(question)
    if match is None:
        return text
    return text + _measured(kind, question, match)


def _measured(kind: ActivityKind, question: str, match: re.Match[str]) -> str:
    """The user's count over the most specific period named before it (今年上半年: half a year)."""
    months, period = min((m, found) for p, m in _PERIODS for found in re.findall(p, match.group(0)))
    so_far = _MONTHS_SO_FAR.search(question)  # 今年到现在9个月
    if (
        so_far is not None
        and (n := parse_count(so_far.group(1) or so_far.group(2))) is not None
        and 0 < n < months
    ):
        months, period = n, f"{n}个月"
    elif period in _RUNNING:  # the year is not over: a count so far short of the year's is no failure yet
        count, year = parse_count(match.group(2)), 12 // _MONTHS[kind.cadence]
        if not count:
            return ""
        if count >= year:
            return f"您说的{period}{count}次，已达到全年{year}次的要求。"
        return f"您说的{period}{count}次是到目前为止的，全年按要求应为{year}次。"
    count = parse_count(match.group(2))
    if count is None or months < _MONTHS[kind.cadence]:
        return ""
    needed = months // _MONTHS[kind.cadence]
    said = f"您说的{period}{count}次"
    return f"{said}，达到了要求。" if count >= needed else f"{said}，少于要求的{needed}次。"


def _interval(kind: ActivityKind, every: re.Match[str]) -> str:
    """The user's "every N months once" against the duty's cadence."""
    n_months, half, quarter, year, n, unit = every.groups()
    if n_months:
        months = parse_count(n_months)
    elif n:
        months = (parse_count(n) or 0) * (12 if unit == "年" else 3)
    else:
        months = 6 if half else 3 if quarter else 12 if year else None
    if not months:
        return ""
    required = _MONTHS[kind.cadence]
    said = f"您说的{every.group(0).lstrip('每隔')}"
    if months <= required:
        return f"{said}，达到了要求。"
    return f"{said}，间隔比要求的{kind.cadence.label}一次长，次数不够。"
