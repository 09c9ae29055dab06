"""Application services: Telegram-free use cases that handlers call.

A service takes plain values, talks to ``knowledge`` and ``storage``, owns the transaction
(one ``AsyncSession`` per call) and returns plain results for a handler to render.
This package never imports ``telegram`` or ``aiohttp`` (a test proves it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from handlers.services.clock import Clock, SystemClock

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from handlers.services.branches import BranchService
    from handlers.services.form.service import FormService
    from handlers.services.qa import QAService
    from handlers.services.records import RecordService
    from knowledge import KnowledgeBase
    from storage.files import FileStore


@dataclass
class Services:
    """Everything handlers may use, built once at start-up by ``bot``."""

    kb: KnowledgeBase
    session_factory: async_sessionmaker[AsyncSession]
    clock: Clock = field(default_factory=SystemClock)
    admin_ids: frozenset[int] = frozenset()
    data_dir: Path = Path("./data")
    files: FileStore | None = None
    qa: QAService = field(init=False)
    branches: BranchService = field(init=False)
    forms: FormService = field(init=False)
    records: RecordService = field(init=False)

    def __post_init__(self) -> None:
        from handlers.services.branches import BranchService
        from handlers.services.form.service import FormService
        from handlers.services.qa import QAService
        from handlers.services.records import RecordService
        from storage.files import LocalFileStore

        if self.files is None:
            self.files = LocalFileStore(self.data_dir)
        self.qa = QAService(self.kb, self.session_factory, self.clock)
        self.branches = BranchService(self.session_factory, self.clock)
        self.forms = FormService(self.session_factory, self.clock, self.files)
        self.records = RecordService(self.session_factory, self.clock)
