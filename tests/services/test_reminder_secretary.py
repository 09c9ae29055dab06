"""What a secretary sees and sets (/reminders), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.services.clock import FixedClock
from handlers.services.reminders import KindState, MuteScope, ReminderService, parse_hour
from knowledge.schedule import Stage
from storage.repositories import ReminderRepository, ReviewRepository
from tests.services.reminder_world import add_branch, record, sh

AT = sh(2026, 6, 10, 15)  # after June's opening, before its nudge (22 June)


def service(session_factory, at=AT) -> ReminderService:
    return ReminderService(session_factory, FixedClock(at))


async def test_status_this_month_quarter_and_year(session_factory):
    branch = await add_branch(session_factory, "甲支部", 1001)
    await record(session_factory, branch, "theme_day", date(2026, 6, 3))
    s = service(session_factory)
    await s.mute(1001, "group_meeting", "与第二支部联合开展", MuteScope.UNTIL_UNMUTED)
    status = await s.status(1001)
    assert (status.branch_id, status.branch_name, status.hour, status.hour_is_default, status.reachable) == (
        branch,
        "甲支部",
        9,
        True,
        True,
    )
    month, quarter, year = status.cadences
    assert (month.period, month.period_label, month.deadline) == ("2026-06", "2026年6月", date(2026, 6, 30))
    assert [(k.code, k.state) for k in month.kinds] == [
        ("theme_day", KindState.WAITING),  # recorded, not yet reviewed
        ("committee", KindState.MISSING),
        ("group_meeting", KindState.MUTED),
        ("joint_study", KindState.MISSING),
    ]
    muted = month.kinds[2]
    assert (muted.name, muted.mute_reason, muted.mute_period) == ("党小组会", "与第二支部联合开展", None)
    assert (month.next_reminder, month.next_stage, month.next_period_label) == (
        sh(2026, 6, 22, 9),
        Stage.NUDGE,
        "2026年6月",
    )
    assert (quarter.period, quarter.next_reminder, quarter.next_stage) == (
        "2026-Q2",
        sh(2026, 6, 23, 9),
        Stage.LAST,
    )
    assert (year.period, year.next_reminder, year.next_stage) == ("2026", sh(2026, 12, 1, 9), Stage.OPEN)
    assert status.next_reminder == sh(2026, 6, 22, 9)
    assert await s.status(4242) is None  # not a secretary


async def test_when_everything_is_done_the_next_reminder_is_next_period(session_factory):
    branch = await add_branch(session_factory, "甲支部", 1001, hour=18)
    for kind in ("theme_day", "committee", "group_meeting", "joint_study"):
        await record(session_factory, branch, kind, date(2026, 6, 3))
    month = (await service(session_factory).status(1001)).cadences[0]
    assert {k.state for k in month.kinds} == {KindState.WAITING}  # recorded, none reviewed yet: not reminded
    assert (month.next_reminder, month.next_stage, month.next_period_label) == (
        sh(2026, 7, 1, 18),
        Stage.OPEN,
        "2026年7月",
    )


async def review(session_factory, record_id: int, state: str) -> None:
    async with session_factory() as session, session.begin():
        moved = await ReviewRepository(session).move(
            record_id, expected=("pending_review",), state=state, action=state, actor_id=1, at=AT
        )
        assert moved is not None


async def test_a_kind_whose_records_only_wait_for_review_is_waiting_not_done(session_factory):
    """/status marks a slot whose records all wait for review ⏳, not ✅; /reminders does the same (WAITING), but
    such a kind is recorded as far as reminding goes: the next reminder does not change."""
    branch = await add_branch(session_factory, "甲支部", 1001)
    theme_day = await record(session_factory, branch, "theme_day", date(2026, 6, 3))  # passed
    await review(session_factory, theme_day, "passed")
    await record(session_factory, branch, "committee", date(2026, 6, 3))  # waits for review
    returned = await record(session_factory, branch, "group_meeting", date(2026, 6, 3))
    await review(session_factory, returned, "returned")
    await record(session_factory, branch, "group_meeting", date(2026, 6, 5))  # resubmitted anew: waits
    passed = await record(session_factory, branch, "joint_study", date(2026, 6, 3))
    await review(session_factory, passed, "passed")
    await record(session_factory, branch, "joint_study", date(2026, 6, 6))  # a second one waits: still passed
    month = (await service(session_factory).status(1001)).cadences[0]
    assert [(k.code, k.state) for k in month.kinds] == [
        ("theme_day", KindState.DONE),
        ("committee", KindState.WAITING),
        ("group_meeting", KindState.WAITING),
        ("joint_study", KindState.DONE),
    ]
    assert (month.next_reminder, month.next_stage) == (sh(2026, 7, 1, 9), Stage.OPEN)  # nothing owed in June


async def test_unreachable_secretary_has_no_next_reminder(session_factory):
    branch = await add_branch(session_factory, "甲支部", 1001)
    async with session_factory() as session, session.begin():
        await ReminderRepository(session).mark_unreachable(branch, secretary_user_id=1001, at=AT)
    s = service(session_factory)
    status = await s.status(1001)
    assert not status.reachable and status.next_reminder is None
    assert await s.mark_reachable(1001)
    assert (await s.status(1001)).next_reminder == sh(2026, 6, 22, 9)


async def test_set_hour(session_factory):
    await add_branch(session_factory, "甲支部", 1001)
    s = service(session_factory)
    assert await s.set_hour(1001, 20) == 20
    status = await s.status(1001)
    assert (status.hour, status.hour_is_default, status.next_reminder) == (20, False, sh(2026, 6, 22, 20))
    for bad in (7, 21, 9.5, "9", True, None):
        with pytest.raises(ValueError, match="8:00 到 20:00"):
            await s.set_hour(1001, bad)
    assert await s.set_hour(4242, 9) is None
    assert parse_hour(8) == 8


async def test_mute_and_unmute(session_factory):
    await add_branch(session_factory, "甲支部", 1001)
    s = service(session_factory)
    view = await s.mute(1001, "observation", "  本季度与兄弟单位联合观摩  ", "period")
    assert (view.kind, view.name, view.reason, view.period, view.period_label) == (
        "observation",
        "观摩交流",
        "本季度与兄弟单位联合观摩",
        "2026-Q2",
        "2026年第二季度",
    )
    forever = await s.mute(1001, "review", "由上级统一组织", MuteScope.UNTIL_UNMUTED)
    assert (forever.period, forever.period_label) == (None, None)
    assert [m.kind for m in await s.mutes(1001)] == ["observation", "review"]
    year = (await s.status(1001)).cadences[2]
    assert year.kinds[0].state is KindState.MUTED
    assert year.next_reminder is None  # the only yearly kind is muted until unmuted
    for kind, reason, scope, message in [
        ("nope", "原因写清楚", "period", "没有这种活动"),
        ("review", "短", "period", "原因"),
        ("review", "原" * 101, "period", "原因"),
        ("review", "原因写清楚", "forever", "仅本期"),
    ]:
        with pytest.raises(ValueError, match=message):
            await s.mute(1001, kind, reason, scope)
    assert await s.unmute(1001, "review") is True
    assert await s.unmute(1001, "review") is False
    assert await s.unmute(4242, "review") is None
    assert await s.mute(4242, "review", "原因写清楚", "period") is None
    assert await s.mutes(4242) is None


async def test_a_small_branch_sees_its_committee_meetings_as_not_owed(session_factory):
    """helper-89's review: the ℹ️ line said 支部委员会 and 党小组会 were not counted, the lines below listed them to
    do, with 📝 and 🔕 buttons; muting one then promised it would show as not done."""
    await add_branch(session_factory, "小支部", 1005, members=5)
    await record(
        session_factory,
        await add_branch(session_factory, "另一支部", 1006, members=5),
        "committee",
        AT.date(),
    )
    s = service(session_factory)
    month = (await s.status(1005)).cadences[0]
    assert [(k.code, k.state) for k in month.kinds] == [
        ("theme_day", KindState.MISSING),
        ("committee", KindState.EXEMPT),
        ("group_meeting", KindState.EXEMPT),
        ("joint_study", KindState.MISSING),
    ]
    with pytest.raises(ValueError, match="不需要开展支部委员会"):
        await s.mute(1005, "committee", "没有支委会", MuteScope.UNTIL_UNMUTED)
    # One held anyway counts as done.
    assert [k.state for k in (await s.status(1006)).cadences[0].kinds][1] == KindState.WAITING


async def test_a_branch_that_turns_attached_still_owes_and_hears_of_this_month(session_factory):
    """A change counts from the next period (``profile_history``): /reminders shows this month still owed, with
    its next reminder, as the planner will send it; the next month nothing."""
    from storage.repositories import BranchRepository

    branch = await add_branch(session_factory, "转挂靠支部", 1007)
    async with session_factory() as session, session.begin():
        await BranchRepository(session).update(branch, at=AT, form="attached")
    month = (await service(session_factory).status(1007)).cadences[0]
    assert KindState.MISSING in {k.state for k in month.kinds}
    assert month.next_reminder is not None and month.next_stage is Stage.NUDGE
    july = (await service(session_factory, at=sh(2026, 7, 10, 15)).status(1007)).cadences[0]
    assert {k.state for k in july.kinds} == {KindState.EXEMPT} and july.next_reminder is None
