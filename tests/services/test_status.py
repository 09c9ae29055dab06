"""The compliance matrix: states, overdue, mutes, totals (pure), and its scope per user (both databases)."""

from __future__ import annotations

from datetime import date, datetime

from handlers.services.clock import SHANGHAI
from handlers.services.periods import parse_period
from handlers.services.review import ReviewService
from handlers.services.status import MuteSpan, StatusService, build_matrix
from storage.models import Branch, ReminderMute
from storage.repositories.status import CountRow
from tests.services.supervision_world import (
    ADMIN,
    ADMINS,
    OTHER_SUPERVISOR,
    SEC_A,
    SEC_C,
    STRANGER,
    SUPERVISOR,
    T0,
    add_record,
    make_world,
)

BRANCHES = [Branch(id=1, name="一支部", org_name="甲公司"), Branch(id=2, name="二支部", org_name="乙公司")]


def test_states_of_a_quarter_in_december():
    view = parse_period("2026-Q4")
    counts = [
        CountRow(1, "theme_day", "2026-10", "passed", 1),
        CountRow(1, "theme_day", "2026-11", "pending_review", 2),
        CountRow(1, "assembly", "2026-Q4", "returned", 1),
        CountRow(2, "theme_day", "2026-10", "returned", 1),
        CountRow(2, "theme_day", "2026-10", "passed", 1),
    ]
    mutes = [MuteSpan(2, "committee", None, "企业停产"), MuteSpan(2, "group_meeting", "2026-09", "旧的")]
    matrix = build_matrix(view, date(2026, 12, 5), BRANCHES, counts, mutes)

    one = matrix.rows[0].cells
    assert [s.state for s in one["theme_day"].slots] == ["recorded", "waiting", "missing"]
    assert [s.overdue for s in one["theme_day"].slots] == [False, False, False]  # December is still open
    assert one["theme_day"].state == "missing" and one["theme_day"].slots[1].pending == 2
    assert one["assembly"].state == "returned" and not one["assembly"].overdue
    # October and November closed with nothing: overdue.
    assert [s.overdue for s in one["committee"].slots] == [True, True, False]
    two = matrix.rows[1].cells
    assert [s.state for s in two["theme_day"].slots] == ["recorded", "missing", "missing"]
    assert [s.state for s in two["committee"].slots] == ["muted"] * 3
    assert two["committee"].slots[0].mute_reason == "企业停产" and two["committee"].state == "muted"
    # A mute stops the reminders only: closed months are overdue as if unmuted (helper-87's review).
    assert [s.overdue for s in two["committee"].slots] == [True, True, False]
    assert two["group_meeting"].state == "missing"  # a mute of another period does not count

    assert matrix.kind_totals["theme_day"].slots["recorded"] == 2
    assert matrix.kind_totals["theme_day"].passed == 2 and matrix.kind_totals["theme_day"].returned == 1
    assert matrix.rows[1].totals.slots["muted"] == 3
    total_slots = sum(matrix.totals.slots.values())
    assert total_slots == 2 * (4 * 3 + 3 * 1 + 1)  # 4 monthly kinds x 3, 3 quarterly, 1 yearly, per branch
    assert matrix.totals.overdue == sum(r.totals.overdue for r in matrix.rows)


def test_a_month_view_shows_the_quarter_and_year_around_it():
    matrix = build_matrix(parse_period("2026-11"), date(2026, 11, 20), BRANCHES[:1], [], [])
    cells = matrix.rows[0].cells
    assert [s.period.code for s in cells["assembly"].slots] == ["2026-Q4"]
    assert [s.period.code for s in cells["review"].slots] == ["2026"]
    assert cells["theme_day"].state == "missing" and not cells["theme_day"].overdue


def test_future_slots_are_upcoming_and_a_deadline_hook_applies():
    matrix = build_matrix(
        parse_period("2026-Q4"),
        date(2026, 10, 10),
        BRANCHES[:1],
        [],
        [],
        deadline=lambda kind, slot: slot.start,  # "record by the first day"
    )
    slots = matrix.rows[0].cells["theme_day"].slots
    assert [s.state for s in slots] == ["missing", "upcoming", "upcoming"]
    assert [s.overdue for s in slots] == [True, False, False]


