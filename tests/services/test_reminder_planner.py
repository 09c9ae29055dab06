"""The planner on SQLite and PostgreSQL: who is reminded of what, once, at which stage; the digest."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from handlers.services.clock import FixedClock
from handlers.services.reminders import Audience, ReminderPlanner, ReminderService
from handlers.services.reminders.model import Digest
from knowledge.schedule import Stage
from storage.models import ActivityRecord
from storage.repositories import DeliveryRepository, ReminderRepository
from tests.services.reminder_world import T0, add_branch, record, sh

ADMIN = 900


def planner(session_factory, admins=()) -> ReminderPlanner:
    return ReminderPlanner(session_factory, FixedClock(T0), admin_ids=admins)


def keyed(deliveries, cadence: str | None = "monthly") -> list[tuple[int, str, str, str, tuple[str, ...]]]:
    """The deliveries of one cadence (all with None) as (branch, cadence, period, stage, kinds)."""
    return [
        (d.target_id, str(d.cadence), d.period, str(d.stage), d.kinds)
        for d in deliveries
        if cadence is None or d.cadence == cadence
    ]


MONTHLY = ("theme_day", "committee", "group_meeting", "joint_study")
QUARTERLY = ("assembly", "lecture", "observation")


async def test_a_branch_of_fewer_than_7_formal_members_is_not_reminded_of_committee_meetings(session_factory):
    small = await add_branch(session_factory, "小支部", 1003, members=5)
    planned = await planner(session_factory).plan(sh(2026, 6, 1, 9))
    assert keyed(planned) == [(small, "monthly", "2026-06", "open", ("theme_day", "joint_study"))]
    assert MONTHLY == ("theme_day", "committee", "group_meeting", "joint_study")


async def test_one_row_per_branch_and_stage_listing_every_missing_kind(session_factory):
    a = await add_branch(session_factory, "甲支部", 1001)
    b = await add_branch(session_factory, "乙支部", 1002)
    await add_branch(session_factory, "无书记支部")  # no secretary: never reminded
    await record(session_factory, b, "theme_day", date(2026, 6, 1))
    p = planner(session_factory)
    at = sh(2026, 6, 1, 9)  # June's opening (a Monday), not a quarter's
    planned = await p.plan(at)
    assert keyed(planned) == [
        (a, "monthly", "2026-06", "open", MONTHLY),
        (b, "monthly", "2026-06", "open", MONTHLY[1:]),
    ]
    assert [(d.chat_id, d.status, d.due_at, d.period_label) for d in planned][0] == (
        1001,
        "pending",
        at,
        "2026年6月",
    )
    assert planned[0].as_json() == {
        "branch_id": a,
        "chat_id": 1001,
        "period": "2026-06",
        "stage": "open",
        "kinds": list(MONTHLY),
        "send_at": "2026-06-01T09:00:00+08:00",  # when it really goes
    }
    # Idempotent: planning again (or in another process) writes nothing.
    assert await p.plan(at) == []
    assert await p.plan(sh(2026, 6, 10, 15)) == []
    # The quarter's nudge (15 May) is the latest stage of Q2 that is due: it went out too, for both.
    assert [x[3] for x in keyed(planned, "quarterly")] == ["nudge", "nudge"]
    preview = await p.plan_preview(at)
    assert [(d.target_id, str(d.cadence), d.status) for d in preview] == [
        (a, "monthly", "pending"),
        (a, "quarterly", "pending"),
        (b, "monthly", "pending"),
        (b, "quarterly", "pending"),
    ]


async def test_preview_writes_nothing(session_factory):
    await add_branch(session_factory, "甲支部", 1001)
    p = planner(session_factory)
    preview = await p.plan_preview(sh(2026, 4, 1, 9))  # a month and a quarter open
    assert [(str(d.cadence), d.status) for d in preview] == [("monthly", "new"), ("quarterly", "new")]
    async with session_factory() as session:
        assert await DeliveryRepository(session).counts() == {}
    assert len(await p.plan(sh(2026, 4, 1, 9))) == 2


async def test_a_kind_recorded_between_two_stages_is_not_reminded_again(session_factory):
    a = await add_branch(session_factory, "甲支部", 1001)
    p = planner(session_factory)
    assert keyed(await p.plan(sh(2026, 6, 1, 9)))[0][4] == MONTHLY
    for kind in ("theme_day", "committee", "group_meeting"):
        await record(session_factory, a, kind, date(2026, 6, 10))
    assert keyed(await p.plan(sh(2026, 6, 22, 9))) == [(a, "monthly", "2026-06", "nudge", ("joint_study",))]
    await record(session_factory, a, "joint_study", date(2026, 6, 23))
    # The last call: nothing monthly is missing, so only the quarter's last call (23 June) is there.
    assert keyed(await p.plan(sh(2026, 6, 26, 9)), None) == [(a, "quarterly", "2026-Q2", "last", QUARTERLY)]


async def test_downtime_only_the_latest_due_stage_and_nothing_for_a_closed_period(session_factory):
    a = await add_branch(session_factory, "甲支部", 1001)
    p = planner(session_factory)
    # Down from 31 May to 27 June: June's opening and nudge are past, only the last call (26 June) goes;
    # for the quarter, only its last call (23 June), not its nudge (15 May).
    assert keyed(await p.plan(sh(2026, 6, 27, 10)), None) == [
        (a, "monthly", "2026-06", "last", MONTHLY),
        (a, "quarterly", "2026-Q2", "last", QUARTERLY),
    ]
    # Down until 1 July 08:00: June and Q2 have closed, July's and Q3's openings are due at 09:00: nothing.
    other = await add_branch(session_factory, "乙支部", 1002)
    assert await p.plan(sh(2026, 7, 1, 8)) == []
    got = keyed(await p.plan(sh(2026, 7, 1, 9)), None)
    assert [(x[0], x[1], x[2], x[3]) for x in got] == [
        (a, "monthly", "2026-07", "open"),
        (a, "quarterly", "2026-Q3", "open"),
        (other, "monthly", "2026-07", "open"),
        (other, "quarterly", "2026-Q3", "open"),
    ]


async def test_a_mute_is_not_reminded_this_period_and_until_unmuted(session_factory):
    a = await add_branch(session_factory, "甲支部", 1001)
    clock = FixedClock(sh(2026, 6, 5, 10))
    service = ReminderService(session_factory, clock)
    await service.mute(1001, "group_meeting", "与第二支部联合开展", "until_unmuted")
    await service.mute(1001, "theme_day", "本月停产检修", "period")
    p = planner(session_factory)
    assert keyed(await p.plan(sh(2026, 6, 22, 9)))[0][4] == ("committee", "joint_study")
    # July: the period mute is over, the other one holds.
    assert keyed(await p.plan(sh(2026, 7, 1, 9)))[0][4] == ("theme_day", "committee", "joint_study")
    await service.unmute(1001, "group_meeting")
    assert keyed(await p.plan(sh(2026, 7, 20, 9)))[0][4] == MONTHLY
    # Everything muted for July: no reminder at all.
    july = ReminderService(session_factory, FixedClock(sh(2026, 7, 21, 10)))
    for kind in MONTHLY:
        await july.mute(1001, kind, "支部暂停活动", "period")
    assert keyed(await p.plan(sh(2026, 7, 28, 9))) == []
    assert a


async def test_unreachable_secretaries_are_not_reminded_until_they_start_again(session_factory):
    a = await add_branch(session_factory, "甲支部", 1001)
    async with session_factory() as session, session.begin():
        await ReminderRepository(session).mark_unreachable(a, secretary_user_id=1001, at=sh(2026, 5, 30, 9))
    p = planner(session_factory)
    assert await p.plan(sh(2026, 6, 1, 9)) == []
    assert await ReminderService(session_factory, FixedClock(T0)).mark_reachable(1001)
    assert keyed(await p.plan(sh(2026, 6, 1, 10)))[0][:4] == (a, "monthly", "2026-06", "open")
    assert not await ReminderService(session_factory, FixedClock(T0)).mark_reachable(1001)


async def test_each_branch_at_its_hour(session_factory):
    early = await add_branch(session_factory, "早支部", 1001, hour=8)
    late = await add_branch(session_factory, "晚支部", 1002, hour=20)
    default = await add_branch(session_factory, "默认支部", 1003)
    p = planner(session_factory)

    async def opened(at):
        return [x[0] for x in keyed(await p.plan(at)) if x[3] == "open"]

    assert await opened(sh(2026, 6, 1, 8)) == [early]
    assert await opened(sh(2026, 6, 1, 12)) == [default]
    assert await opened(sh(2026, 6, 1, 19, 59)) == []
    assert await opened(sh(2026, 6, 1, 20)) == [late]


async def test_quiet_hours_rows_wait_for_eight(session_factory):
    await add_branch(session_factory, "甲支部", 1001)
    p = planner(session_factory)
    await p.plan(sh(2026, 6, 1, 23, 30))  # back up late at night: due, but it waits
    async with session_factory() as session:
        rows = await DeliveryRepository(session).with_status("pending")
    assert [r.next_attempt_at for r in rows] == [sh(2026, 6, 2, 8)] * 2  # the month's and the quarter's


async def test_quarter_and_year_stages(session_factory):
    a = await add_branch(session_factory, "甲支部", 1001)
    await record(session_factory, a, "lecture", date(2026, 10, 20))
    p = planner(session_factory)
    at = sh(2026, 12, 1, 9)  # December: monthly opening, Q4 nudge (16 Nov) still the latest, yearly opening
    got = {(str(d.cadence), str(d.stage)): d.kinds for d in await p.plan(at)}
    assert got == {
        ("monthly", "open"): MONTHLY,
        ("quarterly", "nudge"): ("assembly", "observation"),
        ("yearly", "open"): ("review",),
    }
    got = {(str(d.cadence), d.period, str(d.stage)) for d in await p.plan(sh(2026, 12, 24, 9))}
    assert got == {
        ("monthly", "2026-12", "nudge"),
        ("quarterly", "2026-Q4", "last"),
        ("yearly", "2026", "last"),
    }


async def test_digest_after_the_month_closes(session_factory):
    a = await add_branch(session_factory, "甲支部", 1001)
    b = await add_branch(session_factory, "乙支部", 1002)
    c = await add_branch(session_factory, "丙支部")  # no secretary yet
    for kind in MONTHLY:
        await record(session_factory, b, kind, date(2026, 11, 10))
    await ReminderService(session_factory, FixedClock(sh(2026, 11, 5, 9))).mute(
        1001, "group_meeting", "联合开展", "period"
    )
    async with session_factory() as session, session.begin():
        await ReminderRepository(session).mark_unreachable(a, secretary_user_id=1001, at=sh(2026, 11, 28, 9))
    p = planner(session_factory, admins=(ADMIN, ADMIN + 1))
    # Until November closes, October's digest is the one that is due; then none until December's first
    # working day at 09:00.
    early = await p.plan(sh(2026, 11, 30, 23))
    assert {d.period for d in early if d.audience is Audience.ADMIN} == {"2026-10"}
    assert [d for d in await p.plan(sh(2026, 12, 1, 8, 59)) if d.audience is Audience.ADMIN] == []
    digests = [d for d in await p.plan(sh(2026, 12, 1, 9)) if d.audience is Audience.ADMIN]
    assert [(d.chat_id, d.period, d.stage, d.branch_id) for d in digests] == [
        (ADMIN, "2026-11", Stage.DIGEST, None),
        (ADMIN + 1, "2026-11", Stage.DIGEST, None),
    ]
    digest = digests[0].digest
    (month,) = digest.periods  # November closes no quarter
    assert (month.period, month.total, month.complete) == ("2026-11", 3, 1)
    # 乙's records all still wait for review: complete, and said to wait (helper-74's review: the digest said
    # 全部完成 where /status and the dashboard show ⏳), kept through the stored payload, and in the message.
    assert month.waiting == 1
    stored = digest.to_json()
    assert Digest.from_json(stored).periods[0].waiting == 1
    del stored["periods"][0]["waiting"]
    assert Digest.from_json(stored).periods[0].waiting == 0  # a digest stored before it was counted
    by_id = {x.branch_id: x for x in month.branches}
    assert set(by_id) == {a, c}
    assert by_id[a].missing == MONTHLY and by_id[a].muted == (("group_meeting", "联合开展"),)
    assert (by_id[a].unreachable, by_id[c].has_secretary) == (True, False)
    assert [u.branch_id for u in digest.unreachable] == [a]
    assert [d for d in await p.plan(sh(2026, 12, 2, 9)) if d.audience is Audience.ADMIN] == []
    # A year end closes the month, the quarter and the year in one digest.
    january = [d for d in await p.plan(sh(2027, 1, 4, 9)) if d.audience is Audience.ADMIN]
    assert [(str(x.cadence), x.period) for x in january[0].digest.periods] == [
        ("monthly", "2026-12"),
        ("quarterly", "2026-Q4"),
        ("yearly", "2026"),
    ]


async def test_a_returned_record_is_missing_again(session_factory):
    """A record a reviewer returned counts as missing (as in the status matrix) until it passes again."""
    a = await add_branch(session_factory, "甲支部", 1001)
    p = planner(session_factory)
    for kind in ("theme_day", "committee", "group_meeting", "joint_study"):
        await record(session_factory, a, kind, date(2026, 6, 10))
    returned = await record(session_factory, a, "theme_day", date(2026, 6, 11))
    async with session_factory() as session, session.begin():
        await session.execute(
            update(ActivityRecord)
            .where(ActivityRecord.kind == "theme_day", ActivityRecord.branch_id == a)
            .values(review_state="returned")
        )
    assert returned
    assert keyed(await p.plan(sh(2026, 6, 22, 9))) == [(a, "monthly", "2026-06", "nudge", ("theme_day",))]


async def test_the_digest_marks_the_kinds_whose_records_were_returned(session_factory):
    """/status shows a returned record ↩️ and the secretary's reminder says 已退回; the digest says so too, and
    reads a payload stored before it did."""
    a = await add_branch(session_factory, "甲支部", 1001)
    theme_day = await record(session_factory, a, "theme_day", date(2026, 11, 10))
    committee = await record(session_factory, a, "committee", date(2026, 11, 10))
    await record(session_factory, a, "committee", date(2026, 11, 12))  # recorded again, waits: not missing
    async with session_factory() as session, session.begin():
        await session.execute(
            update(ActivityRecord)
            .where(ActivityRecord.id.in_([theme_day, committee]))
            .values(review_state="returned")
        )
    digests = [d for d in await planner(session_factory, (ADMIN,)).plan(sh(2026, 12, 1, 9)) if d.digest]
    (entry,) = digests[0].digest.periods[0].branches
    assert entry.missing == ("theme_day", "group_meeting", "joint_study")
    assert entry.returned == ("theme_day",)
    stored = digests[0].digest.to_json()
    assert Digest.from_json(stored).periods[0].branches[0].returned == ("theme_day",)
    del stored["periods"][0]["branches"][0]["returned"]
    assert Digest.from_json(stored).periods[0].branches[0].returned == ()  # stored before it was kept
