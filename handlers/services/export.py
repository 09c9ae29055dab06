"""The ledger export (台账): an xlsx workbook and a zip of the evidence, streamed so memory stays flat.

The workbook (openpyxl, write-only: rows go to temporary files as they are appended) has a summary sheet (the
compliance matrix of ``handlers.services.status``) and one sheet per activity kind with a row per active record of
the period. Records are read in pages by keyset (branch, date, id), each page's rows written and then dropped from
the session. The zip lays the evidence out as ``branch/kind/date/`` and copies each file from the store in chunks;
images are stored as they are (``ZIP_STORED``: JPEGs do not shrink), documents deflated.

Which records: for a kind whose periods lie inside the view (a monthly kind in a quarter), those of its periods;
for a kind whose period is longer than the view (a yearly kind in a quarter), those of its period held by the
view's last day: exactly the records the summary counts for that slot (``handlers.services.status``), so a yearly
record held in March is listed in the ledger of Q3 that counts it done, and one held in December is in neither.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.browse import file_name, numbered
from handlers.services.clock import Clock
from handlers.services.periods import finer_or_equal, slots
from handlers.services.status import StatusService
from handlers.services.supervision import Viewer
from knowledge.activities import CATALOGUE, ActivityKind, Period
from storage.files import FileStore, local_path
from storage.models import ActivityRecord, Branch, RecordFile
from storage.repositories import BranchRepository
from storage.repositories.ledger import LedgerRepository
from storage.repositories.status import StatusRepository

if TYPE_CHECKING:
    from openpyxl import Workbook

PAGE = 500
Progress = Callable[[int, int], None]  # (records written, records in all)
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
# What a download of the export is named: 党支部活动台账-2026年第四季度.xlsx (the workbook's own title),
# 佐证材料-2026年11月.zip (as the dashboard's button says); the ASCII names (ledger-2026-Q4.xlsx) only as the
# fallback for a client that cannot read a UTF-8 file name.
EXPORT_NAMES = {"xlsx": ("党支部活动台账", "ledger"), "zip": ("佐证材料", "evidence")}


def export_file_name(view: Period, what: str, *, ascii_only: bool = False) -> str:
    """The name of the period's ledger (``what`` "xlsx") or evidence zip ("zip") as downloaded."""
    chinese, ascii_name = EXPORT_NAMES[what]
    return f"{ascii_name}-{view.code}.{what}" if ascii_only else f"{chinese}-{view.label}.{what}"


@dataclass(frozen=True, slots=True)
class ExportResult:
    period: Period
    records: int
    files: int  # evidence files written to the zip
    missing_files: list[str]  # zip paths whose bytes were not in the store (skipped)
    xlsx_path: Path
    zip_path: Path | None


@dataclass
class _Run:
    total: int
    progress: Progress | None
    zf: zipfile.ZipFile | None
    tz: tzinfo
    done: int = 0
    files: int = 0
    missing: list[str] = field(default_factory=list)


# Most file systems take at most 255 bytes a name; a branch's name may be 100 Chinese characters (300 bytes in
# UTF-8), which unzip then refused (helper-87's review).
PART_BYTES = 120


def path_part(text: str, limit: int = PART_BYTES) -> str:
    """A folder or file name without separators, control or reserved characters, cut to ``limit`` UTF-8 bytes
    on a character boundary."""
    part = _UNSAFE.sub("_", text).strip(" .")
    if len(part.encode()) > limit:
        part = part.encode()[:limit].decode(errors="ignore").rstrip(" .")
    return part or "_"


def evidence_paths(
    record: ActivityRecord, branch: Branch | None, kind: ActivityKind, files: list[RecordFile]
) -> list[tuple[RecordFile, str]]:
    """Each file of the record with its path in the zip: ``branch/kind/date/number-照片1.jpg``."""
    folder = "/".join(
        (
            path_part(f"{record.branch_id:03d}-{branch.name if branch else ''}"),
            path_part(kind.name),
            record.held_on.isoformat(),
        )
    )
    return [(f, f"{folder}/{file_name(record, f, n)}") for f, n in numbered(files)]


def _scope_ids(scope: Viewer | frozenset[int] | None) -> frozenset[int] | None:
    if isinstance(scope, Viewer):
        return scope.branch_ids
    return scope


