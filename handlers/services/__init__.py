"""Application services: Telegram-free use cases that handlers call.

A service takes plain values, talks to ``knowledge`` and ``storage``, owns the transaction
(one ``AsyncSession`` per call) and returns plain results for a handler to render.
This package never imports ``telegram``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from handlers.services.clock import Clock, SystemClock

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from handlers.services.qa import QAService
    from knowledge import KnowledgeBase


@dataclass
class Services:
    """Everything handlers may use, built once at start-up by ``bot``."""

    kb: KnowledgeBase
    session_factory: async_sessionmaker[AsyncSession]
    clock: Clock = field(default_factory=SystemClock)
    admin_ids: frozenset[int] = frozenset()
    data_dir: Path = Path("./data")
    qa: QAService = field(init=False)

    def __post_init__(self) -> None:
        from handlers.services.qa import QAService

        self.qa = QAService(self.kb, self.session_factory, self.clock)
