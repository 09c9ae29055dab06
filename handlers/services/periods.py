"""Period codes as users type them (``2026-11``, ``2026-Q4``, ``2026``) and the periods a view spans."""

from __future__ import annotations

import re
from datetime import date, timedelta

from knowledge.activities import Cadence, Period, period_of

_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_QUARTER = re.compile(r"(\d{4})-?[Qq]([1-4])")
_YEAR = re.compile(r"(\d{4})")
MIN_YEAR, MAX_YEAR = 2000, 2100
PERIOD_HELP = "期间应写成月份 2026-11、季度 2026-Q4 或年度 2026"

_ORDER = {Cadence.MONTHLY: 0, Cadence.QUARTERLY: 1, Cadence.YEARLY: 2}


def parse_period(text: str) -> Period:
    """The month, quarter or year ``text`` names; :class:`ValueError` with a Chinese message otherwise."""
    value = (text or "").strip()
    for pattern, make in ((_MONTH, _month), (_QUARTER, _quarter), (_YEAR, _year)):
        match = pattern.fullmatch(value)
        if match:
            year = int(match.group(1))
            if not MIN_YEAR <= year <= MAX_YEAR:
                raise ValueError(f"年份“{year}”超出范围（{MIN_YEAR}—{MAX_YEAR}）；{PERIOD_HELP}。")
            return make(year, *(int(g) for g in match.groups()[1:]))
    raise ValueError(f"看不懂期间“{value[:20]}”：{PERIOD_HELP}。")


def period_label(code: str) -> str:
    """A stored period code as users read it (``2026-12`` -> 2026年12月); the code itself if it names none."""
    try:
        return parse_period(code).label
    except ValueError:
        return code


def _month(year: int, month: int) -> Period:
    if not 1 <= month <= 12:
        raise ValueError(f"月份“{month}”不对，应为 1 到 12；{PERIOD_HELP}。")
    return period_of(Cadence.MONTHLY, date(year, month, 1))


def _quarter(year: int, quarter: int) -> Period:
    return period_of(Cadence.QUARTERLY, date(year, quarter * 3 - 2, 1))


def _year(year: int) -> Period:
    return period_of(Cadence.YEARLY, date(year, 1, 1))


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
