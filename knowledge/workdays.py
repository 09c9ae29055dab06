"""Working days in China: weekends, public holidays (春节, 国庆 ...) and the make-up working days (调休).

The holiday table is the ``chinese-calendar`` package's (``chinese_calendar.is_workday``), not a list kept here.
For a year it does not know yet it raises ``NotImplementedError``; then weekends and the holidays fixed by date
(元旦 1 January, 劳动节 1-2 May, 国庆节 1-3 October, as the State Council's rules set them since 2025) are used
instead, and one warning per year is logged, so reminders keep going until the package is updated (the lunar
holidays, 春节 and the others, and the make-up working days are then unknown; ``branchbot check`` says so).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import date, timedelta

log = logging.getLogger(__name__)

# Years for which the fallback has already been logged (one warning per year and process).
_warned_years: set[int] = set()
# A scheduled day moves at most this far; no holiday in China is this long, so the bound only stops a bug.
MAX_SHIFT_DAYS = 31


# Public holidays on fixed dates (month, day): what is known of a year the holiday table does not cover.
FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})


def weekdays_only(day: date) -> bool:
    """Monday to Friday."""
    return day.weekday() < 5


def fallback_workday(day: date) -> bool:
    """Monday to Friday except the holidays on fixed dates: the fallback for a year the table does not cover."""
    return weekdays_only(day) and (day.month, day.day) not in FIXED_HOLIDAYS


def covers(year: int) -> bool:
    """Whether the holiday table knows ``year``."""
    return _table_workday(date(year, 1, 1)) is not None


@functools.lru_cache(maxsize=4096)
def _table_workday(day: date) -> bool | None:
    """The holiday table's answer for ``day``, or None for a year it does not know (cached: the package
    checks the year's bounds on every call, which is slow)."""
    import chinese_calendar  # imported on first use: nothing is loaded when the catalogue is imported

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


def is_workday(day: date) -> bool:
    """Whether ``day`` is a working day in China (holidays and make-up working days included)."""
    answer = _table_workday(day)
    if answer is None:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning(
                "chinese-calendar has no holiday table for %d; treating Monday to Friday as working days, "
                "except 1 Jan, 1-2 May and 1-3 Oct (update the chinese-calendar package)",
                day.year,
            )
        return fallback_workday(day)
    return answer


def next_workday(day: date, workday: Callable[[date], bool] = is_workday) -> date:
    """``day`` itself if it is a working day, else the first working day after it."""
    for shift in range(MAX_SHIFT_DAYS):
        candidate = day + timedelta(days=shift)
        if workday(candidate):
            return candidate
    return day


def previous_workday(day: date, workday: Callable[[date], bool] = is_workday) -> date:
    """``day`` itself if it is a working day, else the last working day before it."""
    for shift in range(MAX_SHIFT_DAYS):
        candidate = day - timedelta(days=shift)
        if workday(candidate):
            return candidate
    return day