async def test_matrix_scope_and_review_states(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)
    status = StatusService(world.factory, world.clock, ADMINS)
    review = ReviewService(world.factory, world.clock, ADMINS)
    passed = await add_record(world, world.a, SEC_A)
    returned = await add_record(world, world.c, SEC_C)
    await add_record(world, world.a, SEC_A, kind="committee")
    await review.pass_record(ADMIN, passed)
    await review.return_record(ADMIN, returned, "请补充照片")
    async with world.factory() as session, session.begin():
        session.add(
            ReminderMute(branch_id=world.b, kind="theme_day", reason="停工", created_by=ADMIN, created_at=T0)
        )

    matrix = await status.matrix(ADMIN, "2026-11")
    assert [r.name for r in matrix.rows] == ["第一支部", "第二支部", "第三支部"]
    states = {r.name: r.cells["theme_day"].state for r in matrix.rows}
    assert states == {"第一支部": "recorded", "第二支部": "muted", "第三支部": "returned"}
    assert matrix.rows[0].cells["committee"].state == "waiting"
    assert matrix.kind_totals["theme_day"].slots == {"recorded": 1, "muted": 1, "returned": 1}

    assert [r.name for r in (await status.matrix(SUPERVISOR, "2026-11")).rows] == ["第一支部", "第二支部"]
    assert [r.name for r in (await status.matrix(OTHER_SUPERVISOR)).rows] == ["第三支部"]
    assert [r.name for r in (await status.matrix(SEC_A)).rows] == ["第一支部"]
    assert await status.matrix(STRANGER) is None
    assert (await status.matrix(ADMIN)).period.code == "2026-11"  # this month by the clock


def _founded(day: int, hour: int = 10) -> Branch:
    from datetime import datetime

    from handlers.services.clock import SHANGHAI

    at = datetime(2026, 11, day, hour, 0, tzinfo=SHANGHAI)
    return Branch(id=3, name="新支部", org_name="丙公司", created_at=at)


def test_periods_before_the_branch_existed_are_not_owed():
    """Created 2026-11-23: October is 未成立 (never overdue, not counted); November and Q4 are owed, but not in
    October's view, which sees Q4 and the year as of 31 October, when the branch did not exist."""
    from handlers.services.clock import SHANGHAI

    branch = _founded(23)
    october = build_matrix(parse_period("2026-10"), date(2026, 12, 2), [branch], [], [], tz=SHANGHAI)
    cells = october.rows[0].cells
    assert cells["theme_day"].state == "na" and not cells["theme_day"].overdue
    assert cells["assembly"].state == "na"  # Q4 as of 31 October
    assert (
        october.totals.overdue == 0 and october.totals.slots["na"] == 4 + 4
    )  # 4 monthly, 3 quarterly, 1 yearly

    quarter = build_matrix(parse_period("2026-Q4"), date(2026, 12, 2), [branch], [], [], tz=SHANGHAI)
    theme = quarter.rows[0].cells["theme_day"]
    assert [s.state for s in theme.slots] == ["na", "missing", "missing"]
    assert [s.overdue for s in theme.slots] == [False, True, False]  # November is owed and closed
    assert theme.owed == 2
    assert quarter.totals.overdue == 4  # the four monthly kinds, November only
    assert quarter.totals.slots["na"] == 4


def test_the_creation_day_is_dated_in_the_clocks_zone():
    """Created 2026-11-01 07:00 in Shanghai (still 31 October in UTC): October is not owed."""
    from handlers.services.clock import SHANGHAI

    branch = _founded(1, hour=7)
    matrix = build_matrix(parse_period("2026-10"), date(2026, 12, 2), [branch], [], [], tz=SHANGHAI)
    assert matrix.rows[0].cells["theme_day"].state == "na"


def test_a_record_before_the_branch_existed_still_shows():
    from handlers.services.clock import SHANGHAI

    counts = [
        CountRow(3, "theme_day", "2026-10", "passed", 1),
        CountRow(3, "committee", "2026-10", "returned", 1),
    ]
    matrix = build_matrix(parse_period("2026-10"), date(2026, 12, 2), [_founded(23)], counts, [], tz=SHANGHAI)
    cells = matrix.rows[0].cells
    assert cells["theme_day"].state == "recorded"
    assert cells["committee"].state == "returned" and not cells["committee"].overdue


async def test_status_service_dates_creation_by_the_clock(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)  # branches created 2026-11-20
    status = StatusService(world.factory, world.clock, ADMINS)
    october = await status.matrix(ADMIN, "2026-10")
    assert {r.cells["theme_day"].state for r in october.rows} == {"na"}
    assert october.totals.overdue == 0


