"""Amending a record's photos (add, replace) keeps the change as an amendment, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from storage.repositories import RecordRepository
from tests.storage.builders import LATER, add_branch, add_record, photo


def new_photo(n: int, unique: str | None = None) -> dict[str, object]:
    spec = photo(100 + n, unique)
    del spec["role"], spec["position"]
    return spec


async def test_add_then_replace_photos(session_factory):
    async with session_factory() as session, session.begin():
        branch_id = (await add_branch(session)).id
        files = [photo(0), photo(1), photo(0, role="minutes")]
        record_id = (await add_record(session, branch_id, files=files)).id
    first, second = photo(0)["sha256"], photo(1)["sha256"]

    async with session_factory() as session, session.begin():
        repo = RecordRepository(session)
        added = await repo.amend_photos(
            record_id, by=1001, at=LATER, reason="补充现场照片", photos=[new_photo(1)]
        )
        assert added.changes == {"photos": [[first, second], [first, second, new_photo(1)["sha256"]]]}
    async with session_factory() as session:
        stored = await RecordRepository(session).files(record_id)
        assert [(f.role, f.position) for f in stored] == [
            ("minutes", 0),
            ("photo", 0),
            ("photo", 1),
            ("photo", 2),
        ]

    async with session_factory() as session, session.begin():
        repo = RecordRepository(session)
        # the same Telegram file as a photo being replaced is fine: the old row goes first
        again = [new_photo(2, unique=photo(0)["telegram_file_unique_id"]), new_photo(3)]
        replaced = await repo.amend_photos(
            record_id, by=1001, at=LATER, reason="换成现场照片", photos=again, replace=True
        )
        before, after = replaced.changes["photos"]
        assert len(before) == 3 and after == [again[0]["sha256"], again[1]["sha256"]]
    async with session_factory() as session:
        repo = RecordRepository(session)
        stored = await repo.files(record_id)
        assert [(f.role, f.position) for f in stored] == [("minutes", 0), ("photo", 0), ("photo", 1)]
        assert [a.reason for a in await repo.history(record_id)] == ["补充现场照片", "换成现场照片"]
        assert (await repo.get(record_id)).updated_at == LATER


async def test_refused_photo_amendments_change_nothing(session_factory):
    async with session_factory() as session, session.begin():
        branch_id = (await add_branch(session)).id
        record_id = (await add_record(session, branch_id, files=[photo(0)])).id
    on_record = new_photo(5, unique=photo(0)["telegram_file_unique_id"])
    for photos in ([], [on_record], [new_photo(6), new_photo(6)]):
        async with session_factory() as session:
            with pytest.raises(ValueError):
                await RecordRepository(session).amend_photos(
                    record_id, by=1001, at=LATER, reason="原因", photos=photos
                )
            await session.rollback()
    async with session_factory() as session, session.begin():
        await RecordRepository(session).withdraw(record_id, LATER)
    async with session_factory() as session:
        with pytest.raises(ValueError, match="withdrawn"):
            await RecordRepository(session).amend_photos(
                record_id, by=1001, at=LATER, reason="原因", photos=[new_photo(7)]
            )
    async with session_factory() as session:
        repo = RecordRepository(session)
        assert [f.sha256 for f in await repo.files(record_id)] == [photo(0)["sha256"]]
        assert await repo.history(record_id) == []
