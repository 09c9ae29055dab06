"""The webhook's update store: idempotent by update_id, processed once, recovered after a crash."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.services.updates import UpdateStore
from tests.services.supervision_world import make_world

UPDATE = {
    "update_id": 501,
    "message": {"message_id": 1, "text": "你好", "chat": {"id": 7, "type": "private"}},
}


async def test_the_same_update_twice_is_stored_and_processed_once(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)
    store = UpdateStore(world.factory, world.clock)
    assert await store.store_update(501, UPDATE) is True
    assert await store.store_update(501, UPDATE) is False  # Telegram posted it again
    assert await store.depth() == 1
    assert await store.claim_unprocessed() == []  # owned by this process until processed
    assert await store.mark_processed(501) is True
    assert await store.mark_processed(501) is False
    assert await store.store_update(501, UPDATE) is False  # even after processing
    assert await store.depth() == 0
    with pytest.raises(ValueError):
        await store.store_update(502, "{not json")


async def test_a_crash_between_storing_and_processing_is_recovered(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)
    crashed = UpdateStore(world.factory, world.clock, worker="old")
    assert await crashed.store_update(601, UPDATE)
    assert await crashed.store_update(600, '{"update_id": 600}')
    # The process dies here. On restart, the only webhook process takes them at once...
    restarted = UpdateStore(world.factory, world.clock, worker="new")
    claimed = await restarted.claim_unprocessed(force=True)
    assert [(u.update_id, u.payload["update_id"]) for u in claimed] == [(600, 600), (601, 501)]
    assert claimed[1].payload["message"]["text"] == "你好"
    # ... and another process would only once the lease has run out.
    other = UpdateStore(world.factory, world.clock, worker="other")
    assert await other.claim_unprocessed() == []
    world.clock.advance(timedelta(minutes=2))
    assert [u.update_id for u in await other.claim_unprocessed(limit=1)] == [600]
    for update in claimed:
        await restarted.mark_processed(update.update_id)
    assert await other.claim_unprocessed(force=True) == []


async def test_a_retry_of_an_abandoned_update_is_claimed(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)
    assert await UpdateStore(world.factory, world.clock, worker="a").store_update(700, UPDATE)
    second = UpdateStore(world.factory, world.clock, worker="b")
    assert await second.store_update(700, UPDATE) is False  # the first owner may still be at work
    world.clock.advance(timedelta(minutes=3))
    assert await second.store_update(700, UPDATE) is True  # its lease ran out: take it over
    await second.mark_processed(700)
    world.clock.advance(timedelta(days=8))
    assert await second.prune() == 1


async def test_polled_updates_are_remembered_once_processed(session_factory, tmp_path):
    """Long polling stores no payload: each processed id is recorded, whatever the order they finish in."""
    world = await make_world(session_factory, tmp_path)
    store = UpdateStore(world.factory, world.clock)
    await store.remember_processed(712)  # a later update of another chat finished first
    await store.remember_processed(710)
    await store.remember_processed(710)  # recorded once
    assert await store.latest_processed(10) == [710, 712]  # 711 (still running at a crash) is not among them
    assert await store.depth() == 0  # nothing for the webhook's recovery to process
    assert await store.store_update(712, UPDATE) is False  # the same id by the webhook: a duplicate
    assert await store.latest_processed(1) == [712]
    world.clock.advance(timedelta(days=8))
    assert await store.prune() == 2
