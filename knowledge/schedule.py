"""When reminders fall due (pure: no database, no clock; the caller passes the moment).

The cadence of each kind comes from the catalogue (``knowledge.activities``); the stages of a period are:

- monthly kinds: ``open`` on the 1st (本月待完成), ``nudge`` on the 20th, ``last`` 3 days before the month ends;
- quarterly kinds: ``open`` on the quarter's first day, ``nudge`` on the 15th of its middle month, ``last``
  7 days before it ends;
- yearly kinds (述职评议): ``open`` on a configurable date (default 1 December), ``last`` 7 days before the year
  ends.

A day that is not a working day in China (``knowledge.workdays``) moves to the next working day (``open``,
``nudge``) or to the previous one (``last``, so that it still comes before the deadline). Should moving bring an
earlier stage onto or past a later one, the earlier one is dropped (the later one says the same, later).
Each stage is due at the branch's hour (08 to 20, default 09:00) in the configured zone (``BRANCHBOT_TZ``).

At a moment, only the latest stage already due in the current period counts (:func:`current_stage`); a
period that has closed has none. Quiet hours: nothing is sent from 21:00 to 08:00 local time; what falls due
then waits for 08:00 (:func:`release_time`), unless its period ends first: every period ends in the quiet hours
of its last day, so what would wait past that goes at the last call before them, 20:58, or, due later, not at
all (:func:`release_within`). The administrators' digest of a closed month (with its quarter and
year when it ends them) is due on the first working day after it, at the default hour (:func:`digest_month`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from knowledge.activities import CATALOGUE, Cadence, Period, period_of, previous_period
from knowledge.workdays import is_workday, next_workday, previous_workday

DEFAULT_TZ = "Asia/Shanghai"
DEFAULT_HOUR = 9
MIN_HOUR, MAX_HOUR = 8, 20  # the hours a branch may choose
QUIET_START, QUIET_END = 21, 8  # nothing is sent from 21:00 to 08:00 local time
# The last call of a period's last day comes this long before its quiet hours (20:58): a row due then is still
# claimed by the minute job (a run lingers 15 s for a row almost due), so it goes before 21:00.
LAST_CALL_MARGIN = timedelta(minutes=2)
MONTH_NUDGE_DAY = 20
MONTH_LAST_DAYS = 3  # the last call comes this many days before the month's last day
QUARTER_NUDGE_DAY = 15  # of the quarter's middle month
QUARTER_LAST_DAYS = 7
YEAR_LAST_DAYS = 7
DEFAULT_YEARLY_OPEN = (12, 1)


class Stage(StrEnum):
    OPEN = "open"
    NUDGE = "nudge"
    LAST = "last"
    DIGEST = "digest"  # the administrators' digest of a closed period

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Stage.OPEN: 0, Stage.NUDGE: 1, Stage.LAST: 2, Stage.DIGEST: 3}


def check_hour(hour: object) -> int:
    """``hour`` if it is an hour a branch may choose (8 to 20), else :class:`ValueError`."""
    if isinstance(hour, bool) or not isinstance(hour, int) or not MIN_HOUR <= hour <= MAX_HOUR:
        raise ValueError(f"hour must be an integer from {MIN_HOUR} to {MAX_HOUR}, got {hour!r}")
    return hour


@dataclass(frozen=True, slots=True)
class ScheduleConfig:
    """The zone, the yearly opening date, the default hour and the working-day test."""

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TZ))
    yearly_open: tuple[int, int] = DEFAULT_YEARLY_OPEN  # (month, day)
    default_hour: int = DEFAULT_HOUR
    workday: Callable[[date], bool] = is_workday

    def __post_init__(self) -> None:
        check_hour(self.default_hour)
        month, day = self.yearly_open
        try:
            opening = date(2001, month, day)  # a common year: 29 February is refused
        except (TypeError, ValueError):
            raise ValueError(f"yearly_open must be a (month, day) pair, got {self.yearly_open!r}") from None
        if opening >= date(2001, 12, 31) - timedelta(days=YEAR_LAST_DAYS):
            raise ValueError("yearly_open must come before the yearly last call (24 December)")


@functools.cache
def default_config() -> ScheduleConfig:
    return ScheduleConfig()


def _cfg(config: ScheduleConfig | None) -> ScheduleConfig:
    return config if config is not None else default_config()


def kinds_of(cadence: Cadence) -> tuple[str, ...]:
    """The codes of the catalogue's kinds of ``cadence``, in catalogue order."""
    return tuple(k.code for k in CATALOGUE if k.cadence is cadence)


