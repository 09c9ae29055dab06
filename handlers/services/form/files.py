"""A file sent to the form: checked once, into one typed value, before any transaction."""

from __future__ import annotations

from dataclasses import dataclass

from storage.files import MAX_FILE_BYTES, FileType, UnsupportedFileType, detect_type

TOO_LARGE = "文件超过 20MB，无法保存。请压缩后再发送（照片可直接用“照片”方式发送）。"
UNSUPPORTED = "不支持这种文件。照片请发送 JPG/PNG/WEBP/HEIC，会议记录请发送 PDF 或 Word（doc/docx）文件。"


@dataclass(frozen=True, slots=True)
class IncomingFile:
    """A file the user sent, already downloaded by the adapter."""

    file_id: str
    unique_id: str
    data: bytes
    media_group_id: str | None = None


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """An incoming file whose size and content type were checked."""

    incoming: IncomingFile
    type: FileType

    @property
    def is_image(self) -> bool:
        return self.type.role_hint == "image"


def check_file(incoming: IncomingFile) -> CheckedFile | str:
    """The checked file, or the Chinese message that refuses it."""
    if len(incoming.data) > MAX_FILE_BYTES:
        return TOO_LARGE
    try:
        return CheckedFile(incoming, detect_type(incoming.data))
    except UnsupportedFileType:
        return UNSUPPORTED
