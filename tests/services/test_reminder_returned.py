"""A kind whose records of the period were all returned by a reviewer is still owed and still reminded, but the
secretary is pointed at the latest returned record (to amend and resubmit it) instead of being told the kind was
never recorded; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from handlers.services.clock import FixedClock
from handlers.services.reminders import KindState, MuteScope, ReminderPlanner, ReminderService
from knowledge.activities import Cadence
from storage.repositories import ReviewRepository
from tests.services.reminder_world import FakeMessenger, FakeTime, add_branch, make_sender, record, sh

AT = sh(2026, 6, 10, 15)
NUDGE = sh(2026, 6, 22, 9)  # June's nudge


async def move(
    session_factory, record_id: int, state: str, expected: str = "pending_review", action: str = "returned"
) -> None:
    async with session_factory() as session, session.begin():
        moved = await ReviewRepository(session).move(
            record_id, expected=(expected,), state=state, action=action, actor_id=1, at=AT
        )
        assert moved is not None


async def returned_world(session_factory) -> tuple[int, dict[str, int]]:
    """Branch 甲 (secretary 1001): committee returned twice, theme_day returned once but recorded again,
    group_meeting returned and muted, joint_study never recorded."""
    branch = await add_branch(session_factory, "甲支部", 1001)
    ids = {
        "committee_first": await record(session_factory, branch, "committee", date(2026, 6, 3)),
        "committee_latest": await record(session_factory, branch, "committee", date(2026, 6, 5)),
        "theme_day_returned": await record(session_factory, branch, "theme_day", date(2026, 6, 3)),
        "group_meeting": await record(session_factory, branch, "group_meeting", date(2026, 6, 4)),
    }
    for record_id in ids.values():
        await move(session_factory, record_id, "returned")
    await record(session_factory, branch, "theme_day", date(2026, 6, 8))  # waits for review: recorded
    await ReminderService(session_factory, FixedClock(AT)).mute(
        1001, "group_meeting", "与第二支部联合开展", MuteScope.PERIOD
    )
    return branch, ids


async def test_reminders_status_names_the_returned_record(session_factory):
    _, ids = await returned_world(session_factory)
    service = ReminderService(session_factory, FixedClock(AT))
    month = (await service.status(1001)).cadences[0]
    assert [(k.code, k.state, k.returned_id) for k in month.kinds] == [
        ("theme_day", KindState.WAITING, None),  # recorded again, waiting for review
        ("committee", KindState.RETURNED, ids["committee_latest"]),
        ("group_meeting", KindState.MUTED, ids["group_meeting"]),
        ("joint_study", KindState.MISSING, None),
    ]
    # A returned kind is still owed: the month's next reminder is its nudge, not July's opening.
    assert month.next_reminder == NUDGE
    # Resubmitted (an amendment puts it back to review): recorded, nothing to amend.
    await move(session_factory, ids["committee_latest"], "pending_review", "returned", "amended")
    month = (await service.status(1001)).cadences[0]
    assert [(k.code, k.state, k.returned_id) for k in month.kinds][1] == (
        "committee",
        KindState.WAITING,
        None,
    )


async def test_the_reminder_still_lists_a_returned_kind_and_points_at_its_record(session_factory):
    _, ids = await returned_world(session_factory)
    time, messenger = FakeTime(), FakeMessenger()
    await ReminderPlanner(session_factory, FixedClock(NUDGE)).plan(NUDGE)
    await make_sender(session_factory, messenger, time, clock=FixedClock(NUDGE)).send_due(NUDGE)
    (view,) = [c.view for c in messenger.delivered if c.view.cadence is Cadence.MONTHLY]
    assert view.kinds == ("committee", "joint_study")
    assert view.returned == (("committee", ids["committee_latest"]),)
    assert view.returned_record("committee") == ids["committee_latest"]
    assert view.returned_record("joint_study") is None
