"""修改会议记录 with a file: a scan or photo of the minutes (pages, one by one or as an album) or a PDF/Word
document replaces the record's minutes, as the form takes them (``form/intake``: the same checks and limits,
the same file store); the typed minutes, if any, are cleared. Like any amendment it needs a reason and puts a
returned (or passed) record back to review; a passed record of a closed period is refused (``amend_rules``).

A mixin of ``RecordService`` (``records`` is at the size limit): it uses the service's session factory, clock,
``_own_record`` and ``_resubmit``.
"""

from __future__ import annotations

import hashlib

from handlers.services.amend_rules import MAX_REASON, MIN_REASON, Amended, PhotoTaken, closed_note, photo_spec
from handlers.services.form.files import IncomingFile, check_file
from handlers.services.form.model import MAX_MINUTES_DOCS, MAX_MINUTES_PAGES
from storage.files import FileStore
from storage.repositories import RecordRepository

GONE = "这条记录已不能修改（已撤回，或不属于您的支部）。"
SAME_FILE = "这个文件（照片）已经收到过了，没有重复计算。"


def minutes_problem(taken: list[dict]) -> str | None:
    """Why ``taken`` (entries of :meth:`MinutesAmendments.take_minutes_file`) cannot be the new minutes yet."""
    if not taken:
        return "还没有收到新的会议记录。请先发送文件或照片，再点击“完成”。"
    return None


class MinutesAmendments:
    """``RecordService``'s amendments of the minutes by file (see the module's docstring)."""

    async def take_minutes_file(
        self, user_id: int, record_id: int, taken: list[dict], incoming: IncomingFile, store: FileStore
    ) -> PhotoTaken:
        """Check one file sent as the record's new minutes (``taken``: those already accepted) and store it.

        Refused, and never stored: not the user's active record (or closed), over 20 pages or 10 documents, a
        type the form does not take, too large, or a file already sent."""
        async with self.session_factory() as session:
            record = await self._own_record(session, user_id, record_id)
        if record is None or record.status != "active":
            return PhotoTaken(problem=GONE)
        if closed := closed_note(record, self.clock.now().date()):
            return PhotoTaken(problem=closed)
        if incoming.unique_id in {e.get("unique_id") for e in taken}:
            return PhotoTaken(problem=SAME_FILE)
        checked = check_file(incoming)
        if isinstance(checked, str):
            return PhotoTaken(problem=checked)
        if hashlib.sha256(incoming.data).hexdigest() in {e.get("sha256") for e in taken}:
            return PhotoTaken(problem=SAME_FILE)
        same_kind = [e for e in taken if bool(e.get("doc")) != checked.is_image]
        most = MAX_MINUTES_PAGES if checked.is_image else MAX_MINUTES_DOCS
        if len(same_kind) >= most:
            what = f"会议记录照片最多{most}页" if checked.is_image else f"会议记录文件最多{most}份"
            return PhotoTaken(problem=f"{what}，这个没有保存。请点击“完成”。")
        stored = await store.put(incoming.data, checked.type)
        entry = {
            "sha256": stored.sha256,
            "size": stored.size,
            "mime": stored.mime,
            "doc": not checked.is_image,
        }
        return PhotoTaken(entry | {"file_id": incoming.file_id, "unique_id": incoming.unique_id})

    async def amend_minutes_files(
        self, user_id: int, record_id: int, files: list[dict], reason: str, store: FileStore
    ) -> Amended:
        """Replace the record's minutes with ``files`` (entries from :meth:`take_minutes_file`), with a reason."""
        specs = [photo_spec(f) for f in files]
        if not specs or None in specs or len(reason.strip()) < MIN_REASON:
            return Amended("invalid")
        for spec in specs:
            if not await store.exists(spec["sha256"]):
                return Amended("invalid", problem="有文件没有保存成功，请重新发送会议记录。")
        async with self.session_factory() as session, session.begin():
            record = await self._amendable(session, user_id, record_id)
            if isinstance(record, Amended):
                return record
            amendment = await RecordRepository(session).amend_photos(
                record_id, by=user_id, at=self.clock.now(), reason=reason.strip()[:MAX_REASON], photos=specs,
                replace=True, role="minutes",
            )  # fmt: skip
            return await self._resubmit(session, record, user_id, amendment.id)