def test_a_mute_counts_only_for_slots_not_over_when_it_was_set_and_until_it_was_lifted():
    """A mute set on 2 April leaves Q1 missing; one lifted on 15 March un-mutes March but not February."""
    q1, q2 = parse_period("2026-Q1"), parse_period("2026-Q2")
    april = MuteSpan(1, "lecture", None, "暂无授课人", since=date(2026, 4, 2))
    assert not april.applies(q1, q1.end) and april.applies(q2, q2.end)
    lifted = MuteSpan(1, "committee", None, "停产", since=date(2026, 1, 5), until=date(2026, 3, 15))
    february, march = parse_period("2026-02"), parse_period("2026-03")
    assert lifted.applies(february, february.end) and not lifted.applies(march, march.end)
    only_q1 = MuteSpan(
        1, "lecture", "2026-Q1", "本季度停产", since=date(2026, 3, 10), until=date(2026, 4, 10)
    )
    assert only_q1.applies(q1, q1.end) and not only_q1.applies(q2, q2.end)  # replaced in Q2: Q1 keeps it

    mutes = [april, lifted, only_q1]
    matrix = build_matrix(q1, date(2026, 4, 20), BRANCHES[:1], [], mutes)
    cells = matrix.rows[0].cells
    assert cells["lecture"].slots[0].state == "muted"  # the 仅本期 mute of Q1, not the April one
    assert cells["lecture"].slots[0].mute_reason == "本季度停产"
    assert [s.state for s in cells["committee"].slots] == ["muted", "muted", "missing"]
    assert cells["committee"].slots[2].overdue


async def test_mutes_set_or_lifted_later_leave_closed_periods_alone(session_factory, tmp_path):
    """Through the repository and the service on both databases: the history of mutes, not today's mute."""
    from datetime import datetime, timedelta

    from handlers.services.clock import SHANGHAI
    from storage.repositories.reminders import ReminderRepository

    world = await make_world(session_factory, tmp_path)  # branches created 20 November 2026
    status = StatusService(world.factory, world.clock, ADMINS)

    async def mute(kind: str, period: str | None, at: datetime, reason: str = "暂无授课人") -> None:
        async with world.factory() as session, session.begin():
            await ReminderRepository(session).mute(
                branch_id=world.a, kind=kind, reason=reason, period=period, created_by=SEC_A, at=at
            )

    def at(y: int, m: int, d: int) -> datetime:
        return datetime(y, m, d, 10, 0, tzinfo=SHANGHAI)

    await mute("committee", None, at(2026, 11, 25), "停产")
    await mute("theme_day", "2026-12", at(2026, 12, 10), "放假")
    async with world.factory() as session, session.begin():
        assert await ReminderRepository(session).unmute(world.a, "committee", at=at(2026, 12, 15))
    await mute("theme_day", "2027-01", at(2027, 1, 3), "仍放假")  # replaces December's
    await mute("lecture", None, at(2027, 1, 5))  # after Q4 was over
    world.clock.current = at(2027, 1, 20) + timedelta(hours=1)

    quarter = await status.matrix(ADMIN, "2026-Q4")
    cells = next(r for r in quarter.rows if r.branch_id == world.a).cells
    assert cells["lecture"].slots[0].state == "missing" and cells["lecture"].overdue
    assert [s.state for s in cells["committee"].slots] == ["na", "muted", "missing"]
    assert [s.state for s in cells["theme_day"].slots] == ["na", "missing", "muted"]
    assert cells["theme_day"].slots[2].mute_reason == "放假"
    january = next(r for r in (await status.matrix(ADMIN, "2027-Q1")).rows if r.branch_id == world.a).cells
    assert january["lecture"].slots[0].state == "muted" and january["theme_day"].slots[0].state == "muted"
    assert january["committee"].slots[0].state == "missing"


def test_a_slot_longer_than_a_view_that_is_over_is_seen_as_of_the_views_last_day():
    """In Q3's view the year is seen as of 30 September: a mute set on 2 October does not count, nor a branch
    created in October, and the year is not overdue there."""
    q3 = parse_period("2026-Q3")
    october = MuteSpan(1, "review", None, "年底统一述职", since=date(2026, 10, 2))
    matrix = build_matrix(q3, date(2027, 1, 5), BRANCHES[:1], [], [october])
    cell = matrix.rows[0].cells["review"]
    assert cell.state == "missing" and not cell.overdue
    late = Branch(
        id=1, name="一支部", org_name="甲公司", created_at=datetime(2026, 10, 1, 9, tzinfo=SHANGHAI)
    )
    assert (
        build_matrix(q3, date(2027, 1, 5), [late], [], [], tz=SHANGHAI).rows[0].cells["review"].state == "na"
    )
    year = build_matrix(parse_period("2026"), date(2027, 1, 5), BRANCHES[:1], [], [october])
    assert year.rows[0].cells["review"].state == "muted"
