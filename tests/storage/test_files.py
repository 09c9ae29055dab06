"""Evidence file type detection and the local content-addressed store (no database)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

import storage.files as files_module
from storage.files import (
    DOC_MIME,
    DOCX_MIME,
    OLE2_MAGIC,
    FileStore,
    FileTooLarge,
    FileType,
    LocalFileStore,
    StoredFile,
    UnsupportedFileType,
    detect_type,
)


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def make_png(width: int = 1, height: int = 1) -> bytes:
    """A valid, minimal RGB PNG."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(raw))
        + _png_chunk(b"IEND", b"")
    )


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"
WEBP_BODY = b"WEBPVP8 " + struct.pack("<I", 10) + b"\x00" * 10
WEBP = b"RIFF" + struct.pack("<I", len(WEBP_BODY)) + WEBP_BODY
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = b"ftyp" + major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return struct.pack(">I", len(body) + 4) + body + b"\x00" * 16


HEIC = _ftyp(b"heic", b"mif1", b"heic")
HEIF = _ftyp(b"mif1", b"mif1", b"miaf")


def make_zip(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return buffer.getvalue()


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)
DOCX = make_zip(
    {
        "[Content_Types].xml": CONTENT_TYPES,
        "word/document.xml": "<w:document><w:body><w:p>会议记录</w:p></w:body></w:document>",
    }
)


def make_ole2(stream_name: str | None) -> bytes:
    """OLE2 magic, a header sector, and a directory sector naming ``stream_name`` (UTF-16LE)."""
    header = OLE2_MAGIC + b"\x00" * (512 - len(OLE2_MAGIC))
    directory = bytearray(512)
    if stream_name is not None:
        encoded = stream_name.encode("utf-16-le") + b"\x00\x00"
        directory[: len(encoded)] = encoded
    return header + bytes(directory)


DOC = make_ole2("WordDocument")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (JPEG, FileType("image", "image/jpeg", "jpg")),
        (make_png(), FileType("image", "image/png", "png")),
        (WEBP, FileType("image", "image/webp", "webp")),
        (HEIC, FileType("image", "image/heic", "heic")),
        (HEIF, FileType("image", "image/heif", "heif")),
        (PDF, FileType("document", "application/pdf", "pdf")),
        (DOCX, FileType("document", DOCX_MIME, "docx")),
        (DOC, FileType("document", DOC_MIME, "doc")),
    ],
    ids=["jpeg", "png", "webp", "heic", "heif", "pdf", "docx", "doc"],
)
def test_detect_supported_types(data, expected):
    assert detect_type(data) == expected


def test_png_sample_is_a_real_png():
    png = make_png(2, 3)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (2, 3)


def test_docx_detection_does_not_depend_on_entry_order():
    """Word writes [Content_Types].xml first, other tools put word/ parts later in the archive."""
    docx = make_zip(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": "<Relationships/>",
            "docProps/app.xml": "<Properties/>",
            "docProps/core.xml": "<cp:coreProperties/>",
            "customXml/item1.xml": "<x/>",
            "word/document.xml": "<w:document/>",
        }
    )
    assert detect_type(docx).extension == "docx"


def test_text_named_jpg_is_rejected(tmp_path):
    """Names mean nothing: a text file called photo.jpg is not an image."""
    path = tmp_path / "photo.jpg"
    path.write_text("这不是照片，只是文字。", encoding="utf-8")
    with pytest.raises(UnsupportedFileType) as info:
        detect_type(path.read_bytes())
    assert info.value.detected is None
    assert info.value.message


@pytest.mark.parametrize(
    "entries",
    [
        {"notes.txt": "hello", "images/a.txt": "x"},
        {"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": "<workbook/>"},
        {"word/document.xml": "<w:document/>"},  # word/ but not an OOXML package
    ],
    ids=["plain-zip", "xlsx", "no-content-types"],
)
def test_zip_that_is_not_docx_is_rejected(entries):
    with pytest.raises(UnsupportedFileType, match="zip|unsupported"):
        detect_type(make_zip(entries))


def test_ole2_without_word_stream_is_rejected():
    with pytest.raises(UnsupportedFileType):
        detect_type(make_ole2("Workbook"))


