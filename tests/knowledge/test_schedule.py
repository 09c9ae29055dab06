"""The reminder schedule (pure): stages per cadence, working days (chinese-calendar, and the weekend fallback),
the branch's hour, the latest due stage, quiet hours, the digest's day."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from knowledge import workdays
from knowledge.activities import Cadence, period_of
from knowledge.schedule import (
    ScheduleConfig,
    Stage,
    closed_with,
    current_stage,
    digest_due,
    digest_month,
    is_quiet,
    kinds_of,
    last_call,
    latest_digest_month,
    period_by_code,
    release_time,
    release_within,
    stage_days,
    stages_for,
    upcoming,
)

SH = ZoneInfo("Asia/Shanghai")
WEEKDAYS = ScheduleConfig(workday=workdays.weekdays_only)  # independent of the holiday table's version
M, Q, Y = Cadence.MONTHLY, Cadence.QUARTERLY, Cadence.YEARLY
OPEN, NUDGE, LAST = Stage.OPEN, Stage.NUDGE, Stage.LAST


def days(cadence: Cadence, day: date, config: ScheduleConfig | None = None) -> list[tuple[Stage, date]]:
    return stage_days(cadence, period_of(cadence, day), config)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def test_cadences_come_from_the_catalogue():
    assert kinds_of(M) == ("theme_day", "committee", "group_meeting", "joint_study")
    assert kinds_of(Q) == ("assembly", "lecture", "observation")
    assert kinds_of(Y) == ("review",)


# --- Stages on plain weekdays (a month of 2026 without holidays) ---------------------------------------------


def test_monthly_stages_open_nudge_last():
    # June 2026: 1st a Monday, 20th a Saturday -> Monday 22nd; 30 - 3 = 27th a Saturday -> Friday 26th.
    assert days(M, date(2026, 6, 10)) == [
        (OPEN, date(2026, 6, 1)),
        (NUDGE, date(2026, 6, 22)),
        (LAST, date(2026, 6, 26)),
    ]


@pytest.mark.parametrize(
    ("month", "last"),
    [
        (date(2026, 4, 1), date(2026, 4, 27)),  # 30 days: the 27th (a Monday)
        (date(2026, 3, 1), date(2026, 3, 27)),  # 31 days: the 28th is a Saturday -> the 27th
        (date(2026, 12, 1), date(2026, 12, 28)),  # 31 days: the 28th (a Monday)
    ],
)
def test_month_ends(month, last):
    assert dict(days(M, month))[LAST] == last


def test_29_february_2028():
    """A leap February: 29 - 3 = the 26th, a Saturday, so the last call is Friday the 25th."""
    period = period_of(M, date(2028, 2, 29))
    assert (period.code, period.end) == ("2028-02", date(2028, 2, 29))
    assert stage_days(M, period, WEEKDAYS) == [
        (OPEN, date(2028, 2, 1)),
        (NUDGE, date(2028, 2, 21)),  # the 20th is a Sunday
        (LAST, date(2028, 2, 25)),
    ]
    # Late on 29 February the last call is still the stage that counts; on 1 March it is a new month.
    assert current_stage(M, sh(2028, 2, 29, 23, 59), config=WEEKDAYS)[1] is LAST
    assert current_stage(M, sh(2028, 3, 1, 8, 59), config=WEEKDAYS) is None


def test_quarter_stages_and_end():
    # Q2 2026: 1 April (Wednesday), 15 May (Friday), 30 June - 7 = 23 June (Tuesday).
    assert days(Q, date(2026, 5, 1)) == [
        (OPEN, date(2026, 4, 1)),
        (NUDGE, date(2026, 5, 15)),
        (LAST, date(2026, 6, 23)),
    ]
    # Q1 2026: 1 January is 元旦 -> the 4th (a Sunday made a working day); 15 February is in 春节 -> 24th.
    assert days(Q, date(2026, 2, 1)) == [
        (OPEN, date(2026, 1, 4)),
        (NUDGE, date(2026, 2, 24)),
        (LAST, date(2026, 3, 24)),
    ]


def test_year_stages_default_and_configured():
    assert days(Y, date(2026, 3, 1)) == [(OPEN, date(2026, 12, 1)), (LAST, date(2026, 12, 24))]
    early = ScheduleConfig(yearly_open=(11, 15))  # 15 November 2026 is a Sunday
    assert days(Y, date(2026, 3, 1), early) == [(OPEN, date(2026, 11, 16)), (LAST, date(2026, 12, 24))]
    for bad in [(12, 24), (12, 31), (2, 29), (13, 1)]:
        with pytest.raises(ValueError):
            ScheduleConfig(yearly_open=bad)


# --- Holidays and make-up working days (chinese-calendar's table for 2026) -----------------------------------


def test_national_day_week_2026():
    """国庆 2026: 1-7 October off; Sunday 20 September and Saturday 10 October are working days."""
    assert not workdays.is_workday(date(2026, 10, 1))
    assert workdays.is_workday(date(2026, 10, 10))  # the 调休 Saturday
    assert workdays.is_workday(date(2026, 9, 20))  # the 调休 Sunday
    month, quarter = days(M, date(2026, 10, 1)), days(Q, date(2026, 10, 1))
    assert month[0] == (OPEN, date(2026, 10, 8)) == quarter[0]
    # September: 30 - 3 = the 27th, a Sunday (the 调休 Sunday is the 20th); Friday the 25th is 中秋节:
    # the last call moves back to Thursday the 24th.
    assert not workdays.is_workday(date(2026, 9, 25))
    assert dict(days(M, date(2026, 9, 1)))[LAST] == date(2026, 9, 24)
    # The make-up Saturday counts as a working day: a stage planned on it would stay there.
    assert workdays.next_workday(date(2026, 10, 10)) == date(2026, 10, 10)
    assert workdays.previous_workday(date(2026, 10, 11)) == date(2026, 10, 10)


def test_spring_festival_2026():
    """春节 2026: 15-23 February off; Saturdays 14 and 28 February are working days."""
    assert days(M, date(2026, 2, 1)) == [
        (OPEN, date(2026, 2, 2)),  # 1 February is a Sunday
        (NUDGE, date(2026, 2, 24)),  # the 20th falls in the holiday
        (LAST, date(2026, 2, 25)),
    ]
    assert workdays.is_workday(date(2026, 2, 28)) and workdays.is_workday(date(2026, 2, 14))


def test_a_stage_moved_onto_a_later_one_is_dropped():
    """If a nudge is pushed past the last call, only the last call remains (it says the same, later)."""
    closed = {date(2026, 6, day) for day in range(20, 27)}  # an imaginary week off, 20-26 June
    config = ScheduleConfig(workday=lambda d: d.weekday() < 5 and d not in closed)
    assert days(M, date(2026, 6, 1), config) == [(OPEN, date(2026, 6, 1)), (LAST, date(2026, 6, 19))]


def test_unknown_year_degrades_to_weekends_and_fixed_holidays_with_one_warning(caplog, monkeypatch):
    monkeypatch.setattr(workdays, "_warned_years", set())
    with caplog.at_level(logging.WARNING, logger="knowledge.workdays"):
        assert not workdays.is_workday(date(2099, 1, 1))  # a Thursday, but 元旦; no holiday table for 2099
        assert workdays.is_workday(date(2099, 1, 2))  # a Friday
        assert not workdays.is_workday(date(2099, 1, 3))  # a Saturday
        assert not workdays.is_workday(date(2099, 5, 1)) and not workdays.is_workday(date(2099, 10, 2))
        days(M, date(2099, 5, 1))
    warnings = [r for r in caplog.records if "2099" in r.getMessage()]
    assert len(warnings) == 1
    assert workdays.covers(2026) and not workdays.covers(2099)
    # Only where the table is silent: in 2026 the table's 调休 Saturday stays a working day.
    assert not workdays.fallback_workday(date(2026, 10, 10)) and workdays.is_workday(date(2026, 10, 10))


# --- The branch's hour, time zones, the latest due stage --------------------------------------------------------


def test_due_at_the_branch_hour_in_the_configured_zone():
    period = period_of(M, date(2026, 6, 1))
    assert stages_for(M, period)[0] == (OPEN, sh(2026, 6, 1, 9))
    assert stages_for(M, period, hour=20)[0] == (OPEN, sh(2026, 6, 1, 20))
    utc = ScheduleConfig(tz=ZoneInfo("UTC"))
    assert stages_for(M, period, 8, utc)[0] == (OPEN, datetime(2026, 6, 1, 8, tzinfo=UTC))
    for bad in (7, 21, True, "9"):
        with pytest.raises(ValueError):
            stages_for(M, period, bad)


def test_shanghai_against_utc_around_midnight():
    """23:30 UTC on 31 May is 07:30 on 1 June in Shanghai: the configured zone decides the period."""
    may, june = period_of(M, date(2026, 5, 1)), period_of(M, date(2026, 6, 1))
    utc = ScheduleConfig(tz=ZoneInfo("UTC"))
    moment = datetime(2026, 5, 31, 23, 30, tzinfo=UTC)
    assert current_stage(M, moment) is None  # June in Shanghai, nothing due yet; May has closed
    assert current_stage(M, moment, config=utc) == (may, LAST)  # still May in UTC
    assert current_stage(M, moment + timedelta(minutes=30), hour=8) == (june, OPEN)  # 08:00 Shanghai
    assert current_stage(M, moment + timedelta(minutes=90)) == (june, OPEN)  # 09:00 Shanghai
    assert current_stage(M, datetime(2026, 6, 1, 0, 30, tzinfo=UTC), config=utc) is None
    # The same instant written in either zone gives the same answer.
    assert current_stage(M, moment.astimezone(SH), config=utc) == (may, LAST)


def test_only_the_latest_due_stage_counts_and_never_a_closed_period():
    assert current_stage(M, sh(2026, 6, 1, 8, 59)) is None
    assert current_stage(M, sh(2026, 6, 1, 9))[1] is OPEN
    assert current_stage(M, sh(2026, 6, 22, 9))[1] is NUDGE
    # Down from the 1st to the 29th: only the last call counts.
    assert current_stage(M, sh(2026, 6, 29, 12))[1] is LAST
    # July 1st before 09:00: June has closed, July has nothing due.
    assert current_stage(M, sh(2026, 7, 1, 8)) is None
    assert current_stage(Y, sh(2026, 11, 30, 23)) is None
    assert current_stage(Y, sh(2026, 12, 31, 23))[1] is LAST
    assert current_stage(Y, sh(2027, 1, 1, 10)) is None


def test_upcoming_stage():
    assert upcoming(M, sh(2026, 6, 10)) == (period_of(M, date(2026, 6, 1)), NUDGE, sh(2026, 6, 22, 9))
    period, stage, when = upcoming(M, sh(2026, 6, 29), hour=15)
    assert (period.code, stage, when) == ("2026-07", OPEN, sh(2026, 7, 1, 15))


# --- Quiet hours and the digest ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "quiet", "released"),
    [
        (sh(2026, 6, 1, 20, 59), False, sh(2026, 6, 1, 20, 59)),
        (sh(2026, 6, 1, 21, 0), True, sh(2026, 6, 2, 8)),
        (sh(2026, 6, 30, 23, 30), True, sh(2026, 7, 1, 8)),
        (sh(2026, 6, 2, 7, 59), True, sh(2026, 6, 2, 8)),
        (sh(2026, 6, 2, 8, 0), False, sh(2026, 6, 2, 8)),
        (datetime(2026, 6, 1, 14, tzinfo=UTC), True, sh(2026, 6, 2, 8)),  # 22:00 in Shanghai
    ],
)
def test_quiet_hours(moment, quiet, released):
    assert is_quiet(moment) is quiet
    assert release_time(moment) == released


LAST_DAY = date(2026, 9, 30)  # September's and the third quarter's; National Day follows


@pytest.mark.parametrize(
    ("moment", "earliest", "released"),
    [
        (sh(2026, 9, 30, 3), None, sh(2026, 9, 30, 8)),  # the morning's quiet hours end inside the period
        (sh(2026, 9, 29, 22), None, sh(2026, 9, 30, 8)),
        (sh(2026, 9, 30, 20, 30), None, sh(2026, 9, 30, 20, 30)),
        (sh(2026, 9, 30, 22), None, None),  # 08:00 is October: nothing can go in September any more
        (sh(2026, 10, 1, 9), None, None),  # the period is over
        (
            sh(2026, 9, 30, 21, 20),
            sh(2026, 9, 30, 20, 50),
            sh(2026, 9, 30, 20, 58),
        ),  # a retry: brought forward
        (sh(2026, 9, 30, 21, 0, 5), sh(2026, 9, 30, 20, 59, 55), None),  # failed after the last call
    ],
)
def test_release_within_the_period(moment, earliest, released):
    assert release_within(moment, LAST_DAY, earliest=earliest) == released
    assert last_call(LAST_DAY) == sh(2026, 9, 30, 20, 58)
    assert released is None or not is_quiet(released)


def test_the_latest_digest_month_due():
    assert latest_digest_month(sh(2026, 10, 8, 9)).code == "2026-09"
    assert latest_digest_month(sh(2026, 10, 8, 8, 59)).code == "2026-08"  # September's not yet (holiday)
    assert latest_digest_month(sh(2027, 2, 5, 9)).code == "2027-01"


def test_digest_after_each_month_closes():
    september = period_of(M, date(2026, 9, 1))
    assert digest_due(september) == sh(2026, 10, 8, 9)  # after the National Day holiday
    assert digest_month(sh(2026, 10, 8, 8, 59)) is None
    assert digest_month(sh(2026, 10, 8, 9)) == september
    assert digest_month(sh(2026, 10, 31, 23)) == september
    december = period_of(M, date(2026, 12, 1))
    assert [(c, p.code) for c, p in closed_with(december)] == [(M, "2026-12"), (Q, "2026-Q4"), (Y, "2026")]
    assert [c for c, _ in closed_with(period_of(M, date(2026, 11, 1)))] == [M]


def test_period_by_code():
    for cadence, code in [(M, "2026-11"), (Q, "2026-Q4"), (Y, "2026"), (M, "2028-02")]:
        assert period_by_code(cadence, code).code == code
    for cadence, code in [(M, "2026-13"), (Q, "2026-Q5"), (Y, "20x6"), (M, "2026-1")]:
        with pytest.raises(ValueError):
            period_by_code(cadence, code)
