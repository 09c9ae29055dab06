"""The review loop: pass, return with a comment, amend back to pending; who is told; scoping; the history."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from handlers.services.records import RecordService
from handlers.services.review import ReviewService
from handlers.services.supervision import Viewer
from storage.models import ActivityRecord
from storage.repositories import RecordRepository
from tests.services.supervision_world import (
    ADMIN,
    ADMINS,
    OTHER_SUPERVISOR,
    SEC_A,
    SEC_B,
    STRANGER,
    SUPERVISOR,
    add_record,
    make_world,
)


async def test_return_amend_pass_with_notifications_and_history(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)
    review = ReviewService(world.factory, world.clock, ADMINS)
    records = RecordService(world.factory, world.clock, ADMINS)
    record_id = await add_record(world, world.a, SEC_A)

    notice = await review.new_record_notice(record_id)
    assert [(n.user_id, n.event) for n in notice] == [(ADMIN, "new_record"), (SUPERVISOR, "new_record")]
    assert notice[0].record.review_state == "pending_review" and notice[0].record.branch_name == "第一支部"

    assert (await review.return_record(SUPERVISOR, record_id, " 。")).status == "comment_required"
    world.clock.advance(timedelta(hours=1))
    returned = await review.return_record(SUPERVISOR, record_id, "照片看不清，请补充会议记录")
    assert returned.status == "ok" and returned.record.review_state == "returned"
    assert [(n.user_id, n.event, n.comment) for n in returned.notify] == [
        (SEC_A, "returned", "照片看不清，请补充会议记录")
    ]
    again = await review.return_record(ADMIN, record_id, "再次退回")
    assert (
        again.status == "unchanged" and again.last.actor_id == SUPERVISOR and again.last.action == "returned"
    )

    view = await records.open(SEC_A, record_id)
    assert view.review_state == "returned" and view.return_comment == "照片看不清，请补充会议记录"

    world.clock.advance(timedelta(hours=1))
    amended = await records.amend_record(SEC_A, record_id, "topic", "学习四中全会精神（补充）", "补充主题")
    assert amended.status == "ok" and amended.resubmitted and amended.reviewers == [ADMIN, SUPERVISOR]
    assert amended.was == "returned"

    world.clock.advance(timedelta(hours=1))
    passed = await review.pass_record(ADMIN, record_id)
    assert passed.status == "ok" and passed.record.review_state == "passed"
    assert [(n.user_id, n.event) for n in passed.notify] == [(SEC_A, "passed")]

    view = await records.open(SEC_A, record_id)
    assert [(h.action, h.actor_id, h.state) for h in view.timeline] == [
        ("submitted", SEC_A, "pending_review"),
        ("returned", SUPERVISOR, "returned"),
        ("amended", SEC_A, "pending_review"),
        ("passed", ADMIN, "passed"),
    ]
    assert view.timeline[1].comment == "照片看不清，请补充会议记录"
    assert view.timeline[2].changes == {"topic": ["学习党的二十届四中全会精神", "学习四中全会精神（补充）"]}
    assert view.return_comment is None and len(view.history) == 1


async def test_amending_a_pending_record_keeps_it_pending_and_tells_nobody(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)
    records = RecordService(world.factory, world.clock, ADMINS)
    record_id = await add_record(world, world.a, SEC_A)
    amended = await records.amend_record(SEC_A, record_id, "place", "党员活动室", "补地点")
    assert (amended.status, amended.resubmitted, amended.reviewers) == ("ok", False, [])
    assert await records.amend(SEC_A, record_id, "place", "党员活动室", "补地点") == "unchanged"


async def test_a_passed_record_that_is_amended_waits_for_review_again(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)
    review = ReviewService(world.factory, world.clock, ADMINS)
    records = RecordService(world.factory, world.clock, ADMINS)
    record_id = await add_record(world, world.a, SEC_A)
    assert (await review.pass_record(SUPERVISOR, record_id)).status == "ok"
    assert (await review.pass_record(ADMIN, record_id)).status == "unchanged"
    amended = await records.amend_record(SEC_A, record_id, "place", "会议室", "补地点")
    assert amended.resubmitted and amended.was == "passed"
    assert (await records.open(SEC_A, record_id)).review_state == "pending_review"


async def test_who_may_review(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)
    review = ReviewService(world.factory, world.clock, ADMINS)
    record_id = await add_record(world, world.a, SEC_A)
    assert (await review.pass_record(OTHER_SUPERVISOR, record_id)).status == "missing"  # another district
    assert (await review.pass_record(SEC_B, record_id)).status == "missing"  # another branch's secretary
    assert (await review.pass_record(STRANGER, record_id)).status == "missing"
    assert (
        await review.pass_record(SEC_A, record_id)
    ).status == "forbidden"  # own branch: sees, never reviews
    assert (await review.pass_record(ADMIN, 999_999)).status == "missing"

    assert (await review.open(OTHER_SUPERVISOR, record_id)) is None
    as_supervisor = await review.open(SUPERVISOR, record_id)
    assert (
        as_supervisor.can_review and not as_supervisor.can_amend and as_supervisor.branch_name == "第一支部"
    )
    as_secretary = await review.open(SEC_A, record_id)
    assert not as_secretary.can_review and as_secretary.can_amend


def test_nobody_reviews_their_own_submission():
    record = ActivityRecord(branch_id=1, submitted_by=ADMIN)
    assert not Viewer(ADMIN, is_admin=True).can_review(record)
    assert Viewer(SUPERVISOR, supervised=frozenset({1})).can_review(
        ActivityRecord(branch_id=1, submitted_by=SEC_A)
    )
    assert not Viewer(SUPERVISOR, supervised=frozenset({2})).can_review(
        ActivityRecord(branch_id=1, submitted_by=1)
    )


async def test_a_returned_record_is_not_passed_before_it_is_amended(session_factory, tmp_path):
    """A stale 通过 button must not pass what another reviewer returned: the secretary has to amend it first."""
    world = await make_world(session_factory, tmp_path)
    review = ReviewService(world.factory, world.clock, ADMINS)
    record_id = await add_record(world, world.a, SEC_A)
    assert (await review.return_record(SUPERVISOR, record_id, "缺少签到表")).status == "ok"
    stale = await review.pass_record(ADMIN, record_id)
    assert (
        stale.status == "stale"
        and stale.record.review_state == "returned"
        and stale.last.action == "returned"
    )
    assert stale.notify == []


async def test_withdrawn_records_are_not_reviewed_nor_announced(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)
    review = ReviewService(world.factory, world.clock, ADMINS)
    record_id = await add_record(world, world.a, SEC_A)
    async with world.factory() as session, session.begin():
        await RecordRepository(session).withdraw(record_id, world.clock.now())
    assert (await review.pass_record(ADMIN, record_id)).status == "withdrawn"
    assert await review.new_record_notice(record_id) == []


async def test_two_reviewers_at_once_one_wins(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)
    review = ReviewService(world.factory, world.clock, ADMINS)
    record_id = await add_record(world, world.a, SEC_A)
    results = await asyncio.gather(
        review.pass_record(ADMIN, record_id), review.pass_record(SUPERVISOR, record_id)
    )
    assert sorted(r.status for r in results) == ["ok", "unchanged"]
    winner = next(r for r in results if r.status == "ok")
    assert len(winner.notify) == 1
    view = await review.open(ADMIN, record_id)
    assert len([h for h in view.timeline if h.action in ("passed", "returned")]) == 1


async def test_the_queue_is_scoped(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)
    review = ReviewService(world.factory, world.clock, ADMINS)
    in_a = await add_record(world, world.a, SEC_A)
    in_c = await add_record(world, world.c, 103)
    assert [r.record_id for r in (await review.queue(ADMIN)).items] == [in_a, in_c]
    assert [r.record_id for r in (await review.queue(SUPERVISOR)).items] == [in_a]
    assert [r.record_id for r in (await review.queue(OTHER_SUPERVISOR)).items] == [in_c]
    assert (await review.queue(SEC_A)).items == []
    await review.pass_record(ADMIN, in_a)
    assert (await review.queue(SUPERVISOR)).items == []


async def test_a_passed_record_is_not_returned(session_factory, tmp_path):
    """A second reviewer's stale 退回 (or a comment typed while another passed it) never overturns a pass."""
    world = await make_world(session_factory, tmp_path)
    review = ReviewService(world.factory, world.clock, ADMINS)
    record_id = await add_record(world, world.a, SEC_A)
    assert (await review.may_return(ADMIN, record_id)).status == "ok"
    assert (await review.pass_record(SUPERVISOR, record_id)).status == "ok"
    asked = await review.may_return(ADMIN, record_id)
    assert asked.status == "passed" and asked.last.actor_id == SUPERVISOR and asked.last.action == "passed"
    returned = await review.return_record(ADMIN, record_id, "照片不清楚")
    assert returned.status == "passed" and returned.notify == []
    assert returned.record.review_state == "passed"
    assert (await review.may_return(SEC_A, record_id)).status == "forbidden"
    assert (await review.may_return(OTHER_SUPERVISOR, record_id)).status == "missing"
    async with world.factory() as session, session.begin():
        await RecordRepository(session).withdraw(record_id, world.clock.now())
    assert (await review.may_return(ADMIN, record_id)).status == "withdrawn"