def _copy_into(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> None:
    with path.open("rb") as src, zf.open(info, "w") as dst:
        shutil.copyfileobj(src, dst, 1024 * 1024)


def _plan(view: Period) -> list[tuple[ActivityKind, list[str], tuple[date, date] | None]]:
    """For each kind: its period codes in the view, and the dates a longer period is cut to (its start to the
    view's last day)."""
    plan = []
    for k in CATALOGUE:
        kind_slots = slots(k.cadence, view)
        held = None if finer_or_equal(k.cadence, view) else (kind_slots[0].start, view.end)
        plan.append((k, [s.code for s in kind_slots], held))
    return plan


class LedgerExporter:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        files: FileStore,
        status: StatusService,
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.files = files
        self.status = status

    async def export_ledger(
        self,
        period: str | Period,
        scope: Viewer | frozenset[int] | None,
        out_path_xlsx: Path | str,
        out_path_zip: Path | str | None = None,
        progress: Progress | None = None,
    ) -> ExportResult:
        """Write the ledger of ``period`` for ``scope`` (a viewer, branch ids, or ``None``: every branch).

        ``period``: ``2026-11``, ``2026-Q4`` or ``2026`` (``ValueError`` with a Chinese message otherwise).
        ``progress(done, total)`` is called after each page of records. The files appear complete or not at all
        (written beside, then renamed).
        """
        # openpyxl (and Pillow, which it loads) costs about 19 MB: only an export loads it, never start-up.
        from openpyxl import Workbook

        from handlers.services.export_sheets import summary_sheet

        view = self.status.view(period)
        branch_ids = _scope_ids(scope)
        matrix = await self.status.matrix_for(branch_ids, view)
        xlsx = Path(out_path_xlsx)
        zip_path = Path(out_path_zip) if out_path_zip is not None else None
        wb = Workbook(write_only=True)
        summary_sheet(wb, matrix)
        zf = zipfile.ZipFile(_part(zip_path), "w", allowZip64=True) if zip_path else None
        try:
            try:
                run = await self._write(wb, zf, view, branch_ids, progress)
                await asyncio.to_thread(wb.save, _part(xlsx))
            finally:
                if zf is not None:
                    zf.close()
            os.replace(_part(xlsx), xlsx)
            if zip_path is not None:
                os.replace(_part(zip_path), zip_path)
        except BaseException:
            for path in (xlsx, zip_path):
                if path is not None:
                    _part(path).unlink(missing_ok=True)
            raise
        return ExportResult(view, run.done, run.files, run.missing, xlsx, zip_path)

    async def _write(
        self,
        wb: Workbook,
        zf: zipfile.ZipFile | None,
        view: Period,
        branch_ids: frozenset[int] | None,
        progress: Progress | None,
    ) -> _Run:
        from handlers.services.export_sheets import kind_sheet

        plan = _plan(view)
        async with self.session_factory() as session:
            repo = LedgerRepository(session)
            branches = {b.id: b for b in await StatusRepository(session).branches(branch_ids)}
            total = 0
            for kind, codes, held in plan:
                total += await repo.count(kind.code, codes, branch_ids, held)
            run = _Run(total, progress, zf, self.clock.tz)
            if progress is not None:
                progress(0, total)
            for kind, codes, held in plan:
                ws = kind_sheet(wb, kind)
                await self._kind(session, ws, run, kind, codes, held, branch_ids, branches)
        return run

    async def _kind(
        self,
        session: AsyncSession,
        ws: Any,
        run: _Run,
        kind: ActivityKind,
        codes: list[str],
        held: tuple[date, date] | None,
        branch_ids: frozenset[int] | None,
        branches: dict[int, Branch],
    ) -> None:
        repo = LedgerRepository(session)
        after = None
        while page := await repo.page(kind.code, codes, branch_ids, after, PAGE, held):
            files = await repo.files_of(r.id for r in page)
            comments = await repo.last_comments(r.id for r in page if r.review_state == "returned")
            submitters = await BranchRepository(session).secretary_names(r.submitted_by for r in page)
            items = [
                (
                    r,
                    branches.get(r.branch_id),
                    evidence_paths(r, branches.get(r.branch_id), kind, files.get(r.id, [])),
                )
                for r in page
            ]
            # Serialising cells is CPU work: a worker thread does it, so the bot's event loop keeps answering.
            await asyncio.to_thread(_write_rows, ws, kind, items, comments, submitters, run.tz)
            evidence = [(row, path, record) for record, _, paths in items for row, path in paths]
            await self._add_files(run, evidence)
            last = page[-1]
            after = (last.branch_id, last.held_on, last.id)
            run.done += len(page)
            session.expunge_all()  # the page's rows are written: let them go
            if run.progress is not None:
                run.progress(run.done, run.total)

    async def _add_files(self, run: _Run, evidence: list[tuple[RecordFile, str, ActivityRecord]]) -> None:
        """Copy a page's evidence into the zip: files on the local disk in one worker-thread call, others one by one."""
        if run.zf is None:
            return
        local: list[tuple[zipfile.ZipInfo, Path, str]] = []
        for row, arcname, record in evidence:
            info = zipfile.ZipInfo(arcname, date_time=record.created_at.astimezone(run.tz).timetuple()[:6])
            info.compress_type = zipfile.ZIP_STORED if row.mime.startswith("image/") else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            path = local_path(self.files, row.sha256)
            if path is not None:
                local.append((info, path, arcname))
                continue
            try:
                data = await self.files.get(row.sha256)
            except FileNotFoundError:
                run.missing.append(arcname)
                continue
            await asyncio.to_thread(run.zf.writestr, info, data)
            run.files += 1
        if local:
            written, missing = await asyncio.to_thread(_copy_all, run.zf, local)
            run.files += written
            run.missing += missing


def _write_rows(
    ws: Any,
    kind: ActivityKind,
    items: list[tuple[ActivityRecord, Branch | None, list[tuple[RecordFile, str]]]],
    comments: dict[int, str],
    submitters: dict[int, str],
    tz: tzinfo,
) -> None:
    from handlers.services.export_sheets import RowFiles, record_row

    for record, branch, paths in items:
        names = RowFiles(
            [p for f, p in paths if f.role == "minutes"], [p for f, p in paths if f.role == "photo"]
        )
        comment, submitter = comments.get(record.id), submitters.get(record.submitted_by)
        ws.append(record_row(ws, kind, record, branch, names, comment, tz, submitter))


def _copy_all(zf: zipfile.ZipFile, files: list[tuple[zipfile.ZipInfo, Path, str]]) -> tuple[int, list[str]]:
    written, missing = 0, []
    for info, path, arcname in files:
        try:
            _copy_into(zf, info, path)
        except FileNotFoundError:
            missing.append(arcname)
            continue
        written += 1
    return written, missing


def _part(path: Path | None) -> Path:
    assert path is not None
    return path.with_name(path.name + ".part")
