"""The period in which a branch was created goes by its profile at the end of its creation day (helper-97's
review): a correction that day is its starting profile, in the history, the status matrix and the digest alike."""

from __future__ import annotations

from datetime import UTC, date, datetime

from handlers.services.clock import SHANGHAI
from handlers.services.periods import parse_period
from handlers.services.profile_history import ProfileChange, ProfileHistory
from handlers.services.reminders.digest import counted_in
from handlers.services.status import build_matrix
from knowledge.activities import Cadence, period_of
from knowledge.organisation import EVERY_KIND, profile_line
from knowledge.schedule import ScheduleConfig
from storage.models import Branch

# Created on 4 January at 10:00 as 挂靠建 by mistake, corrected to 单独组建 at 10:05 (the row keeps 挂靠建).
CREATED = datetime(2027, 1, 4, 10, 0, tzinfo=SHANGHAI)
CORRECTED = {1: [ProfileChange(date(2027, 1, 4), "attached", 8)]}


def branch(created: datetime = CREATED) -> Branch:
    return Branch(id=1, name="一支部", org_name="甲公司", form="single", formal_members=8, created_at=created)


def test_a_correction_on_the_creation_day_counts_for_the_periods_it_was_created_in():
    history = ProfileHistory.of(branch(), CORRECTED[1], SHANGHAI)
    for cadence in Cadence:
        assert history.exempt_in(period_of(cadence, date(2027, 1, 4))) == frozenset(), cadence
    assert history.holds_activities_in(parse_period("2027"))
    assert profile_line("single", 8, history.exempt_now(date(2027, 1, 4))) is None  # nothing pending


def test_a_change_after_the_creation_day_still_counts_from_the_next_period():
    history = ProfileHistory.of(branch(), [ProfileChange(date(2027, 1, 5), "attached", 8)], SHANGHAI)
    assert history.exempt_in(parse_period("2027-01")) == EVERY_KIND
    assert history.exempt_in(parse_period("2027-02")) == frozenset()
    # created in December: the new year began as 挂靠建 (documented: no 述职评议 that year)
    older = ProfileHistory.of(branch(datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)), CORRECTED[1], SHANGHAI)
    assert older.exempt_in(parse_period("2027")) == EVERY_KIND


def test_the_creation_day_is_the_local_one():
    """Created at 00:30 Shanghai (16:30 UTC the day before), corrected that morning."""
    created = datetime(2027, 1, 4, 0, 30, tzinfo=SHANGHAI)
    history = ProfileHistory.of(branch(created.astimezone(UTC)), CORRECTED[1], SHANGHAI)
    assert history.holds_activities_in(parse_period("2027-01"))


def test_the_matrix_and_the_digest_read_the_creation_day_alike():
    matrix = build_matrix(
        parse_period("2027-01"), date(2027, 1, 20), [branch()], [], [], tz=SHANGHAI, changes=CORRECTED
    )
    assert matrix.rows[0].cells["theme_day"].state != "exempt"
    history = ProfileHistory.of(branch(), CORRECTED[1], SHANGHAI)
    assert counted_in(branch(), parse_period("2027-01"), ScheduleConfig(tz=SHANGHAI), history)
