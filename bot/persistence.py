"""PTB persistence in our own database (async SQLAlchemy), over ``storage``'s ``ptb_state`` table.

ptbcontrib's SQLAlchemy persistence pins SQLAlchemy 1.4, so this is our own. It keeps ``user_data`` and
``chat_data`` (short follow-up inputs live there) and conversation states, as JSON. ``bot_data`` holds the
application's services and is not persisted; arbitrary callback data is not used.

When is it written? PTB writes changed ``user_data`` every ``update_interval`` (5 s) and at shutdown; the
short follow-up inputs that must survive a crash (``handlers/tg/pending.py``: a value asked for, a half-done
/newbranch) call ``update_user_data`` themselves on every change. Form drafts live in their own table.
"""

from __future__ import annotations

import json
from copy import deepcopy
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import BasePersistence, PersistenceInput

from handlers.services.clock import Clock
from storage.repositories import PtbStateRepository

USER, CHAT, CONVERSATION = "user_data", "chat_data", "conversation"


class SQLAlchemyPersistence(BasePersistence[dict, dict, dict]):
    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], clock: Clock, *, update_interval: float = 5
    ) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=True, user_data=True, callback_data=False),
            update_interval=update_interval,
        )
        self.session_factory = session_factory
        self.clock = clock

    async def _load(self, kind: str) -> dict[str, Any]:
        async with self.session_factory() as session:
            return await PtbStateRepository(session).load(kind)

    async def _put(self, kind: str, key: str, data: Any) -> None:
        async with self.session_factory() as session, session.begin():
            await PtbStateRepository(session).put(kind, key, data, self.clock.now())

    async def _delete(self, kind: str, key: str) -> None:
        async with self.session_factory() as session, session.begin():
            await PtbStateRepository(session).delete(kind, key)

    # -- user and chat data ---------------------------------------------------------------------------------

    async def get_user_data(self) -> dict[int, dict]:
        return {int(k): dict(v) for k, v in (await self._load(USER)).items()}

    async def update_user_data(self, user_id: int, data: dict) -> None:
        await self._put(USER, str(user_id), deepcopy(data))

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        """Nothing to refresh: this process is the only writer of this data."""

    async def drop_user_data(self, user_id: int) -> None:
        await self._delete(USER, str(user_id))

    async def get_chat_data(self) -> dict[int, dict]:
        return {int(k): dict(v) for k, v in (await self._load(CHAT)).items()}

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        await self._put(CHAT, str(chat_id), deepcopy(data))

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        """Nothing to refresh: this process is the only writer of this data."""

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._delete(CHAT, str(chat_id))

    # -- bot data and callback data: not persisted ----------------------------------------------------------

    async def get_bot_data(self) -> dict:
        return {}

    async def update_bot_data(self, data: dict) -> None:
        """bot_data holds live services, not state."""

    async def refresh_bot_data(self, bot_data: dict) -> None:
        """bot_data holds live services, not state."""

    async def get_callback_data(self) -> None:
        return None

    async def update_callback_data(self, data: object) -> None:
        """Arbitrary callback data is not used."""

    # -- conversations --------------------------------------------------------------------------------------

    async def get_conversations(self, name: str) -> dict[tuple, object]:
        stored = (await self._load(CONVERSATION)).get(name, {})
        return {tuple(json.loads(key)): state for key, state in stored.items()}

    async def update_conversation(self, name: str, key: tuple, new_state: object | None) -> None:
        async with self.session_factory() as session, session.begin():
            repo = PtbStateRepository(session)
            states = dict((await repo.load(CONVERSATION)).get(name, {}))
            if new_state is None:
                states.pop(json.dumps(list(key)), None)
            else:
                states[json.dumps(list(key))] = new_state
            await repo.put(CONVERSATION, name, states, self.clock.now())

    async def flush(self) -> None:
        """Nothing is buffered here: PTB calls ``update_*`` for each changed entry (every ``update_interval`` s and
        at shutdown), and follow-up inputs write through at once (``handlers.tg.pending``)."""
