"""Periods as users type them, and the periods a view spans.

Codes (``2026-11``, ``2026-Q4``, ``2026``), the bot's own wording (``2026年11月``, ``2026年第四季度``,
``2026年度``) and short forms: a month or quarter without its year (``11月``, ``第四季度``, ``Q4``: the latest one
not after today) and words (``本月``, ``上月``, ``本季度``, ``上季度``, ``今年``, ``去年``). Full-width digits and
letters are read as ASCII and spaces are ignored (``/status 2026 Q4``). The short forms need today's date.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from knowledge.activities import Cadence, Period, period_of

_CN_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_CN_NUMBERS |= {"十一": 11, "十二": 12}
_NUMBER = r"(\d{1,2}|十[一二]?|[一二三四五六七八九])"
_QUARTER_NUMBER = r"([1-4一二三四])"
# (pattern, cadence): the year first, then the month or quarter (if any)
_ABSOLUTE = (
    (re.compile(r"(\d{4})[-./](\d{1,2})"), Cadence.MONTHLY),  # 2026-10, 2026.10, 2026/10
    (re.compile(rf"(\d{{4}})年{_NUMBER}月份?"), Cadence.MONTHLY),
    (re.compile(r"(\d{4})(?:-|年)?Q([1-4])"), Cadence.QUARTERLY),
    (re.compile(r"Q(?P<n>[1-4])[-./]?(?P<y>\d{4})"), Cadence.QUARTERLY),  # Q4 2026: the quarter first
    (re.compile(rf"(\d{{4}})年?第?{_QUARTER_NUMBER}季度?"), Cadence.QUARTERLY),
    (re.compile(r"(\d{4})(?:年度?)?"), Cadence.YEARLY),
)
_MONTH_ONLY = re.compile(rf"{_NUMBER}月份?")
_QUARTER_ONLY = re.compile(rf"(?:Q([1-4])|第?{_QUARTER_NUMBER}季度?)")
# word -> (cadence, how many periods back from today's)
_WORDS = {
    **dict.fromkeys(("本月", "这个月", "当月"), (Cadence.MONTHLY, 0)),
    **dict.fromkeys(("上月", "上个月"), (Cadence.MONTHLY, 1)),
    **dict.fromkeys(("本季度", "本季", "这个季度", "当季"), (Cadence.QUARTERLY, 0)),
    **dict.fromkeys(("上季度", "上季", "上个季度"), (Cadence.QUARTERLY, 1)),
    **dict.fromkeys(("今年", "本年", "本年度", "当年"), (Cadence.YEARLY, 0)),
    **dict.fromkeys(("去年", "上年", "上年度"), (Cadence.YEARLY, 1)),
}
MIN_YEAR, MAX_YEAR = 2000, 2100
PERIOD_HELP = (
    "期间应写成月份 2026-11（或 2026年11月、2026/11、11月、本月、上月）、季度 2026-Q4（或 2026年第四季度、本季度、上季度）、"
    "年度 2026（或 今年、去年）"
)

_ORDER = {Cadence.MONTHLY: 0, Cadence.QUARTERLY: 1, Cadence.YEARLY: 2}


def parse_period(text: str, today: date | None = None) -> Period:
    """The month, quarter or year ``text`` names; :class:`ValueError` with a Chinese message otherwise.
    ``today``: what the short forms (``11月``, ``上月``, ``去年``) count from; without it they are refused."""
    shown = (text or "").strip()
    value = re.sub(r"\s+", "", unicodedata.normalize("NFKC", shown)).upper()
    for pattern, cadence in _ABSOLUTE:
        match = pattern.fullmatch(value)
        if match:
            named = "y" in pattern.groupindex
            year_text = match["y"] if named else match.group(1)
            number = match["n"] if named else match.group(2) if pattern.groups > 1 else None
            year = int(year_text)
            if not MIN_YEAR <= year <= MAX_YEAR:
                raise ValueError(f"年份“{year}”超出范围（{MIN_YEAR}—{MAX_YEAR}）；{PERIOD_HELP}。")
            return _make(cadence, year, _number(number) if number else 1)
    period = _relative(value, today)
    if period is None:
        raise ValueError(f"看不懂期间“{shown[:20]}”：{PERIOD_HELP}。")
    return period


def _number(text: str) -> int:
    return int(text) if text.isdigit() else _CN_NUMBERS[text]


def _make(cadence: Cadence, year: int, number: int) -> Period:
    """The month ``number`` of ``year``, its quarter ``number``, or the year itself."""
    if cadence is Cadence.MONTHLY:
        if not 1 <= number <= 12:
            raise ValueError(f"月份“{number}”不对，应为 1 到 12；{PERIOD_HELP}。")
        return period_of(cadence, date(year, number, 1))
    if cadence is Cadence.QUARTERLY:
        return period_of(cadence, date(year, number * 3 - 2, 1))
    return period_of(cadence, date(year, 1, 1))


def _relative(value: str, today: date | None) -> Period | None:
    """A short form counted from ``today``: a word, or a month or quarter without its year (the latest one that
    has begun: ``12月`` in January is last December). None if ``value`` is none of them."""
    word = _WORDS.get(value)
    month = _MONTH_ONLY.fullmatch(value)
    quarter = _QUARTER_ONLY.fullmatch(value)
    if word is None and month is None and quarter is None:
        return None
    if today is None:
        raise ValueError(
            f"“{value[:20]}”要按当天的日期推算，这里请写具体期间，例如 2026-11、2026-Q4 或 2026。"
        )
    if word is not None:
        cadence, back = word
        period = period_of(cadence, today)
        for _ in range(back):
            period = period_of(cadence, period.start - timedelta(days=1))
        return period
    if month is not None:
        number = _number(month.group(1))
        return _make(Cadence.MONTHLY, today.year - (number > today.month), number)
    number = _number(quarter.group(1) or quarter.group(2))
    return _make(Cadence.QUARTERLY, today.year - (number > (today.month + 2) // 3), number)


def period_label(code: str) -> str:
    """A stored period code as users read it (``2026-12`` -> 2026年12月); the code itself if it names none."""
    try:
        return parse_period(code).label
    except ValueError:
        return code


def cadence_of(period: Period) -> Cadence:
    """The cadence a period code is written in."""
    if "Q" in period.code:
        return Cadence.QUARTERLY
    return Cadence.MONTHLY if "-" in period.code else Cadence.YEARLY


def slots(cadence: Cadence, view: Period) -> list[Period]:
    """The periods of ``cadence`` that overlap ``view``: the months of a quarter, or the quarter a month is in."""
    found = []
    current = period_of(cadence, view.start)
    while current.start <= view.end:
        found.append(current)
        current = period_of(cadence, current.end + timedelta(days=1))
    return found


def finer_or_equal(cadence: Cadence, view: Period) -> bool:
    """Whether periods of ``cadence`` lie inside ``view`` (a month in a quarter) rather than around it."""
    return _ORDER[cadence] <= _ORDER[cadence_of(view)]


def this_month(today: date) -> Period:
    return period_of(Cadence.MONTHLY, today)