def _planned_days(cadence: Cadence, period: Period, config: ScheduleConfig) -> list[tuple[Stage, date]]:
    start, end = period.start, period.end
    if cadence is Cadence.MONTHLY:
        nudge = start.replace(day=MONTH_NUDGE_DAY)
        return [(Stage.OPEN, start), (Stage.NUDGE, nudge), (Stage.LAST, end - timedelta(MONTH_LAST_DAYS))]
    if cadence is Cadence.QUARTERLY:
        nudge = date(start.year, start.month + 1, QUARTER_NUDGE_DAY)
        return [(Stage.OPEN, start), (Stage.NUDGE, nudge), (Stage.LAST, end - timedelta(QUARTER_LAST_DAYS))]
    opening = date(start.year, *config.yearly_open)
    return [(Stage.OPEN, opening), (Stage.LAST, end - timedelta(YEAR_LAST_DAYS))]


def stage_days(
    cadence: Cadence, period: Period, config: ScheduleConfig | None = None
) -> list[tuple[Stage, date]]:
    """The stages of ``period`` and their days, moved to working days, in order."""
    return list(_stage_days(cadence, period, _cfg(config)))


@functools.lru_cache(maxsize=1024)
def _stage_days(cadence: Cadence, period: Period, config: ScheduleConfig) -> tuple[tuple[Stage, date], ...]:
    moved = [
        (
            stage,
            previous_workday(day, config.workday)
            if stage is Stage.LAST
            else next_workday(day, config.workday),
        )
        for stage, day in _planned_days(cadence, period, config)
    ]
    return tuple(
        (stage, day)
        for i, (stage, day) in enumerate(moved)
        if all(day < later for _, later in moved[i + 1 :])
    )


def _at_hour(day: date, hour: int, config: ScheduleConfig) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=config.tz)


def stages_for(
    cadence: Cadence, period: Period, hour: int | None = None, config: ScheduleConfig | None = None
) -> list[tuple[Stage, datetime]]:
    """The stages of ``period`` and when each is due (aware, in the configured zone), in order."""
    config = _cfg(config)
    hour = config.default_hour if hour is None else check_hour(hour)
    return [(stage, _at_hour(day, hour, config)) for stage, day in stage_days(cadence, period, config)]


def local(at: datetime, config: ScheduleConfig | None = None) -> datetime:
    """``at`` in the configured zone (``ValueError`` for a naive datetime)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"an aware datetime is needed, got {at!r}")
    return at.astimezone(_cfg(config).tz)


def current_stage(
    cadence: Cadence, at: datetime, hour: int | None = None, config: ScheduleConfig | None = None
) -> tuple[Period, Stage] | None:
    """The period of ``at`` and its latest stage already due at ``at``; ``None`` before its first stage.

    A closed period never counts: at any moment only the period containing it is considered.
    """
    period = period_of(cadence, local(at, config).date())
    due = [stage for stage, when in stages_for(cadence, period, hour, config) if when <= at]
    return (period, due[-1]) if due else None


def upcoming(
    cadence: Cadence, at: datetime, hour: int | None = None, config: ScheduleConfig | None = None
) -> tuple[Period, Stage, datetime]:
    """The first stage due strictly after ``at``: in ``at``'s period, or else in the next one."""
    day = local(at, config).date()
    for _ in range(3):
        period = period_of(cadence, day)
        for stage, when in stages_for(cadence, period, hour, config):
            if when > at:
                return period, stage, when
        day = period.end + timedelta(days=1)
    raise RuntimeError(f"no {cadence} stage after {at!r}")  # not reachable: every period has a stage