async def test_a_withdrawn_record_asks_for_no_amendment(session_factory, tmp_path):
    """The return's comment says what to fix; once the record is withdrawn there is nothing to fix (chat and web)."""
    from handlers.services.browse import BrowseService
    from storage.files import LocalFileStore

    world = await make_world(session_factory, tmp_path)
    review = ReviewService(world.factory, world.clock, ADMINS)
    records = RecordService(world.factory, world.clock, ADMINS)
    browse = BrowseService(world.factory, world.clock, ADMINS, world.store, LocalFileStore(tmp_path / "t"))
    record_id = await add_record(world, world.a, SEC_A)
    assert (await review.return_record(ADMIN, record_id, "点错了")).status == "ok"
    assert (await records.open(SEC_A, record_id)).return_comment == "点错了"
    assert await records.withdraw(SEC_A, record_id) == "ok"
    assert await records.withdraw(SEC_A, record_id) == "withdrawn"
    for view in (await records.open(SEC_A, record_id), await review.open(ADMIN, record_id)):
        assert view.return_comment is None
        assert [(h.action, h.comment) for h in view.timeline if h.action == "returned"] == [
            ("returned", "点错了")
        ]
    (row,) = [r for r in (await browse.branch_page(ADMIN, world.a)).records if r.record.id == record_id]
    assert row.return_comment is None


