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

    from handlers.services.auth import WebAuthService
    from handlers.services.branch_admin import BranchAdminService
    from handlers.services.branches import BranchService
    from handlers.services.browse import BrowseService
    from handlers.services.curation import CurationService, KnowledgeReloader
    from handlers.services.export import LedgerExporter
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
    from handlers.services.review import ReviewService
    from handlers.services.status import StatusService
    from handlers.services.supervision import SupervisionService
    from handlers.services.thumbnails import ThumbnailService
    from handlers.services.updates import UpdateStore
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
    # Where an administrator's .txt documents go (None: data_dir / "kb"); build the knowledge base from the same
    # folder at start-up (``KnowledgeBase.default(kb_dir=services.kb_folder)``) so they are cited after a restart.
    kb_dir: Path | None = None
    # Where thumbnails go (derived, remade at will): apart from the evidence, so the evidence store holds only what
    # users sent. None: ``<files root>/thumbnails`` for a local store, else ``data_dir / "thumbnails"``.
    thumbs: FileStore | None = None
    qa: QAService = field(init=False)
    branches: BranchService = field(init=False)
    branch_admin: BranchAdminService = field(init=False)  # unbind, rename, close and reopen (administrators)
    forms: FormService = field(init=False)
    records: RecordService = field(init=False)
    reminders: ReminderService = field(init=False)  # /reminders; mark_reachable(user_id) on /start
    planner: ReminderPlanner = field(init=False)  # plan(at), plan_preview(at)
    branch_import: BranchImporter = field(init=False)  # branchbot branch import FILE.csv
    # Supervision (issue 10): who sees what, review, the matrix, web login, webhook updates, curation, export.
    supervision: SupervisionService = field(init=False)
    review: ReviewService = field(init=False)
    browse: BrowseService = field(init=False)
    status: StatusService = field(init=False)
    auth: WebAuthService = field(init=False)
    updates: UpdateStore = field(init=False)
    curation: CurationService = field(init=False)
    thumbnails: ThumbnailService = field(init=False)
    ledger: LedgerExporter = field(init=False)
    kb_reloader: KnowledgeReloader = field(init=False)

    def __post_init__(self) -> None:
        from handlers.services.branch_admin import BranchAdminService
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
        self.branches = BranchService(self.session_factory, self.clock, self.admin_ids)
        self.branch_admin = BranchAdminService(self.session_factory, self.clock)
        self.forms = FormService(self.session_factory, self.clock, self.files)
        self.records = RecordService(self.session_factory, self.clock, self.admin_ids)
        if self.schedule is None:
            self.schedule = ScheduleConfig(tz=self.clock.tz)
        self.reminders = ReminderService(self.session_factory, self.clock, config=self.schedule)
        self.planner = ReminderPlanner(
            self.session_factory, self.clock, config=self.schedule, admin_ids=self.admin_ids
        )
        self.branch_import = BranchImporter(self.session_factory, self.clock)
        self._supervision_services()

    @property
    def kb_folder(self) -> Path:
        """The folder of the documents administrators add to the knowledge base."""
        return self.kb_dir if self.kb_dir is not None else self.data_dir / "kb"

    def _supervision_services(self) -> None:
        from handlers.services.auth import WebAuthService
        from handlers.services.browse import BrowseService
        from handlers.services.curation import CurationService, KnowledgeReloader
        from handlers.services.export import LedgerExporter
        from handlers.services.review import ReviewService
        from handlers.services.status import StatusService
        from handlers.services.supervision import SupervisionService
        from handlers.services.thumbnails import ThumbnailService
        from handlers.services.updates import UpdateStore
        from storage.files import LocalFileStore

        assert self.files is not None
        if self.thumbs is None:
            root = self.files.root if isinstance(self.files, LocalFileStore) else self.data_dir
            self.thumbs = LocalFileStore(root / "thumbnails")
        factory, clock, admins = self.session_factory, self.clock, self.admin_ids
        self.supervision = SupervisionService(factory, clock, admins)
        self.review = ReviewService(factory, clock, admins)
        self.browse = BrowseService(factory, clock, admins, self.files, self.thumbs)
        self.status = StatusService(factory, clock, admins)
        self.auth = WebAuthService(factory, clock, admins)
        self.updates = UpdateStore(factory, clock)
        self.curation = CurationService(factory, clock, admins, self.kb_folder, self.qa.answers_surely)
        self.thumbnails = ThumbnailService(factory, clock, self.files, self.thumbs)
        self.ledger = LedgerExporter(factory, clock, self.files, self.status)
        self.kb_reloader = KnowledgeReloader(self.kb_folder)
        self.forms.on_stored.append(self.thumbnails.for_record)

    def install_kb(self, kb: KnowledgeBase) -> None:
        """Swap in a rebuilt knowledge base (after ``curation.add_document``): new questions use it at once."""
        self.kb = kb
        self.qa.kb = kb

    async def reload_kb(self) -> KnowledgeBase:
        """Rebuild the knowledge base from the shipped speeches and ``kb_folder`` (in a worker thread), swap it in."""
        kb = await self.kb_reloader.rebuild()
        self.install_kb(kb)
        return kb

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
