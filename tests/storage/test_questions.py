"""Questions, their feedback and the TZDateTime column type, on SQLite and PostgreSQL (see ``tests/fixtures_db.py``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from storage.models import Feedback, QuestionLog, TZDateTime
from storage.repositories import QuestionRepository

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2024, 7, 1, 9, 30, 15, 123456, tzinfo=SHANGHAI)


async def test_add_and_get(session_factory):
    async with session_factory() as session, session.begin():
        row = await QuestionRepository(session).add(
            query="三会一课怎么开？",
            answered=True,
            created_at=T0,
            user_id=2**40,
            chat_id=-(10**12),
            top_passage_id=17,
            top_score=3.25,
        )
        assert row.id is not None
        question_id = row.id

    async with session_factory() as session:
        got = await QuestionRepository(session).get(question_id)
        assert got is not None
        assert (got.query, got.answered, got.user_id, got.chat_id) == (
            "三会一课怎么开？",
            True,
            2**40,
            -(10**12),
        )
        assert (got.top_passage_id, got.top_score) == (17, 3.25)
        assert await QuestionRepository(session).get(question_id + 1000) is None


async def test_minimal_question_has_null_optionals(session_factory):
    async with session_factory() as session, session.begin():
        question_id = (await QuestionRepository(session).add(query="?", answered=False, created_at=T0)).id
    async with session_factory() as session:
        got = await QuestionRepository(session).get(question_id)
        assert got is not None
        assert (got.user_id, got.chat_id, got.top_passage_id, got.top_score) == (None, None, None, None)


async def test_aware_datetimes_round_trip_as_utc(session_factory):
    async with session_factory() as session, session.begin():
        question_id = (await QuestionRepository(session).add(query="q", answered=True, created_at=T0)).id

    async with session_factory() as session:
        got = await QuestionRepository(session).get(question_id)
        assert got is not None
        assert got.created_at.tzinfo is not None
        assert got.created_at.utcoffset() == timedelta(0)
        assert got.created_at == T0
        assert got.created_at.astimezone(SHANGHAI) == T0
        assert got.created_at.astimezone(SHANGHAI).hour == 9
        assert got.created_at.microsecond == T0.microsecond


async def test_naive_datetime_refused(session_factory):
    async with session_factory() as session:
        repo = QuestionRepository(session)
        with pytest.raises(ValueError, match="aware"):
            await repo.add(query="q", answered=True, created_at=datetime(2024, 7, 1, 9, 30))
        question_id = (await repo.add(query="q", answered=True, created_at=T0)).id
        with pytest.raises(ValueError, match="aware"):
            await repo.set_feedback(question_id=question_id, user_id=1, value=1, at=datetime(2024, 7, 1))
        await session.rollback()


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "postgresql"])
def test_tzdatetime_type(dialect):
    column_type = TZDateTime()
    with pytest.raises(ValueError, match="naive"):
        column_type.process_bind_param(datetime(2024, 1, 1), dialect)
    assert column_type.process_bind_param(None, dialect) is None
    assert column_type.process_result_value(None, dialect) is None

    bound = column_type.process_bind_param(T0, dialect)
    assert bound is not None
    if dialect.name == "sqlite":
        assert bound.tzinfo is None and bound == T0.astimezone(UTC).replace(tzinfo=None)
    else:
        assert bound.tzinfo is UTC and bound == T0
    # A naive value read back from SQLite is UTC; an aware one (PostgreSQL) is converted to UTC.
    assert column_type.process_result_value(datetime(2024, 7, 1, 1, 30), dialect) == datetime(
        2024, 7, 1, 1, 30, tzinfo=UTC
    )
    assert column_type.process_result_value(T0, dialect).tzinfo is UTC


async def test_feedback_upsert_replaces_vote(session_factory):
    later = T0 + timedelta(minutes=5)
    async with session_factory() as session, session.begin():
        repo = QuestionRepository(session)
        question_id = (await repo.add(query="q", answered=True, created_at=T0)).id
        first = await repo.set_feedback(question_id=question_id, user_id=7, value=1, at=T0)
        assert (first.value, first.user_id, first.question_id) == (1, 7, question_id)
        assert await repo.feedback_counts(question_id) == (1, 0)

        second = await repo.set_feedback(question_id=question_id, user_id=7, value=-1, at=later)
        assert second.id == first.id
        assert second.value == -1
        assert second.created_at == later
        assert await repo.feedback_counts(question_id) == (0, 1)

        await repo.set_feedback(question_id=question_id, user_id=8, value=1, at=later)
        await repo.set_feedback(question_id=question_id, user_id=9, value=-1, at=later)
        assert await repo.feedback_counts(question_id) == (1, 2)

    async with session_factory() as session:
        rows = (await session.scalars(select(Feedback).order_by(Feedback.user_id))).all()
        assert [(r.user_id, r.value) for r in rows] == [(7, -1), (8, 1), (9, -1)]
        assert rows[0].created_at == later
        assert await QuestionRepository(session).feedback_counts(question_id) == (1, 2)


async def test_feedback_counts_without_votes(session_factory):
    async with session_factory() as session, session.begin():
        repo = QuestionRepository(session)
        question_id = (await repo.add(query="q", answered=True, created_at=T0)).id
        assert await repo.feedback_counts(question_id) == (0, 0)
        assert await repo.feedback_counts(question_id + 1000) == (0, 0)


@pytest.mark.parametrize("value", [0, 2, -2, True, False])
async def test_invalid_feedback_value_rejected(session_factory, value):
    async with session_factory() as session:
        repo = QuestionRepository(session)
        question_id = (await repo.add(query="q", answered=True, created_at=T0)).id
        with pytest.raises(ValueError, match="1 or -1"):
            await repo.set_feedback(question_id=question_id, user_id=7, value=value, at=T0)
        assert await repo.feedback_counts(question_id) == (0, 0)
        await session.rollback()


async def test_check_constraint_guards_value_column(session_factory):
    """The database itself refuses a vote other than +1 / -1 that bypasses the repository."""
    async with session_factory() as session:
        question_id = (await QuestionRepository(session).add(query="q", answered=True, created_at=T0)).id
        session.add(Feedback(question_id=question_id, user_id=1, value=5, created_at=T0))
        with pytest.raises(IntegrityError):
            await session.flush()
        await session.rollback()


async def test_feedback_for_missing_question_violates_foreign_key(session_factory):
    async with session_factory() as session:
        with pytest.raises(IntegrityError):
            await QuestionRepository(session).set_feedback(question_id=12345, user_id=1, value=1, at=T0)
        await session.rollback()


async def test_unanswered_newest_first(session_factory):
    async with session_factory() as session, session.begin():
        repo = QuestionRepository(session)
        # Inserted out of order, mixed with answered ones.
        for minutes, answered in [(3, False), (1, False), (5, True), (4, False), (2, True), (0, False)]:
            await repo.add(query=f"q{minutes}", answered=answered, created_at=T0 + timedelta(minutes=minutes))

    async with session_factory() as session:
        repo = QuestionRepository(session)
        rows = await repo.unanswered()
        assert [r.query for r in rows] == ["q4", "q3", "q1", "q0"]
        assert all(not r.answered for r in rows)
        assert [r.query for r in await repo.unanswered(limit=2)] == ["q4", "q3"]


async def test_latest_for_before_a_question(session_factory):
    """The question an edited message followed: the latest before the one logged for it when first sent."""
    async with session_factory() as session, session.begin():
        repo = QuestionRepository(session)
        ids = [
            (await repo.add(query=f"q{m}", answered=True, created_at=T0 + timedelta(minutes=m), user_id=1)).id
            for m in range(3)
        ]
    async with session_factory() as session:
        repo = QuestionRepository(session)
        latest = await repo.latest_for(user_id=1, chat_id=None, since=T0)
        assert latest is not None and latest.query == "q2"
        before = await repo.latest_for(user_id=1, chat_id=None, since=T0, before_id=ids[2])
        assert before is not None and before.query == "q1"
        assert await repo.latest_for(user_id=1, chat_id=None, since=T0, before_id=ids[0]) is None


async def test_unanswered_orders_by_instant_not_by_zone(session_factory):
    """Same wall-clock text in different zones must sort by the actual instant."""
    async with session_factory() as session, session.begin():
        repo = QuestionRepository(session)
        await repo.add(
            query="shanghai", answered=False, created_at=datetime(2024, 7, 1, 12, 0, tzinfo=SHANGHAI)
        )
        await repo.add(query="utc", answered=False, created_at=datetime(2024, 7, 1, 11, 0, tzinfo=UTC))
    async with session_factory() as session:
        # 11:00 UTC is later than 12:00 Shanghai (04:00 UTC).
        assert [r.query for r in await QuestionRepository(session).unanswered()] == ["utc", "shanghai"]


async def test_deleting_question_cascades_to_feedback(session_factory):
    async with session_factory() as session, session.begin():
        repo = QuestionRepository(session)
        doomed = (await repo.add(query="doomed", answered=True, created_at=T0)).id
        kept = (await repo.add(query="kept", answered=True, created_at=T0)).id
        for user_id in (1, 2):
            await repo.set_feedback(question_id=doomed, user_id=user_id, value=1, at=T0)
        await repo.set_feedback(question_id=kept, user_id=1, value=-1, at=T0)

    async with session_factory() as session, session.begin():
        await session.execute(delete(QuestionLog).where(QuestionLog.id == doomed))

    async with session_factory() as session:
        remaining = (
            await session.execute(select(Feedback.question_id, func.count()).group_by(Feedback.question_id))
        ).all()
        assert [tuple(r) for r in remaining] == [(kept, 1)]
        assert await QuestionRepository(session).get(doomed) is None


async def test_repository_does_not_commit(session_factory):
    async with session_factory() as session:
        question_id = (await QuestionRepository(session).add(query="q", answered=True, created_at=T0)).id
        await session.rollback()
    async with session_factory() as session:
        assert await QuestionRepository(session).get(question_id) is None
