"""Scoped reads for the dashboard: the branches a user may see, a branch's page, an evidence file or thumbnail.

Each call re-reads the user's rights (``supervision.load_viewer``), so a supervisor asking for another district's
branch or photo gets ``None``, exactly as for something that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.branches import closed_on, secretary_of, secretary_warning
from handlers.services.clock import Clock
from handlers.services.form.display import record_number
from handlers.services.supervision import load_viewer
from knowledge.organisation import org_form_label, profile_warnings
from storage.files import FileStore
from storage.models import ActivityRecord, Branch, RecordFile
from storage.repositories import BranchRepository, RecordRepository
from storage.repositories.ledger import LedgerRepository
from storage.repositories.status import StatusRepository
from storage.repositories.thumbnails import ThumbnailRepository

BRANCH_PAGE_MONTHS = 12
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/heif": "heif",
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
# A file's role as its name says it, in the zip of the evidence and when downloaded (JL2026-000012-照片1.jpg);
# the ASCII codes only in the fallback name of a download (``filename=``, for a client that ignores ``filename*``).
ROLE_NAMES = {"photo": "照片", "minutes": "会议记录"}
THUMBNAIL_NAME = "缩略图"


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file of a record, addressed by ``file_id`` (the record_files row) for :meth:`BrowseService.file`."""

    file_id: int
    role: str  # photo | minutes
    position: int
    mime: str
    size: int
    has_thumbnail: bool
    number: int = 1  # its number among the record's files of its role, from 1 (照片1, 照片2…)


@dataclass(frozen=True, slots=True)
class RecordRow:
    record: ActivityRecord
    number: str
    photos: list[FileRef] = field(default_factory=list)
    minutes: list[FileRef] = field(default_factory=list)
    return_comment: str | None = None


@dataclass(frozen=True, slots=True)
class BranchPage:
    branch: Branch
    form_label: str
    warnings: list[str]  # the profile checks of knowledge.organisation (empty: conforms, or closed)
    records: list[RecordRow]  # the last 12 months' records (withdrawn ones included), newest first
    secretary: str | None = None  # the secretary's name (else user id), as /branches says; None: 尚无书记
    secretary_warning: str | None = None  # branches.UNREACHABLE when the bot cannot reach the secretary
    # the day it was closed (撤销), in the clock's zone; None: open. A closed branch owes nothing any more: its
    # page keeps the records but asks for no secretary and checks no profile
    closed: date | None = None


@dataclass(frozen=True, slots=True)
class FileBlob:
    data: bytes
    mime: str
    filename: str  # e.g. JL2026-000012-照片1.jpg, as in the zip of the evidence
    ascii_filename: str = ""  # e.g. JL2026-000012-photo1.jpg: the fallback ``filename=`` of a download


def numbered(rows: Iterable[RecordFile]) -> list[tuple[RecordFile, int]]:
    """Each file of one record with its number among the files of its role, from 1, in the order given (role,
    then position). The stored position counts all the evidence a form took (the minutes first), so it does not
    number the photos."""
    counts: dict[str, int] = {}
    out = []
    for row in rows:
        counts[row.role] = counts.get(row.role, 0) + 1
        out.append((row, counts[row.role]))
    return out


def file_refs(rows: Iterable[RecordFile], role: str) -> list[FileRef]:
    """The record's files of ``role``, numbered from 1."""
    return [file_ref(row, number) for row, number in numbered(rows) if row.role == role]


def file_ref(row: RecordFile, number: int = 1) -> FileRef:
    return FileRef(row.id, row.role, row.position, row.mime, row.size, row.thumb_sha256 is not None, number)


def file_name(
    record: ActivityRecord, row: RecordFile, number: int, thumbnail: bool = False, *, ascii_only: bool = False
) -> str:
    """The file's name: ``JL2026-000012-照片1.jpg`` (its thumbnail ``…-照片1-缩略图.jpg``), the same in the zip of
    the evidence; with ``ascii_only`` ``JL2026-000012-photo1.jpg`` (``…-photo1-thumb.jpg``)."""
    ext = "jpg" if thumbnail else EXTENSIONS.get(row.mime, "bin")
    role = row.role if ascii_only else ROLE_NAMES.get(row.role, row.role)
    suffix = ("-thumb" if ascii_only else f"-{THUMBNAIL_NAME}") if thumbnail else ""
    return f"{record_number(record.id, record.held_on)}-{role}{number}{suffix}.{ext}"