def test_truncated_docx_is_rejected():
    with pytest.raises(UnsupportedFileType):
        detect_type(DOCX[:40])


@pytest.mark.parametrize(
    "data",
    [b"", b"GIF89a" + b"\x00" * 20, b"MZ" + b"\x00" * 64, b"<html><body>hi</body></html>"],
    ids=["empty", "gif", "exe", "html"],
)
def test_other_content_is_rejected(data):
    with pytest.raises(UnsupportedFileType):
        detect_type(data)


# --- LocalFileStore ---------------------------------------------------------------------------------


def _object_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "objects").rglob("*") if p.is_file())


def test_local_store_satisfies_protocol(tmp_path):
    assert isinstance(LocalFileStore(tmp_path), FileStore)


async def test_put_get_round_trip(tmp_path):
    store = LocalFileStore(tmp_path)
    png = make_png(4, 4)
    stored = await store.put(png)
    sha = hashlib.sha256(png).hexdigest()
    assert stored == StoredFile(sha256=sha, size=len(png), mime="image/png", extension="png")
    assert await store.exists(sha)
    assert await store.get(sha) == png
    # Laid out by digest only: objects/<sha[:2]>/<sha>, no extension, no user-supplied name.
    assert _object_files(tmp_path) == [tmp_path / "objects" / sha[:2] / sha]


async def test_same_content_twice_is_one_file(tmp_path):
    store = LocalFileStore(tmp_path)
    first = await store.put(PDF)
    second = await store.put(PDF)
    assert first == second
    assert len(_object_files(tmp_path)) == 1
    # Concurrent puts of identical content also end with one complete file and no temp files.
    results = await asyncio.gather(*(store.put(JPEG) for _ in range(5)))
    assert len({r.sha256 for r in results}) == 1
    files = _object_files(tmp_path)
    assert len(files) == 2
    assert not [p for p in files if p.name.startswith(".tmp-")]
    assert await store.get(results[0].sha256) == JPEG


async def test_too_large_is_rejected_before_writing(tmp_path, monkeypatch):
    monkeypatch.setattr(files_module, "MAX_FILE_BYTES", 64)
    store = LocalFileStore(tmp_path)
    big = make_png(16, 16)
    assert len(big) > 64
    with pytest.raises(FileTooLarge) as info:
        await store.put(big)
    assert (info.value.size, info.value.limit) == (len(big), 64)
    assert "limit" in info.value.message
    assert not (tmp_path / "objects").exists()
    # At the limit it is fine.
    assert (await store.put(JPEG)).size == len(JPEG) <= 64


async def test_explicit_limit(tmp_path):
    store = LocalFileStore(tmp_path, max_bytes=10)
    with pytest.raises(FileTooLarge):
        await store.put(JPEG)


def test_default_limit_is_20_mib():
    assert files_module.MAX_FILE_BYTES == 20 * 1024 * 1024


async def test_unsupported_content_is_not_stored(tmp_path):
    store = LocalFileStore(tmp_path)
    with pytest.raises(UnsupportedFileType):
        await store.put(b"just some text, whatever the name")
    assert not (tmp_path / "objects").exists()


@pytest.mark.parametrize(
    "bad",
    [
        "../../etc/passwd",
        "../" + "a" * 61,
        "a" * 63,
        "a" * 65,
        "A" * 64,
        "g" * 64,
        "/" + "a" * 63,
        "aa/" + "a" * 61,
        "",
    ],
)
async def test_invalid_sha_rejected(tmp_path, bad):
    store = LocalFileStore(tmp_path)
    for call in (store.get, store.exists, store.delete):
        with pytest.raises(ValueError, match="SHA-256"):
            await call(bad)


async def test_missing_and_delete(tmp_path):
    store = LocalFileStore(tmp_path)
    sha = hashlib.sha256(b"nothing").hexdigest()
    assert not await store.exists(sha)
    with pytest.raises(FileNotFoundError):
        await store.get(sha)
    await store.delete(sha)  # absent: no error

    stored = await store.put(DOC)
    assert await store.exists(stored.sha256)
    await store.delete(stored.sha256)
    assert not await store.exists(stored.sha256)
    assert _object_files(tmp_path) == []
