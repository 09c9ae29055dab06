"""The review, supervision, login, update and thumbnail repositories: arguments checked, conditional updates."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest

from storage.repositories.reviews import ReviewRepository
from storage.repositories.supervisors import SupervisorRepository
from storage.repositories.thumbnails import ThumbnailRepository
from storage.repositories.updates import UpdateRepository
from storage.repositories.web_auth import LinkStatus, LoginLinkRepository, WebSessionRepository
from tests.storage.builders import LATER, T0, add_branch, add_record, photo


async def test_review_moves_are_conditional_and_kept(session_factory):
    async with session_factory() as session, session.begin():
        branch = await add_branch(session)
        record = await add_record(session, branch.id)
        reviews = ReviewRepository(session)
        assert record.review_state == "pending_review"
        event = await reviews.move(
            record.id, expected=["pending_review"], state="returned", action="returned", actor_id=9, at=T0,
            comment="补充照片",
        )  # fmt: skip
        assert event.state == "returned" and record.review_state == "returned"
        again = await reviews.move(
            record.id, expected=["pending_review"], state="passed", action="passed", actor_id=9, at=LATER
        )
        assert again is None
        with pytest.raises(ValueError):
            await reviews.move(
                record.id, expected=["pending_review"], state="lost", action="passed", actor_id=9, at=T0
            )
        with pytest.raises(ValueError):
            await reviews.move(
                record.id, expected=["returned"], state="passed", action="cheered", actor_id=9, at=T0
            )
        with pytest.raises(ValueError):
            await reviews.move(
                record.id,
                expected=["returned"],
                state="passed",
                action="passed",
                actor_id=9,
                at=datetime(2026, 1, 1),
            )  # noqa: DTZ001
        assert [e.comment for e in await reviews.events(record.id)] == ["补充照片"]
        assert (await reviews.last_return(record.id)).comment == "补充照片"
        assert (await reviews.last_events([record.id, 12345]))[record.id].action == "returned"


async def test_scopes(session_factory):
    async with session_factory() as session, session.begin():
        one, two = await add_branch(session), await add_branch(session, "第二支部")
        repo = SupervisorRepository(session)
        assert await repo.grant(5, [one.id, two.id], by=1, at=T0) == sorted([one.id, two.id])
        assert await repo.grant(5, [one.id], by=1, at=T0) == []
        assert await repo.supervisors_of(one.id) == [5]
        assert await repo.revoke(5, [two.id]) == 1
        assert await repo.branches_of(5) == {one.id}
        assert await repo.existing_branches([one.id, 999]) == {one.id}


async def test_login_links_and_sessions(session_factory):
    digest = hashlib.sha256(b"token").hexdigest()
    async with session_factory() as session, session.begin():
        links = LoginLinkRepository(session)
        with pytest.raises(ValueError):
            await links.add(token_hash="short", user_id=1, at=T0, expires_at=LATER)
        await links.add(token_hash=digest, user_id=1, at=T0, expires_at=T0 + timedelta(minutes=10))
        assert await links.redeem(hashlib.sha256(b"other").hexdigest(), T0) == (LinkStatus.FORGED, None)
        assert await links.redeem(digest, T0) == (LinkStatus.OK, 1)
        assert await links.redeem(digest, T0) == (LinkStatus.REUSED, 1)
        sessions = WebSessionRepository(session)
        await sessions.add(session_hash=digest, user_id=1, at=T0, expires_at=LATER)
        assert (await sessions.live(digest, T0)).user_id == 1
        assert await sessions.live(digest, LATER) is None
        assert await sessions.end_all(1, T0) == 1 and await sessions.live(digest, T0) is None


async def test_updates_insert_once(session_factory):
    async with session_factory() as session, session.begin():
        repo = UpdateRepository(session)
        assert await repo.insert(1, "{}", at=T0, worker="w", lease_until=LATER) is True
        assert await repo.insert(1, "{}", at=T0, worker="v", lease_until=LATER) is False
        assert await repo.claim(worker="v", at=T0, lease_until=LATER) == []
        assert [u.claimed_by for u in await repo.claim(worker="v", at=LATER, lease_until=LATER)] == ["v"]
        assert await repo.unprocessed_count() == 1


async def test_thumbnail_links(session_factory):
    async with session_factory() as session, session.begin():
        branch = await add_branch(session)
        record = await add_record(session, branch.id, files=[photo(0), photo(1)])
        repo = ThumbnailRepository(session)
        pending = await repo.pending(record.id)
        assert len(pending) == 2 and all(mime == "image/jpeg" for _, mime in pending)
        with pytest.raises(ValueError):
            await repo.set("nope", None, T0)
        assert await repo.set(pending[0][0], hashlib.sha256(b"t").hexdigest(), T0) == 1
        assert len(await repo.pending(record.id)) == 1
        found = await repo.file(record.files[0].id)
        assert found[1].id == record.id and await repo.file(99999) is None


async def test_a_new_telegram_file_id_is_kept_for_one_file_row(session_factory):
    async with session_factory() as session, session.begin():
        branch = await add_branch(session)
        record = await add_record(session, branch.id, files=[photo(0), photo(1)])
        first, second = record.files
        old_second = second.telegram_file_id
        repo = ThumbnailRepository(session)
        assert await repo.set_telegram_file_id(first.id, "AgACAgUAAxkBnew") == 1
        assert await repo.set_telegram_file_id(99999, "AgACAgUAAxkBnew") == 0
        for bad in ("", "x" * 256):
            with pytest.raises(ValueError):
                await repo.set_telegram_file_id(first.id, bad)
    async with session_factory() as session:
        found, _ = await ThumbnailRepository(session).file(first.id)
        other, _ = await ThumbnailRepository(session).file(second.id)
        assert found.telegram_file_id == "AgACAgUAAxkBnew" and other.telegram_file_id == old_second