class BrowseService:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        admin_ids: frozenset[int],
        files: FileStore,
        thumbs: FileStore | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.admin_ids = admin_ids
        self.files = files
        self.thumbs = thumbs if thumbs is not None else files

    async def branches(self, user_id: int) -> list[Branch]:
        """The branches the user may see (all for an administrator), by id."""
        async with self.session_factory() as session:
            viewer = await load_viewer(session, user_id, self.admin_ids)
            if viewer.role == "none":
                return []
            return await StatusRepository(session).branches(viewer.branch_ids)

    async def branch_page(self, user_id: int, branch_id: int, since: date | None = None) -> BranchPage | None:
        """The branch's profile, rule checks and records since ``since`` (default: 12 months back)."""
        today = self.clock.now().date()
        since = since or date(today.year - 1, today.month, 1)
        async with self.session_factory() as session:
            viewer = await load_viewer(session, user_id, self.admin_ids)
            branch = await BranchRepository(session).get(branch_id)
            if branch is None or not viewer.can_view_branch(branch_id):
                return None
            records = await RecordRepository(session).list_for_branch(
                branch_id, since=since, include_withdrawn=True
            )
            ledger = LedgerRepository(session)
            files = await ledger.files_of(r.id for r in records)
            returned = (r.id for r in records if r.review_state == "returned" and r.status == "active")
            comments = await ledger.last_comments(returned)  # a withdrawn record has nothing to amend
        rows = [
            RecordRow(
                r,
                record_number(r.id, r.held_on),
                file_refs(files.get(r.id, []), "photo"),
                file_refs(files.get(r.id, []), "minutes"),
                comments.get(r.id),
            )
            for r in records
        ]
        closed = closed_on(branch, self.clock.tz)
        warnings = [] if closed else profile_warnings(branch.form, branch.formal_members, branch.units)
        return BranchPage(
            branch,
            org_form_label(branch.form),
            warnings,
            rows,
            secretary_of(branch),
            secretary_warning(branch),
            closed,
        )

    async def file(self, user_id: int, file_id: int, *, thumbnail: bool = False) -> FileBlob | None:
        """The evidence file (or its thumbnail, a JPEG) if the user may see its branch; ``None`` otherwise, or
        when the thumbnail was never made (HEIC that would not decode) or the bytes are missing."""
        async with self.session_factory() as session:
            viewer = await load_viewer(session, user_id, self.admin_ids)
            found = await ThumbnailRepository(session).file(file_id)
            if found is None or not viewer.can_view_branch(found[1].branch_id):
                return None
            row, record = found
            siblings = (await LedgerRepository(session).files_of([record.id])).get(record.id, [])
        number = next((n for f, n in numbered(siblings) if f.id == row.id), 1)
        sha = row.thumb_sha256 if thumbnail else row.sha256
        if sha is None:
            return None
        try:
            data = await (self.thumbs if thumbnail else self.files).get(sha)
        except FileNotFoundError:
            return None
        return FileBlob(
            data,
            "image/jpeg" if thumbnail else row.mime,
            file_name(record, row, number, thumbnail),
            file_name(record, row, number, thumbnail, ascii_only=True),
        )

    async def remember_file_id(self, user_id: int, file_id: int, telegram_file_id: str) -> bool:
        """Keep the file id Telegram gave a re-sent stored copy, so later views send it without uploading."""
        async with self.session_factory() as session, session.begin():
            viewer = await load_viewer(session, user_id, self.admin_ids)
            repo = ThumbnailRepository(session)
            found = await repo.file(file_id)
            if found is None or not viewer.can_view_branch(found[1].branch_id):
                return False
            return await repo.set_telegram_file_id(file_id, telegram_file_id) == 1
