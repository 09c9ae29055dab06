"""The record each user is filling in, on SQLite and PostgreSQL."""

from __future__ import annotations

from storage.repositories import DraftRepository
from tests.storage.builders import LATER, T0, add_branch


async def test_draft_save_update_delete(session_factory):
    async with session_factory() as session, session.begin():
        branch_id = (await add_branch(session)).id
        other_branch = (await add_branch(session, "other")).id
        repo = DraftRepository(session)
        assert await repo.get(7) is None
        data = {"kind": "theme_day", "topic": "学习", "photos": [{"file_id": "x", "pos": 0}]}
        draft = await repo.save(user_id=7, branch_id=branch_id, step="topic", data=data, at=T0)
        assert (draft.step, draft.data, draft.created_at, draft.updated_at) == ("topic", data, T0, T0)
        data["topic"] = "mutated after save"  # the caller's dict is not the stored one

    async with session_factory() as session, session.begin():
        repo = DraftRepository(session)
        loaded = await repo.get(7)
        assert loaded is not None and loaded.data["topic"] == "学习"
        # Typical handler flow: read, change a copy, save again.
        new_data = {
            **loaded.data,
            "held_on": "2026-11-02",
            "photos": [*loaded.data["photos"], {"file_id": "y"}],
        }
        updated = await repo.save(user_id=7, branch_id=other_branch, step="photos", data=new_data, at=LATER)
        assert updated.id == loaded.id
        assert (updated.step, updated.branch_id, updated.created_at, updated.updated_at) == (
            "photos",
            other_branch,
            T0,
            LATER,
        )
        assert loaded.data == new_data  # the identity-map copy is refreshed
        await repo.save(user_id=8, branch_id=branch_id, step="kind", data={}, at=LATER)

    async with session_factory() as session, session.begin():
        repo = DraftRepository(session)
        got = await repo.get(7)
        assert got is not None
        assert got.data == {
            "kind": "theme_day",
            "topic": "学习",
            "photos": [{"file_id": "x", "pos": 0}, {"file_id": "y"}],
            "held_on": "2026-11-02",
        }
        assert (got.step, got.created_at, got.updated_at) == ("photos", T0, LATER)
        assert await repo.delete(7) is True
        assert await repo.delete(7) is False
        assert await repo.get(7) is None

    async with session_factory() as session:
        assert await DraftRepository(session).get(7) is None
        assert (await DraftRepository(session).get(8)).step == "kind"


async def test_draft_after_in_place_mutation_is_still_saved(session_factory):
    """Mutating a loaded draft's dict in place and passing it back to save() does persist."""
    async with session_factory() as session, session.begin():
        branch_id = (await add_branch(session)).id
        await DraftRepository(session).save(user_id=1, branch_id=branch_id, step="a", data={"n": 1}, at=T0)
    async with session_factory() as session, session.begin():
        repo = DraftRepository(session)
        draft = await repo.get(1)
        assert draft is not None
        draft.data["n"] = 2
        await repo.save(user_id=1, branch_id=branch_id, step="a", data=draft.data, at=LATER)
    async with session_factory() as session:
        assert (await DraftRepository(session).get(1)).data == {"n": 2}
