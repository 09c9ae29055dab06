"""Evidence files (activity photos, minutes documents): type detection and a content-addressed store.

Files are recognised by their CONTENT, never by a name or a declared MIME type, and stored
under the SHA-256 of their bytes, so no user-supplied text ever reaches a path. The store sits
behind the small :class:`FileStore` protocol so that an S3-compatible store can replace
:class:`LocalFileStore` later.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, TypeGuard, runtime_checkable

import filetype

MAX_FILE_BYTES = 20 * 1024 * 1024  # Telegram bots cannot download larger files anyway

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The directory entry of the stream every Word 97-2003 file has, in UTF-16LE.
_WORD_STREAM_NAME = "WordDocument".encode("utf-16-le")

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC_MIME = "application/msword"

# mime -> extension, for what ``filetype`` recognises and we accept.
_IMAGES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic"}
# ISO-BMFF major brands of HEIF images that ``filetype`` does not report as HEIC.
_HEIF_BRANDS = {b"mif1", b"msf1", b"heix", b"heim", b"heis", b"hevc", b"hevx"}

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def is_sha256(value: object) -> TypeGuard[str]:
    """Whether ``value`` is a SHA-256 hex digest: exactly 64 lowercase hex digits."""
    return isinstance(value, str) and _SHA256_HEX.fullmatch(value) is not None


class FileTooLarge(ValueError):
    """The file exceeds the size limit."""

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        self.message = f"file is {size} bytes, the limit is {limit} bytes"
        super().__init__(self.message)


class UnsupportedFileType(ValueError):
    """The content is not one of the accepted image or document types.

    ``detected`` is what the content looks like (a MIME type), or ``None`` if unrecognised.
    """

    def __init__(self, detected: str | None, reason: str | None = None) -> None:
        self.detected = detected
        self.message = reason or (
            f"unsupported file type {detected}" if detected else "unrecognised file type"
        )
        super().__init__(self.message)


@dataclass(frozen=True, slots=True)
class FileType:
    role_hint: Literal["image", "document"]
    mime: str
    extension: str


@dataclass(frozen=True, slots=True)
class StoredFile:
    sha256: str
    size: int
    mime: str
    extension: str


def _is_docx(data: bytes) -> bool:
    """A real OOXML word-processing package: a zip with ``[Content_Types].xml`` and ``word/`` parts."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return "[Content_Types].xml" in names and any(name.startswith("word/") for name in names)


def _heif_brand(data: bytes) -> bool:
    """An ISO-BMFF file whose ``ftyp`` major brand is a HEIF image brand."""
    return len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS


def detect_type(data: bytes) -> FileType:
    """What ``data`` is, judged by its content only.

    Images: JPEG, PNG, WebP, HEIC/HEIF. Documents: PDF, DOCX (verified as a zip holding
    ``word/`` parts: any other zip is refused), DOC (an OLE2 compound file with a
    ``WordDocument`` stream: other OLE2 files such as XLS or MSI are refused). Anything else
    raises :class:`UnsupportedFileType`.
    """
    data = bytes(data)
    if not data:
        raise UnsupportedFileType(None, "the file is empty")
    if data.startswith(OLE2_MAGIC):
        if _WORD_STREAM_NAME in data or filetype.guess_mime(data) == DOC_MIME:
            return FileType("document", DOC_MIME, "doc")
        raise UnsupportedFileType(filetype.guess_mime(data) or "application/x-ole-storage")
    mime = filetype.guess_mime(data)
    if mime in _IMAGES:
        return FileType("image", mime, _IMAGES[mime])
    if mime is None and _heif_brand(data):
        return FileType("image", "image/heif", "heif")
    if mime == "application/pdf":
        return FileType("document", mime, "pdf")
    if data.startswith(b"PK") and mime in (DOCX_MIME, "application/zip"):
        if _is_docx(data):
            return FileType("document", DOCX_MIME, "docx")
        raise UnsupportedFileType(mime, "a zip archive that is not a Word (.docx) document")
    raise UnsupportedFileType(mime)


# Thumbnails (``handlers/services/thumbnails.py``) are JPEGs stored like any file, under their own SHA-256.
THUMBNAIL_TYPE = FileType("image", "image/jpeg", "jpg")


def _check_sha256(sha256: object) -> str:
    if not is_sha256(sha256):
        raise ValueError(f"not a SHA-256 hex digest (64 lowercase hex digits): {sha256!r}")
    return sha256


@runtime_checkable
class FileStore(Protocol):
    """Content-addressed storage of evidence files."""

    async def put(self, data: bytes, file_type: FileType | None = None) -> StoredFile:
        """Check size and type, store ``data`` under its SHA-256 (idempotent), describe it.

        ``file_type``: the type a caller already detected with :func:`detect_type` (not detected again).
        Raises :class:`FileTooLarge` or :class:`UnsupportedFileType`.
        """
        ...

    async def get(self, sha256: str) -> bytes:
        """The stored bytes; :class:`FileNotFoundError` if absent."""
        ...

    async def exists(self, sha256: str) -> bool: ...

    async def delete(self, sha256: str) -> None:
        """Remove the file (no error if it is absent)."""
        ...


class LocalFileStore:
    """A :class:`FileStore` on the local disk: ``root/objects/<sha[:2]>/<sha256>``.

    Writes go to a temporary file in the target folder, are fsynced and then renamed into
    place (``os.replace``), so a reader never sees a partial file; storing the same content
    again does nothing. Disk I/O runs in worker threads. ``max_bytes`` defaults to
    :data:`MAX_FILE_BYTES` (read at each call).
    """

    def __init__(self, root: Path | str, *, max_bytes: int | None = None) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes

    def path_for(self, sha256: str) -> Path:
        """Where the file with this digest lives (the digest is validated first)."""
        sha256 = _check_sha256(sha256)
        return self.root / "objects" / sha256[:2] / sha256

    async def put(self, data: bytes, file_type: FileType | None = None) -> StoredFile:
        data = bytes(data)
        limit = MAX_FILE_BYTES if self.max_bytes is None else self.max_bytes
        if len(data) > limit:
            raise FileTooLarge(len(data), limit)
        kind = file_type or detect_type(data)
        sha256 = hashlib.sha256(data).hexdigest()
        await asyncio.to_thread(self._write, self.path_for(sha256), data)
        return StoredFile(sha256=sha256, size=len(data), mime=kind.mime, extension=kind.extension)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        if path.is_file() and path.stat().st_size == len(data):
            return  # content-addressed: same name, same bytes
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as tmp:
                tmp.write(data)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.replace(tmp_name, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise
        _fsync_dir(path.parent)

    async def get(self, sha256: str) -> bytes:
        return await asyncio.to_thread(self.path_for(sha256).read_bytes)

    async def exists(self, sha256: str) -> bool:
        return await asyncio.to_thread(self.path_for(sha256).is_file)

    async def delete(self, sha256: str) -> None:
        await asyncio.to_thread(self.path_for(sha256).unlink, missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    """Persist a rename in ``folder`` (a no-op where directories cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def local_path(store: FileStore, sha256: str) -> Path | None:
    """Where a local store keeps the file (so large files can be streamed from disk); ``None`` for other stores."""
    path_for = getattr(store, "path_for", None)
    return path_for(sha256) if callable(path_for) else None
