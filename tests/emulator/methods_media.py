"""Bot API methods that send files: sendDocument, sendPhoto and sendMediaGroup (albums)."""

from __future__ import annotations

import json
from typing import Any

from tests.emulator.constants import MAX_CAPTION_LENGTH
from tests.emulator.files import UploadedFile
from tests.emulator.state import ApiCall, bad


class MediaMixin:
    """The media methods of :class:`BotApiEmulator` (they use ``methods.py`` and ``files.py``)."""

    async def _api_sendDocument(self, call: ApiCall) -> dict:
        return await self._send_media(call, "document")

    async def _api_sendPhoto(self, call: ApiCall) -> dict:
        return await self._send_media(call, "photo")

    def _media_object(self, kind: str, ref: Any, upload: UploadedFile | None) -> Any:
        """The ``photo``/``document``/``video``/``audio`` field of a Message for a file the bot sends: an
        upload (stored, so its new file_id can be sent again) or the file_id of a known file."""
        if upload is not None:
            prefix = {"document": "BQACAgUAAxkDAAI", "photo": "AgACAgUAAxkDAAI"}.get(kind, "BAACAgUAAxkDAAI")
            file_id, unique_id = self._new_file_ids(prefix)
            self.add_file(
                file_id,
                upload.data,
                file_unique_id=unique_id,
                kind="documents" if kind == "document" else "photos" if kind == "photo" else f"{kind}s",
            )
            size = len(upload.data)
        else:
            stored = self._files.get(ref) if isinstance(ref, str) else None
            if stored is None:
                raise bad("wrong file identifier/HTTP URL specified")
            file_id, unique_id, size = stored.file_id, stored.file_unique_id, stored.file_size
        if kind == "photo":
            return [
                {
                    "file_id": file_id,
                    "file_unique_id": unique_id,
                    "file_size": size,
                    "width": 1280,
                    "height": 960,
                }
            ]
        media: dict[str, Any] = {"file_id": file_id, "file_unique_id": unique_id, "file_size": size}
        if kind == "document":
            media["file_name"] = (upload.filename if upload else None) or "file"
            if upload is not None and upload.content_type:
                media["mime_type"] = upload.content_type
        elif kind == "video":
            media.update(width=1280, height=720, duration=1)
        elif kind == "audio":
            media["duration"] = 1
        return media

    async def _api_sendMediaGroup(self, call: ApiCall) -> list[dict]:
        """An album: 2-10 photos/videos, or 2-10 documents, or 2-10 audios; one Message per item, all
        with the same ``media_group_id`` (captions and their parse_mode per item; no reply_markup)."""
        params = call.params
        state = self._target_chat(params)
        media = params.get("media")
        if isinstance(media, str):
            try:
                media = json.loads(media)
            except ValueError:
                raise bad("can't parse media JSON object") from None
        if not isinstance(media, list) or not all(isinstance(item, dict) for item in media):
            raise bad("can't parse media JSON object")
        if not 2 <= len(media) <= 10:
            raise bad("wrong number of media in the album: must be 2-10 items")
        kinds = [item.get("type") for item in media]
        if any(k not in ("photo", "video", "document", "audio") for k in kinds):
            raise bad("can't parse InputMedia: unsupported type")
        for only in ("document", "audio"):
            if only in kinds and any(k != only for k in kinds):
                raise bad(f"{only}s can't be mixed with other media types in an album")
        prepared = []
        for item in media:
            kind = item["type"]
            ref = item.get("media")
            upload = None
            if isinstance(ref, str) and ref.startswith("attach://"):
                upload = call.files.get(ref[len("attach://") :])
                if upload is None:
                    raise bad("wrong file identifier/HTTP URL specified")
            elif not (isinstance(ref, str) and ref):
                raise bad("there is no media in the request")
            plain, entities = self._render(item, "caption", limit=MAX_CAPTION_LENGTH, required=False)
            prepared.append((kind, item, self._media_object(kind, ref, upload), plain, entities))
        group_id = str(next(self._file_counter) + 14_000_000_000_000_000)
        messages = []
        for kind, item, media_object, plain, entities in prepared:
            content: dict[str, Any] = {kind: media_object, "media_group_id": group_id}
            if plain:
                content["caption"] = plain
                if entities:
                    content["caption_entities"] = entities
            message = self._new_bot_message(call, state, content, None)
            raw, mode = item.get("caption"), item.get("parse_mode")
            state.bot_messages[message["message_id"]] = (raw, mode)
            self._record(kind, state, message, call, raw, mode, None, plain or None)
            messages.append(message)
        return messages

    async def _send_media(self, call: ApiCall, kind: str) -> dict:
        params = call.params
        state = self._target_chat(params)
        ref = params.get(kind)
        upload = call.files.get(kind)
        if upload is None and isinstance(ref, str) and ref.startswith("attach://"):
            upload = call.files.get(ref[len("attach://") :])
        if upload is None and not (isinstance(ref, str) and ref):
            raise bad(f"there is no {kind} in the request")
        plain, entities = self._render(params, "caption", limit=MAX_CAPTION_LENGTH, required=False)
        markup = self._markup(params)
        content: dict[str, Any] = {kind: self._media_object(kind, ref, upload)}
        if plain:
            content["caption"] = plain
            if entities:
                content["caption_entities"] = entities
        message = self._new_bot_message(call, state, content, markup)
        raw, mode = params.get("caption"), params.get("parse_mode")
        state.bot_messages[message["message_id"]] = (raw, mode)
        self._record(kind, state, message, call, raw, mode, markup, plain or None)
        return message