def is_quiet(at: datetime, config: ScheduleConfig | None = None) -> bool:
    """Whether ``at`` falls in the quiet hours (21:00 to 08:00 local time)."""
    hour = local(at, config).hour
    return hour >= QUIET_START or hour < QUIET_END


def release_time(at: datetime, config: ScheduleConfig | None = None) -> datetime:
    """``at`` itself, or, in the quiet hours, the 08:00 that ends them."""
    config = _cfg(config)
    moment = local(at, config)
    if moment.hour >= QUIET_START:
        return _at_hour(moment.date() + timedelta(days=1), QUIET_END, config)
    if moment.hour < QUIET_END:
        return _at_hour(moment.date(), QUIET_END, config)
    return at


def last_call(day: date, config: ScheduleConfig | None = None) -> datetime:
    """The last moment worth sending on ``day`` before its quiet hours begin (20:58)."""
    return _at_hour(day, QUIET_START, _cfg(config)) - LAST_CALL_MARGIN


def release_within(
    at: datetime, last_day: date, config: ScheduleConfig | None = None, *, earliest: datetime | None = None
) -> datetime | None:
    """When something due at ``at`` about a period ending on ``last_day`` can go, or None if it cannot go in it.

    :func:`release_time` when that still falls in the period. Otherwise (the period ends in the quiet hours
    it would wait through) the last call of ``last_day`` (:func:`last_call`), if ``earliest`` (default ``at``:
    a retry passes the moment it failed) is not past it; past it, nothing can go before the period ends
    without breaking the quiet hours: None (a secretary who joined at 22:00 on 31 December hears nothing of
    December; the earlier reviewer's finding: the 08:00 release came after the period had closed).
    """
    config = _cfg(config)
    released = release_time(at, config)
    if local(released, config).date() <= last_day:
        return released
    deadline = last_call(last_day, config)
    return deadline if (earliest if earliest is not None else at) <= deadline else None


def digest_due(month: Period, config: ScheduleConfig | None = None) -> datetime:
    """When the digest of ``month`` is due: the first working day after it, at the default hour."""
    config = _cfg(config)
    day = next_workday(month.end + timedelta(days=1), config.workday)
    return _at_hour(day, config.default_hour, config)


def digest_month(at: datetime, config: ScheduleConfig | None = None) -> Period | None:
    """The closed month whose digest is due at ``at``: the previous month once its digest time has come.

    Before that moment ``None``: the digest of the month before is out of date by then.
    """
    month = previous_period(Cadence.MONTHLY, local(at, config).date())
    return month if at >= digest_due(month, config) else None


def latest_digest_month(at: datetime, config: ScheduleConfig | None = None) -> Period:
    """The latest month whose digest time has come by ``at`` (:func:`digest_month` once it is due, else the
    month before it)."""
    month = previous_period(Cadence.MONTHLY, local(at, config).date())
    while at < digest_due(month, config):
        month = previous_period(Cadence.MONTHLY, month.start)
    return month


def closed_with(month: Period) -> list[tuple[Cadence, Period]]:
    """The periods that close with ``month``: the month, its quarter if it ends one, the year if it ends it."""
    closed = [(Cadence.MONTHLY, month)]
    for cadence in (Cadence.QUARTERLY, Cadence.YEARLY):
        period = period_of(cadence, month.end)
        if period.end == month.end:
            closed.append((cadence, period))
    return closed


def period_by_code(cadence: Cadence, code: str) -> Period:
    """The period of ``cadence`` written ``code`` (``2026-11``, ``2026-Q4``, ``2026``); ``ValueError`` if malformed."""
    try:
        if cadence is Cadence.MONTHLY:
            year, month = code.split("-")
            day = date(int(year), int(month), 1)
        elif cadence is Cadence.QUARTERLY:
            year, quarter = code.split("-Q")
            day = date(int(year), 3 * int(quarter) - 2, 1)
        else:
            day = date(int(code), 1, 1)
    except ValueError:
        raise ValueError(f"not a {cadence} period: {code!r}") from None
    period = period_of(cadence, day)
    if period.code != code:
        raise ValueError(f"not a {cadence} period: {code!r}")
    return period
