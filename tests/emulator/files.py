"""Files: uploads from the bot, files users send (``getFile``) and their downloads."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from aiohttp import web

from tests.emulator.constants import MAX_DOWNLOAD_SIZE
from tests.emulator.state import ApiCall, bad


@dataclass
class UploadedFile:
    field: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_size: int
    file_path: str
    content: bytes | None  # None: ``file_size`` zero bytes, made on download


class FilesMixin:
    """The files of :class:`BotApiEmulator`."""

    def add_file(
        self,
        file_id: str,
        content: bytes | None,
        *,
        file_unique_id: str | None = None,
        kind: str = "documents",
        ext: str = "bin",
        file_size: int | None = None,
    ) -> StoredFile:
        """Make ``file_id`` downloadable (``getFile`` and ``/file/bot<token>/<path>``).

        ``content=None`` with a ``file_size`` stands for that many zero bytes (big files cost nothing).
        """
        if content is None and file_size is None:
            raise ValueError("give the content or the file_size")
        n = next(self._file_counter)
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=file_unique_id or self._new_file_ids("")[1],
            file_size=file_size if file_size is not None else len(content or b""),
            file_path=f"{kind}/file_{n}.{ext}",
            content=content,
        )
        self._files[file_id] = stored
        return stored

    def _new_file_ids(self, prefix: str) -> tuple[str, str]:
        n = next(self._file_counter)
        digest = hashlib.sha1(f"{prefix}{n}".encode()).hexdigest()
        return f"{prefix}{digest[:40]}", f"AQAD{digest[:12]}"

    async def _api_getFile(self, call: ApiCall) -> dict:
        stored = self._files.get(str(call.params.get("file_id") or ""))
        if stored is None:
            raise bad("wrong file_id or the file is temporary unavailable")
        if stored.file_size > MAX_DOWNLOAD_SIZE:
            raise bad("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "file_path": stored.file_path,
        }

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        for stored in self._files.values():
            if stored.file_path == path:
                body = stored.content if stored.content is not None else bytes(stored.file_size)
                return web.Response(body=body, content_type="application/octet-stream")
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
