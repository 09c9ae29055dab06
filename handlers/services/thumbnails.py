"""Thumbnails of evidence images: made once, when a record is stored, never on a page view.

A thumbnail is a JPEG at most ``THUMB_SIDE`` pixels on its longer side, stored in a file store of its own (``thumbs``:
derived data, kept apart from the evidence) under its own SHA-256 and linked from every ``record_files`` row of the
same image (``thumb_sha256``). An image Pillow cannot
decode (HEIC without a plugin, a damaged file, an image too large) gets no thumbnail, never an error:
``thumb_made_at`` is set all the same, so it is not tried again.
"""

from __future__ import annotations

import asyncio
import io
import logging
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.clock import Clock
from storage.files import THUMBNAIL_TYPE, FileStore
from storage.repositories.thumbnails import ThumbnailRepository

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

THUMB_SIDE = 320
THUMB_QUALITY = 80
MAX_PIXELS = (
    80_000_000  # a larger image is not decoded (a decompression bomb, or a panorama nobody needs small)
)


def make_thumbnail(data: bytes, side: int = THUMB_SIDE, quality: int = THUMB_QUALITY) -> bytes | None:
    """A JPEG of ``data`` at most ``side`` pixels wide and high, turned upright by its EXIF; ``None`` if the image
    cannot be decoded."""
    from PIL import Image, ImageOps  # Pillow only once a photo arrives (2.7 MB of an idle bot otherwise)

    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_PIXELS:
                return None
            img.draft("RGB", (side * 2, side * 2))  # JPEG: decode at a reduced scale, much faster
            upright = ImageOps.exif_transpose(img)
            upright.thumbnail((side, side), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            _flatten(upright).save(out, "JPEG", quality=quality, optimize=True)
            return out.getvalue()
    except Exception:  # whatever Pillow raises, there is just no thumbnail
        log.info("no thumbnail: the image could not be decoded", exc_info=True)
        return None


def _flatten(img: Image.Image) -> Image.Image:
    """RGB, with any transparency laid on white (JPEG has no alpha)."""
    from PIL import Image

    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")


class ThumbnailService:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        files: FileStore,
        thumbs: FileStore | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.files = files  # the evidence, read
        self.thumbs = thumbs if thumbs is not None else files  # where thumbnails are written

    async def for_record(self, record_id: int) -> int:
        """Make the thumbnails of a record's images (the hook run when a record is stored); how many were made."""
        async with self.session_factory() as session:
            pending = await ThumbnailRepository(session).pending(record_id)
        return await self._make(pending)

    async def backfill(self, limit: int = 200) -> int:
        """Make thumbnails of images never tried (records stored before thumbnails, or a crash in between)."""
        async with self.session_factory() as session:
            pending = await ThumbnailRepository(session).pending(limit=limit)
        return await self._make(pending)

    async def _make(self, pending: list[tuple[str, str]]) -> int:
        made = 0
        for sha256, _mime in pending:
            thumb = await self._thumbnail(sha256)
            async with self.session_factory() as session, session.begin():
                await ThumbnailRepository(session).set(sha256, thumb, self.clock.now())
            made += thumb is not None
        return made

    async def _thumbnail(self, sha256: str) -> str | None:
        try:
            data = await self.files.get(sha256)
        except FileNotFoundError:
            log.warning("no thumbnail: file %s is not in the store", sha256)
            return None
        small = await asyncio.to_thread(make_thumbnail, data)
        if small is None:
            return None
        return (await self.thumbs.put(small, THUMBNAIL_TYPE)).sha256
