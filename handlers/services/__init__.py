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
    from handlers.services.reminders import (
        BranchImporter,
        Messenger,
        ReminderPlanner,
        ReminderSender,
        ReminderService,
        SenderOptions,
    )
    from knowledge import KnowledgeBase
    from knowledge.schedule import ScheduleConfig
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
    # The reminders' schedule; default: 09:00, yearly on 1 December, in the clock's zone.
    schedule: ScheduleConfig | None = None
    qa: QAService = field(init=False)
    branches: BranchService = field(init=False)
    forms: FormService = field(init=False)
    records: RecordService = field(init=False)
    reminders: ReminderService = field(init=False)  # /reminders; mark_reachable(user_id) on /start
    planner: ReminderPlanner = field(init=False)  # plan(at), plan_preview(at)
    branch_import: BranchImporter = field(init=False)  # branchbot branch import FILE.csv

    def __post_init__(self) -> None:
        from handlers.services.branches import BranchService
        from handlers.services.form.service import FormService
        from handlers.services.qa import QAService
        from handlers.services.records import RecordService
        from handlers.services.reminders import BranchImporter, ReminderPlanner, ReminderService
        from knowledge.schedule import ScheduleConfig
        from storage.files import LocalFileStore

        if self.files is None:
            self.files = LocalFileStore(self.data_dir)
        self.qa = QAService(self.kb, self.session_factory, self.clock)
        self.branches = BranchService(self.session_factory, self.clock)
        self.forms = FormService(self.session_factory, self.clock, self.files)
        self.records = RecordService(self.session_factory, self.clock)
        if self.schedule is None:
            self.schedule = ScheduleConfig(tz=self.clock.tz)
        self.reminders = ReminderService(self.session_factory, self.clock, config=self.schedule)
        self.planner = ReminderPlanner(
            self.session_factory, self.clock, config=self.schedule, admin_ids=self.admin_ids
        )
        self.branch_import = BranchImporter(self.session_factory, self.clock)

    def reminder_sender(
        self,
        messenger: Messenger,
        *,
        options: SenderOptions | None = None,
        worker_id: str | None = None,
    ) -> ReminderSender:
        """A sender over these services' database, clock and schedule, delivering through ``messenger``."""
        from handlers.services.reminders import ReminderSender

        return ReminderSender(
            self.session_factory,
            self.clock,
            messenger,
            config=self.schedule,
            options=options,
            worker_id=worker_id,
        )