async def test_a_passed_record_is_not_withdrawn(session_factory, tmp_path):
    """A secretary withdrew a record a supervisor had passed, and /status changed without a word (review 82):
    a passed record is corrected by 修改 (which puts it back for review), never withdrawn."""
    world = await make_world(session_factory, tmp_path)
    review = ReviewService(world.factory, world.clock, ADMINS)
    records = RecordService(world.factory, world.clock, ADMINS)
    record_id = await add_record(world, world.a, SEC_A)
    assert (await records.open(SEC_A, record_id)).can_withdraw
    assert (await review.pass_record(ADMIN, record_id)).status == "ok"
    view = await records.open(SEC_A, record_id)
    assert not view.can_withdraw and view.review_state == "passed"
    assert await records.withdraw(SEC_A, record_id) == "passed"
    assert (await records.open(SEC_A, record_id)).record.status == "active"


async def test_who_may_reopen_a_passed_record(session_factory, tmp_path):
    """退回更正 (``may_reopen``, then ``reopen_passed``): administrators only, a passed record only; a withdrawn one
    is refused as withdrawn and nobody is told."""
    world = await make_world(session_factory, tmp_path)
    review = ReviewService(world.factory, world.clock, ADMINS)
    record_id = await add_record(world, world.a, SEC_A)
    assert (await review.may_reopen(ADMIN, record_id)).status == "not_passed"  # it waits for review
    assert (await review.may_reopen(ADMIN, 987654)).status == "missing"
    assert (await review.pass_record(SUPERVISOR, record_id)).status == "ok"
    asked = await review.may_reopen(ADMIN, record_id)
    assert asked.status == "ok" and asked.record.review_state == "passed"
    for user in (SUPERVISOR, SEC_A, STRANGER):
        assert (await review.may_reopen(user, record_id)).status == "admins_only"
        assert (await review.reopen_passed(user, record_id, "请更正地点")).status == "admins_only"
    async with world.factory() as session, session.begin():
        await RecordRepository(session).withdraw(record_id, world.clock.now())
    assert (await review.may_reopen(ADMIN, record_id)).status == "withdrawn"
    refused = await review.reopen_passed(ADMIN, record_id, "请更正地点")
    assert refused.status == "withdrawn" and refused.notify == []
    assert refused.record.review_state == "passed"
