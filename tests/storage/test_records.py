"""Activity records, their files and amendments, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from storage.models import ActivityRecord, Branch, PtbState, RecordFile
from storage.repositories import DraftRepository, NotFoundError, PtbStateRepository, RecordRepository
from tests.storage.builders import LATER, T0, add_branch, add_record, photo


async def test_record_add_with_files(session_factory):
    files = [photo(1), photo(0), photo(0, role="minutes")]
    async with session_factory() as session, session.begin():
        branch_id = (await add_branch(session)).id
        record = await add_record(
            session,
            branch_id,
            place="会议室",
            expected=10,
            actual=8,
            absentees=[{"name": "张三", "reason": "出差"}, {"name": "李四", "reason": "病假"}],
            details={"six_items": ["学习讨论", "志愿服务"], "x_items": None, "nested": {"a": [1, [2, "三"]]}},
            minutes_text="会议记录：……",
            files=files,
        )
        record_id = record.id
        assert record.id is not None and all(f.record_id == record_id for f in record.files)

    async with session_factory() as session:
        repo = RecordRepository(session)
        got = await repo.get(record_id)
        assert got is not None
        assert (got.kind, got.period, got.held_on, got.topic, got.place) == (
            "theme_day",
            "2026-11",
            date(2026, 11, 2),
            "学习党的二十届四中全会精神",
            "会议室",
        )
        assert (got.expected, got.actual, got.status, got.submitted_by) == (10, 8, "active", 1001)
        assert got.absentees == [{"name": "张三", "reason": "出差"}, {"name": "李四", "reason": "病假"}]
        assert got.details == {
            "six_items": ["学习讨论", "志愿服务"],
            "x_items": None,
            "nested": {"a": [1, [2, "三"]]},
        }
        assert got.minutes_text == "会议记录：……"
        assert (got.created_at, got.updated_at, got.withdrawn_at) == (T0, T0, None)
        stored = await repo.files(record_id)
        assert [(f.role, f.position) for f in stored] == [("minutes", 0), ("photo", 0), ("photo", 1)]
        assert stored[1].sha256 == files[1]["sha256"] and stored[1].size == 1000
        assert stored[0].mime == "application/pdf"


async def test_record_defaults(session_factory):
    async with session_factory() as session, session.begin():
        branch_id = (await add_branch(session)).id
        record_id = (await add_record(session, branch_id)).id
    async with session_factory() as session:
        got = await RecordRepository(session).get(record_id)
        assert got is not None
        assert (got.absentees, got.details, got.place, got.expected, got.minutes_text) == (
            [],
            {},
            None,
            None,
            None,
        )
        assert await RecordRepository(session).files(record_id) == []


async def test_record_and_files_roll_back_together(session_factory):
    async with session_factory() as session, session.begin():
        branch_id = (await add_branch(session)).id

    async with session_factory() as session:
        await add_record(session, branch_id, files=[photo(0), photo(1)])
        await session.rollback()

    # A failing file row (duplicate Telegram file in one record) takes the record down with it.
    async with session_factory() as session:
        with pytest.raises(IntegrityError):
            async with session.begin():
                await add_record(session, branch_id, files=[photo(0, unique="same"), photo(1, unique="same")])

    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(ActivityRecord)) == 0
        assert await session.scalar(select(func.count()).select_from(RecordFile)) == 0


BAD_RECORD_VALUES = [
    {"held_on": datetime(2026, 11, 2, tzinfo=UTC)},
    {"held_on": "2026-11-02"},
    {"topic": ""},
    {"kind": "k" * 33},
    {"expected": -1},
    {"actual": 1.5},
    {"absentees": [{"reason": "no name"}]},
    {"absentees": "张三"},
    {"details": ["not", "a", "dict"]},
    {"at": datetime(2026, 11, 2)},
    {"files": [{**photo(0), "role": "video"}]},
    {"files": [{**photo(0), "sha256": "../../etc/passwd"}]},
    {"files": [{k: v for k, v in photo(0).items() if k != "position"}]},
    {"files": [{**photo(0), "filename": "x.jpg"}]},
]


async def test_record_add_validation(session_factory):
    async with session_factory() as session:
        branch_id = (await add_branch(session)).id
        for bad in BAD_RECORD_VALUES:
            with pytest.raises(ValueError):
                await add_record(session, branch_id, **bad)
        assert await RecordRepository(session).list_for_branch(branch_id, include_withdrawn=True) == []
        await session.rollback()


async def test_get_with_other_branch_returns_none(session_factory):
    async with session_factory() as session, session.begin():
        mine = (await add_branch(session, "mine")).id
        theirs = (await add_branch(session, "theirs")).id
        record_id = (await add_record(session, mine)).id

    async with session_factory() as session:
        repo = RecordRepository(session)
        assert (await repo.get(record_id, branch_id=mine)).id == record_id
        assert await repo.get(record_id, branch_id=theirs) is None
        assert (await repo.get(record_id)).id == record_id
        assert await repo.get(record_id + 100, branch_id=mine) is None


async def test_list_for_branch_since_and_withdrawn(session_factory):
    async with session_factory() as session, session.begin():
        branch_id = (await add_branch(session)).id
        other_id = (await add_branch(session, "other")).id
        ids = {}
        for day in (5, 20, 1, 12):
            ids[day] = (
                await add_record(session, branch_id, held_on=date(2026, 10, day), period="2026-10")
            ).id
        await add_record(session, other_id, held_on=date(2026, 10, 15))
        withdrawn = await RecordRepository(session).withdraw(ids[12], LATER)
        assert (withdrawn.status, withdrawn.withdrawn_at, withdrawn.updated_at) == ("withdrawn", LATER, LATER)
        again = await RecordRepository(session).withdraw(ids[12], LATER + timedelta(days=1))
        assert again.withdrawn_at == LATER  # idempotent
        with pytest.raises(NotFoundError):
            await RecordRepository(session).withdraw(ids[12] + 100, LATER)

    async with session_factory() as session:
        repo = RecordRepository(session)
        assert [r.id for r in await repo.list_for_branch(branch_id)] == [ids[20], ids[5], ids[1]]
        assert [r.id for r in await repo.list_for_branch(branch_id, include_withdrawn=True)] == [
            ids[20],
            ids[12],
            ids[5],
            ids[1],
        ]
        assert [r.id for r in await repo.list_for_branch(branch_id, since=date(2026, 10, 5))] == [
            ids[20],
            ids[5],
        ]
        assert [
            r.id
            for r in await repo.list_for_branch(branch_id, since=date(2026, 10, 6), include_withdrawn=True)
        ] == [ids[20], ids[12]]
        assert await repo.list_for_branch(branch_id + 100) == []
        assert await repo.count_active(branch_id, "theme_day", "2026-10") == 3
        assert await repo.count_active(branch_id, "theme_day", "2026-11") == 0
        assert await repo.count_active(branch_id, "committee", "2026-10") == 0
        assert await repo.count_active(other_id, "theme_day", "2026-11") == 1


async def test_amend_keeps_history(session_factory):
    record_id = await _record_with_an_absentee(session_factory)
    t1, t2 = LATER, LATER + timedelta(days=1)
    await _amended_twice(session_factory, record_id, t1, t2)

    async with session_factory() as session:
        repo = RecordRepository(session)
        record = await repo.get(record_id)
        assert record is not None
        assert (record.held_on, record.actual, record.expected, record.place) == (
            date(2026, 11, 1),
            9,
            10,
            "党员活动室",
        )
        assert record.absentees == [{"name": "张三", "reason": "出差"}, {"name": "李四", "reason": "病假"}]
        assert record.details == {"six_items": ["学习讨论", "志愿服务"], "nested": [[1, "二"]]}
        assert (record.created_at, record.updated_at) == (T0, t2)
        history = await repo.history(record_id)
        assert [(h.amended_by, h.amended_at, h.reason) for h in history] == [
            (1001, t1, "日期填错"),
            (1002, t2, "补充缺席人员"),
        ]
        assert history[0].changes == {"held_on": ["2026-11-02", "2026-11-01"], "actual": [8, 9]}
        assert history[1].changes == {
            "absentees": [
                [{"name": "张三", "reason": "出差"}],
                [{"name": "张三", "reason": "出差"}, {"name": "李四", "reason": "病假"}],
            ],
            "details": [
                {"six_items": ["学习讨论"]},
                {"six_items": ["学习讨论", "志愿服务"], "nested": [[1, "二"]]},
            ],
            "place": [None, "党员活动室"],
        }
        assert await repo.history(record_id + 100) == []


async def _record_with_an_absentee(session_factory) -> int:
    async with session_factory() as session, session.begin():
        branch_id = (await add_branch(session)).id
        return (
            await add_record(
                session,
                branch_id,
                expected=10,
                actual=8,
                absentees=[{"name": "张三", "reason": "出差"}],
                details={"six_items": ["学习讨论"]},
            )
        ).id


async def _amended_twice(session_factory, record_id: int, t1, t2) -> None:
    """By 1001 at ``t1`` (the date and the count; the expected count unchanged), then by 1002 at ``t2``."""
    async with session_factory() as session, session.begin():
        repo = RecordRepository(session)
        first = await repo.amend(
            record_id,
            by=1001,
            at=t1,
            reason="日期填错",
            changes={"held_on": date(2026, 11, 1), "actual": 9, "expected": 10},  # expected unchanged
        )
        assert first.changes == {"held_on": ["2026-11-02", "2026-11-01"], "actual": [8, 9]}

    async with session_factory() as session, session.begin():
        repo = RecordRepository(session)
        await repo.amend(
            record_id,
            by=1002,
            at=t2,
            reason="补充缺席人员",
            changes={
                "absentees": [{"name": "张三", "reason": "出差"}, {"name": "李四", "reason": "病假"}],
                "details": {"six_items": ["学习讨论", "志愿服务"], "nested": [[1, "二"]]},
                "place": "党员活动室",
            },
        )


async def test_amend_validation(session_factory):
    async with session_factory() as session:
        repo = RecordRepository(session)
        branch_id = (await add_branch(session)).id
        record_id = (await add_record(session, branch_id)).id
        for changes in ({"kind": "committee"}, {"status": "withdrawn"}, {"held_on": "2026-11-01"}, {}):
            with pytest.raises(ValueError):
                await repo.amend(record_id, by=1, at=LATER, reason="r", changes=changes)
        with pytest.raises(ValueError, match="nothing"):
            await repo.amend(
                record_id, by=1, at=LATER, reason="r", changes={"topic": "学习党的二十届四中全会精神"}
            )
        with pytest.raises(ValueError, match="reason"):
            await repo.amend(record_id, by=1, at=LATER, reason=" ", changes={"topic": "x"})
        with pytest.raises(NotFoundError):
            await repo.amend(record_id + 100, by=1, at=LATER, reason="r", changes={"topic": "x"})
        await repo.withdraw(record_id, LATER)
        with pytest.raises(ValueError, match="withdrawn"):
            await repo.amend(record_id, by=1, at=LATER, reason="r", changes={"topic": "x"})
        assert await repo.history(record_id) == []
        await session.rollback()


async def test_amend_does_not_alias_callers_values(session_factory):
    async with session_factory() as session, session.begin():
        branch_id = (await add_branch(session)).id
        record_id = (await add_record(session, branch_id)).id
        details = {"items": ["a"]}
        await RecordRepository(session).amend(
            record_id, by=1, at=LATER, reason="r", changes={"details": details}
        )
        details["items"].append("changed afterwards")
    async with session_factory() as session:
        record = await RecordRepository(session).get(record_id)
        assert record is not None and record.details == {"items": ["a"]}
        assert (await RecordRepository(session).history(record_id))[0].changes == {
            "details": [{}, {"items": ["a"]}]
        }


async def test_record_files_relationship_is_never_lazy_loaded(session_factory):
    async with session_factory() as session, session.begin():
        branch_id = (await add_branch(session)).id
        record_id = (await add_record(session, branch_id, files=[photo(0)])).id
    async with session_factory() as session:
        record = await RecordRepository(session).get(record_id)
        assert record is not None
        with pytest.raises(Exception, match="raise"):
            _ = record.files


async def test_repositories_do_not_commit(session_factory):
    async with session_factory() as session:
        branch_id = (await add_branch(session)).id
        await add_record(session, branch_id, files=[photo(0)])
        await DraftRepository(session).save(user_id=1, branch_id=branch_id, step="s", data={}, at=T0)
        await PtbStateRepository(session).put("user_data", "1", {}, T0)
        await session.rollback()
    async with session_factory() as session:
        for model in (Branch, ActivityRecord, RecordFile, PtbState):
            assert await session.scalar(select(func.count()).select_from(model)) == 0
