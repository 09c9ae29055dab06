"""A record's evidence sent again in chat: its photos (albums of 10, or one photo) and its minutes files.

Telegram's file ids are tried first (no upload); a file id Telegram no longer takes ("Wrong file identifier": a
file of another bot token, or expired) is sent again from the stored copy (the evidence store keeps every file,
``BrowseService.file``, scoped to the viewer); a file neither way can send is named in one short note. Nothing
here stops the record's own text, which the caller sends after.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from telegram import Bot, InputFile, InputMediaPhoto, Message
from telegram.error import TelegramError

from handlers.services.browse import FileBlob

log = logging.getLogger(__name__)
ALBUM = 10
PHOTO_TYPES = (
    "image/jpeg",
    "image/png",
    "image/webp",
)  # what Telegram shows as a photo; others go as documents
MINUTES = "会议记录"


class EvidenceFile(Protocol):
    """What is read of a record's file (a ``RecordFile`` row)."""

    id: int
    role: str  # photo | minutes
    mime: str
    telegram_file_id: str


Load = Callable[[EvidenceFile], Awaitable[FileBlob | None]]  # a record file -> its stored copy, or None
Remember = Callable[[EvidenceFile, str], Awaitable[None]]  # a record file, the file id Telegram gave its copy


def unshown_note(photos: int, minutes: int) -> str | None:
    """The note on the files that could not be sent, or None when every file was."""
    parts = [f"{photos}张照片" if photos else "", f"{minutes}份会议记录文件" if minutes else ""]
    what = "和".join(p for p in parts if p)
    return f"⚠️ 有{what}暂时无法显示（文件未能发送），记录的文字内容见下。" if what else None


async def send_evidence(
    bot: Bot, chat_id: int, files: Sequence[EvidenceFile], load: Load, remember: Remember
) -> None:
    """Send the record's files (``RecordFile`` rows, in order); ``load`` reads a file's stored copy, and
    ``remember`` keeps the file id Telegram gives an uploaded copy (so the next view need not upload it)."""
    photos = [f for f in files if f.role == "photo"]
    unshown_photos = 0
    for start in range(0, len(photos), ALBUM):
        chunk = photos[start : start + ALBUM]
        if (
            await _attempt(_photos(bot, chat_id, [(f.telegram_file_id, None) for f in chunk]), chat_id)
            is None
        ):
            unshown_photos += await _upload_photos(bot, chat_id, chunk, load, remember)
    unshown_minutes = 0
    for f in files:
        if (
            f.role == "minutes"
            and await _attempt(_one(bot, chat_id, f.mime, f.telegram_file_id), chat_id) is None
        ):
            blob = await load(f)
            upload = blob and InputFile(blob.data, filename=blob.filename)
            sent = upload and await _attempt(_one(bot, chat_id, blob.mime, upload), chat_id)
            if sent is None:
                unshown_minutes += 1
            else:
                await _keep(remember, [(f, sent[0])])
    if note := unshown_note(unshown_photos, unshown_minutes):
        await bot.send_message(chat_id, note)


async def _upload_photos(
    bot: Bot, chat_id: int, chunk: Sequence[EvidenceFile], load: Load, remember: Remember
) -> int:
    """Send the stored copies of photos whose file ids failed; how many could not be sent."""
    loaded = [(f, await load(f)) for f in chunk]
    found = [(f, b) for f, b in loaded if b is not None]
    unshown = len(loaded) - len(found)
    as_photos = [(f, b) for f, b in found if b.mime in PHOTO_TYPES]
    if as_photos:
        sent = await _attempt(_photos(bot, chat_id, [(b.data, b.filename) for _, b in as_photos]), chat_id)
        if sent is None:
            unshown += len(as_photos)
        else:
            await _keep(remember, list(zip([f for f, _ in as_photos], sent, strict=False)))
    for f, blob in ((f, b) for f, b in found if b.mime not in PHOTO_TYPES):  # HEIC and the like: a document
        sent = await _attempt(
            bot.send_document(chat_id, InputFile(blob.data, filename=blob.filename)), chat_id
        )
        if sent is None:
            unshown += 1
        else:
            await _keep(remember, [(f, sent[0])])
    return unshown


async def _keep(remember: Remember, pairs: list[tuple[EvidenceFile, Message]]) -> None:
    """Hand each uploaded copy's new file id to ``remember``; a failure there is logged, never shown."""
    for file, message in pairs:
        media = message.photo[-1] if message.photo else message.document
        if media is None:
            continue
        try:
            await remember(file, media.file_id)
        except Exception:
            log.exception("could not keep the new file id of record file %s", file.id)


async def _photos(bot: Bot, chat_id: int, media: list[tuple[str | bytes, str | None]]) -> Message | tuple:
    """One photo, or an album; each a file id, or bytes with a file name (an upload)."""
    if len(media) == 1:
        return await bot.send_photo(chat_id, media[0][0], filename=media[0][1])
    return await bot.send_media_group(chat_id, [InputMediaPhoto(m, filename=name) for m, name in media])


async def _one(bot: Bot, chat_id: int, mime: str, media: object) -> Message:
    """A minutes file: an image as a photo, anything else as a document."""
    if mime.startswith("image/"):
        return await bot.send_photo(chat_id, media, caption=MINUTES)
    return await bot.send_document(chat_id, media, caption=MINUTES)


async def _attempt(sending: Awaitable[object], chat_id: int) -> tuple | None:
    """The messages sent (a tuple, an album's in order), or None when Telegram refused; a refusal is logged
    (the file id or upload, never the user's text)."""
    try:
        sent = await sending
    except TelegramError as exc:
        log.warning("could not send a record's file to chat %s: %s", chat_id, exc)
        return None
    return tuple(sent) if isinstance(sent, tuple | list) else (sent,)
