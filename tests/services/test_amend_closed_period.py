"""A passed record of a period that has ended is not amended (it would go back to review, and the period that
was complete would show as not done: 待审核, then 已退回 and overdue once a reviewer returns the amendment, and a
returned record may be withdrawn, while a closed period can no longer be recorded anew).

The amendment is refused with a Chinese message naming the period; nothing changes. A passed record of the
running period is amended as before (back to review), and so is a returned or pending record of any period."""

from __future__ import annotations

from datetime import date

from handlers.services.records import RecordService
from handlers.services.review import ReviewService
from handlers.services.status import StatusService
from storage.repositories import RecordRepository
from tests.services.supervision_world import ADMIN, ADMINS, SEC_A, add_record, jpeg, make_world, stored_photo


async def _passed(world, review, **record) -> int:
    record_id = await add_record(world, world.a, SEC_A, **record)
    assert (await review.pass_record(ADMIN, record_id)).status == "ok"
    return record_id


async def _cell(status: StatusService, period: str, kind: str):
    matrix = await status.matrix(ADMIN, period)
    return next(r for r in matrix.rows if r.branch_id == matrix.rows[0].branch_id).cells[kind]


async def test_last_years_passed_review_stays_complete(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)  # today: 2026-11-20
    review = ReviewService(world.factory, world.clock, ADMINS)
    records = RecordService(world.factory, world.clock, ADMINS)
    status = StatusService(world.factory, world.clock, ADMINS)
    record_id = await _passed(world, review, kind="review", period="2025", held_on=date(2025, 12, 10))
    assert (await _cell(status, "2025", "review")).state == "recorded"

    amended = await records.amend_record(SEC_A, record_id, "place", "党员活动室", "地点写错了")
    assert amended.status == "closed" and not amended.resubmitted and amended.reviewers == []
    assert "2025年度" in amended.problem and "已审核通过" in amended.problem, amended.problem
    assert (await review.return_record(ADMIN, record_id, "请补充")).status == "passed"  # nothing to review
    cell = await _cell(status, "2025", "review")
    assert (cell.state, cell.overdue) == ("recorded", False)
    view = await records.open(SEC_A, record_id)
    assert view.review_state == "passed" and view.record.place != "党员活动室" and view.history == []
    assert view.closed == amended.problem and not view.can_withdraw


async def test_a_past_quarters_observation_keeps_its_photos(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)
    review = ReviewService(world.factory, world.clock, ADMINS)
    records = RecordService(world.factory, world.clock, ADMINS)
    status = StatusService(world.factory, world.clock, ADMINS)
    photo = await stored_photo(world, jpeg(color=(1, 2, 3)))
    record_id = await _passed(
        world, review, kind="observation", period="2026-Q3", held_on=date(2026, 8, 15), files=[photo]
    )
    new = await stored_photo(world, jpeg(color=(9, 9, 9)), position=1)
    entry = {
        "sha256": new["sha256"],
        "size": new["size"],
        "mime": new["mime"],
        "file_id": new["telegram_file_id"],
        "unique_id": new["telegram_file_unique_id"],
    }
    amended = await records.amend_photos(SEC_A, record_id, "add", [entry], "补充照片", world.store)
    assert amended.status == "closed" and "2026年第三季度" in amended.problem
    assert (await _cell(status, "2026-Q3", "observation")).state == "recorded"
    async with world.factory() as session:
        assert len(await RecordRepository(session).files(record_id)) == 1
    attendance = await records.amend_attendance(SEC_A, record_id, 8, 8, [], "出勤写错了")
    assert attendance.status == "closed"


async def test_the_running_period_and_unpassed_records_are_amended_as_before(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)
    review = ReviewService(world.factory, world.clock, ADMINS)
    records = RecordService(world.factory, world.clock, ADMINS)
    running = await _passed(world, review)  # 主题党日 of 2026-11: the month is still running
    amended = await records.amend_record(SEC_A, running, "place", "党员活动室", "地点写错了")
    assert amended.status == "ok" and amended.resubmitted and amended.was == "passed"
    assert (await records.open(SEC_A, running)).closed is None

    waiting = await add_record(world, world.a, SEC_A, kind="review", period="2025", held_on=date(2025, 12, 1))
    amended = await records.amend_record(SEC_A, waiting, "place", "党员活动室", "地点写错了")
    assert amended.status == "ok" and not amended.resubmitted  # still waits for its first review
    returned = await add_record(
        world, world.a, SEC_A, kind="lecture", period="2026-Q3", held_on=date(2026, 9, 1)
    )
    await review.return_record(ADMIN, returned, "请补充授课人")
    amended = await records.amend_record(SEC_A, returned, "topic", "学习党章（第二讲）", "按意见修改")
    assert amended.status == "ok" and amended.resubmitted and amended.was == "returned"
