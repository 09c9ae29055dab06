"""A file sent to the form: checked once, into one typed value, before any transaction."""

from __future__ import annotations

from dataclasses import dataclass

from storage.files import MAX_FILE_BYTES, FileType, UnsupportedFileType, detect_type

# A file Telegram would not hand over is not saved: a 5xx or a time-out, send it again; a 400, another one.
NOT_DOWNLOADED_RETRY = (
    "⚠️ 刚才这张照片（或文件）没能从 Telegram 下载，没有保存，请重新发送这一张。已填写的内容都还在。"
)
NOT_DOWNLOADED = (
    "⚠️ 刚才这张照片（或文件）Telegram 不让下载，没有保存。请换一张，或截图后重新发送。已填写的内容都还在。"
)
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
