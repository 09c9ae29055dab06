"""The key-value rows behind the python-telegram-bot persistence, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from storage.models import PtbState
from storage.repositories import PtbStateRepository
from tests.storage.builders import LATER, T0


async def test_ptb_state_upsert_load_delete(session_factory):
    async with session_factory() as session, session.begin():
        repo = PtbStateRepository(session)
        assert await repo.load("user_data") == {}
        await repo.put("user_data", "42", {"lang": "zh", "名字": "张三"}, T0)
        await repo.put("user_data", "43", {"n": [1, [2, 3]]}, T0)
        await repo.put("chat_data", "42", {"other": True}, T0)
        await repo.put("conversations", "record", {"[42, 42]": 3}, T0)
        await repo.put("bot_data", "", None, T0)  # any JSON value, null included
        await repo.put("user_data", "42", {"lang": "en"}, LATER)  # replace

    async with session_factory() as session, session.begin():
        repo = PtbStateRepository(session)
        assert await repo.load("user_data") == {"42": {"lang": "en"}, "43": {"n": [1, [2, 3]]}}
        assert await repo.load("chat_data") == {"42": {"other": True}}
        assert await repo.load("bot_data") == {"": None}
        row = await session.get(PtbState, ("user_data", "42"))
        assert row is not None and row.updated_at == LATER
        assert await repo.delete("user_data", "42") is True
        assert await repo.delete("user_data", "42") is False
        with pytest.raises(TypeError):
            await repo.put("user_data", 42, {}, T0)  # type: ignore[arg-type]

    async with session_factory() as session:
        assert await PtbStateRepository(session).load("user_data") == {"43": {"n": [1, [2, 3]]}}
