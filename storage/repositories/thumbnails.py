"""Which evidence images still need a thumbnail, and where each thumbnail is."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.files import is_sha256
from storage.models import ActivityRecord, RecordFile
from storage.repositories._checks import _require_aware


class ThumbnailRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def pending(self, record_id: int | None = None, limit: int = 200) -> list[tuple[str, str]]:
        """``(sha256, mime)`` of images (``image/*``) never tried yet, of one record or of any, distinct."""
        stmt = (
            select(RecordFile.sha256, RecordFile.mime)
            .where(RecordFile.thumb_made_at.is_(None), RecordFile.mime.like("image/%"))
            .group_by(RecordFile.sha256, RecordFile.mime)
            .order_by(RecordFile.sha256)
            .limit(limit)
        )
        if record_id is not None:
            stmt = stmt.where(RecordFile.record_id == record_id)
        return [(sha, mime) for sha, mime in await self.session.execute(stmt)]

    async def set(self, sha256: str, thumb_sha256: str | None, at: datetime) -> int:
        """Link every file row of ``sha256`` to its thumbnail (``None``: none could be made); returns rows."""
        _require_aware("at", at)
        if not is_sha256(sha256) or (thumb_sha256 is not None and not is_sha256(thumb_sha256)):
            raise ValueError("sha256 and thumb_sha256 must be SHA-256 hex digests")
        stmt = (
            update(RecordFile)
            .where(RecordFile.sha256 == sha256)
            .values(thumb_sha256=thumb_sha256, thumb_made_at=at)
        )
        return int((await self.session.execute(stmt)).rowcount or 0)

    async def file(self, file_id: int) -> tuple[RecordFile, ActivityRecord] | None:
        """A file row with its record (for a scoped download)."""
        stmt = (
            select(RecordFile, ActivityRecord)
            .join(ActivityRecord, ActivityRecord.id == RecordFile.record_id)
            .where(RecordFile.id == file_id)
        )
        row = (await self.session.execute(stmt)).first()
        return (row[0], row[1]) if row else None

    async def set_telegram_file_id(self, file_id: int, telegram_file_id: str) -> int:
        """The file id Telegram gave when the stored copy was sent again (the old one no longer works)."""
        if not telegram_file_id or len(telegram_file_id) > 255:
            raise ValueError("telegram_file_id must be 1-255 characters")
        stmt = update(RecordFile).where(RecordFile.id == file_id).values(telegram_file_id=telegram_file_id)
        return int((await self.session.execute(stmt)).rowcount or 0)
