"""Simulated users: a Telegram user in a private chat with the bot, who sends messages and presses buttons."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from tests.emulator.entities import command_entities
from tests.emulator.state import SentMessage

if TYPE_CHECKING:
    from tests.emulator.server import BotApiEmulator


class SimUser:
    """A Telegram user talking to the bot in a private chat (chat id == user id).

    The ``send_*`` and ``press`` methods are synchronous: they enqueue an update and return it.
    """

    def __init__(
        self,
        emulator: BotApiEmulator,
        user_id: int,
        first_name: str,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "zh-hans",
    ) -> None:
        self.emulator = emulator
        self.id = user_id
        self.first_name = first_name
        self.username = username
        self.last_name = last_name
        self.language_code = language_code

    def __repr__(self) -> str:
        return f"SimUser(id={self.id}, first_name={self.first_name!r})"

    @property
    def chat_id(self) -> int:
        return self.id

    @property
    def user_dict(self) -> dict:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    @property
    def chat_dict(self) -> dict:
        chat: dict[str, Any] = {"id": self.id, "first_name": self.first_name}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        chat["type"] = "private"
        return chat

    # -- blocking -----------------------------------------------------------------------------------

    def block(self) -> None:
        """The user blocks the bot: sending to them answers 403 as Telegram does."""
        self.emulator._chat_state(self.id).blocked = True

    def unblock(self) -> None:
        self.emulator._chat_state(self.id).blocked = False

    # -- messages -----------------------------------------------------------------------------------

    def _message(self, content: dict, reply_to: SentMessage | dict | int | None = None) -> dict:
        emu = self.emulator
        state = emu._chat_state(self.id)
        message: dict[str, Any] = {
            "message_id": emu._next_message_id(self.id),
            "from": self.user_dict,
            "chat": self.chat_dict,
            "date": emu._now(),
        }
        if reply_to is not None:
            original = emu._resolve_message(self.id, reply_to)
            message["reply_to_message"] = {k: v for k, v in original.items() if k != "reply_to_message"}
        message.update(content)
        state.messages[message["message_id"]] = message
        return message

    def _send(self, content: dict, reply_to: SentMessage | dict | int | None = None) -> dict:
        return self.emulator.enqueue_raw({"message": self._message(content, reply_to)})

    def send_text(self, text: str, *, reply_to: SentMessage | dict | int | None = None) -> dict:
        """A text message; ``/commands`` get ``bot_command`` entities like on Telegram."""
        return self._send(_text_content(text), reply_to)

    def text_update(self, text: str, update_id: int) -> dict:
        """A text message as a whole update, not queued for ``getUpdates``: what Telegram posts to a webhook."""
        return {"update_id": update_id, "message": self._message(_text_content(text))}

    def send_sticker(self, emoji: str = "👍", *, set_name: str = "TestStickers") -> dict:
        file_id, unique_id = self.emulator._new_file_ids("CAACAgIAAxkBAAI")
        sticker = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "thumbnail": self._photo_size(128, 128, 4_000),
            "emoji": emoji,
            "set_name": set_name,
            "file_size": 24_000,
        }
        return self._send({"sticker": sticker})

    def _photo_size(
        self,
        width: int,
        height: int,
        size: int,
        file_id: str | None = None,
        unique_id: str | None = None,
        content: bytes | None = None,
    ) -> dict:
        generated_id, generated_unique = self.emulator._new_file_ids("AgACAgUAAxkBAAI")
        file_id = file_id or generated_id
        unique_id = unique_id or generated_unique
        if content is not None:
            size = len(content)
        self.emulator.add_file(
            file_id,
            content if content is not None else b"\xff\xd8" + bytes(size - 2),
            file_unique_id=unique_id,
            kind="photos",
            ext="jpg",
        )
        return {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "file_size": size,
            "width": width,
            "height": height,
        }

    def send_photo(
        self,
        file_id: str | None = None,
        file_unique_id: str | None = None,
        caption: str | None = None,
        media_group_id: str | None = None,
        *,
        content: bytes | None = None,
    ) -> dict:
        """A photo as Telegram delivers it: three sizes, the largest one last (``file_id`` is its id)."""
        photo = [
            self._photo_size(90, 68, 1_200),
            self._photo_size(320, 240, 16_000),
            self._photo_size(1280, 960, 120_000, file_id, file_unique_id, content),
        ]
        content_dict: dict[str, Any] = {"photo": photo}
        if media_group_id is not None:
            content_dict["media_group_id"] = str(media_group_id)
        self._add_caption(content_dict, caption)
        return self._send(content_dict)

    def send_album(
        self,
        contents: list[bytes | None],
        *,
        media_group_id: str | None = None,
        order: Iterable[int] | None = None,
        file_ids: list[str | None] | None = None,
        file_unique_ids: list[str | None] | None = None,
    ) -> list[dict]:
        """An album of photos: one message per photo sharing a ``media_group_id``, with consecutive message
        ids (in ``contents`` order) like on Telegram, but enqueued in ``order`` (indexes into ``contents``;
        default: in order), because Telegram does not promise to deliver an album's updates in order.

        Returns the updates in ``contents`` order.
        """
        group = str(media_group_id or next(self.emulator._file_counter) + 13_000_000_000_000_000)
        messages = []
        for index, content in enumerate(contents):
            file_id = (file_ids or [None] * len(contents))[index]
            unique_id = (file_unique_ids or [None] * len(contents))[index]
            photo = [
                self._photo_size(90, 68, 1_200),
                self._photo_size(320, 240, 16_000),
                self._photo_size(1280, 960, 120_000, file_id, unique_id, content),
            ]
            messages.append(self._message({"photo": photo, "media_group_id": group}))
        indexes = list(range(len(contents))) if order is None else list(order)
        if sorted(indexes) != list(range(len(contents))):
            raise ValueError(f"order must be a permutation of 0..{len(contents) - 1}, got {indexes}")
        updates: dict[int, dict] = {}
        for index in indexes:
            updates[index] = self.emulator.enqueue_raw({"message": messages[index]})
        return [updates[i] for i in range(len(contents))]

    def send_document(
        self,
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        file_size: int | None = None,
        file_id: str | None = None,
        *,
        file_unique_id: str | None = None,
        caption: str | None = None,
        content: bytes | None = None,
        media_group_id: str | None = None,
    ) -> dict:
        """A document; ``content`` (or ``file_size`` zero bytes) is downloadable through ``getFile``;
        ``media_group_id``: an item of an album of documents (one message each, like photos)."""
        generated_id, generated_unique = self.emulator._new_file_ids("BQACAgUAAxkBAAI")
        if content is None and file_size is None:
            content = bytes(2_048)
        if file_size is None:
            file_size = len(content)
        document = {
            "file_name": file_name,
            "mime_type": mime_type,
            "file_id": file_id or generated_id,
            "file_unique_id": file_unique_id or generated_unique,
            "file_size": file_size,
        }
        ext = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        self.emulator.add_file(
            document["file_id"],
            content,
            file_unique_id=document["file_unique_id"],
            kind="documents",
            ext=ext,
            file_size=file_size,
        )
        content_dict: dict[str, Any] = {"document": document}
        if media_group_id is not None:
            content_dict["media_group_id"] = str(media_group_id)
        self._add_caption(content_dict, caption)
        return self._send(content_dict)

    def send_voice(
        self, duration: int = 3, file_id: str | None = None, *, content: bytes | None = None
    ) -> dict:
        generated_id, unique_id = self.emulator._new_file_ids("AwACAgUAAxkBAAI")
        if content is None:
            content = b"OggS" + bytes(duration * 2_000)
        voice = {
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_id": file_id or generated_id,
            "file_unique_id": unique_id,
            "file_size": len(content),
        }
        self.emulator.add_file(voice["file_id"], content, file_unique_id=unique_id, kind="voice", ext="oga")
        return self._send({"voice": voice})

    def send_location(self, latitude: float = 31.2304, longitude: float = 121.4737) -> dict:
        """A location pin (no live period)."""
        return self._send({"location": {"latitude": latitude, "longitude": longitude}})

    def send_contact(
        self, phone_number: str = "+8613800000000", first_name: str = "联系人", *, user_id: int | None = None
    ) -> dict:
        """A shared contact card (``user_id`` when the contact is a Telegram user)."""
        contact: dict[str, Any] = {"phone_number": phone_number, "first_name": first_name}
        if user_id is not None:
            contact["user_id"] = user_id
        return self._send({"contact": contact})

    @staticmethod
    def _add_caption(content: dict, caption: str | None) -> None:
        if caption is not None:
            content["caption"] = caption
            entities = command_entities(caption)
            if entities:
                content["caption_entities"] = entities

    def edit_text(self, message: dict, new_text: str) -> dict:
        """The user edits one of their text messages: an ``edited_message`` update."""
        emu = self.emulator
        original = emu._resolve_message(self.id, message)
        edited = {**original, "text": new_text, "edit_date": emu._now()}
        edited.pop("entities", None)
        entities = command_entities(new_text)
        if entities:
            edited["entities"] = entities
        emu._chat_state(self.id).messages[edited["message_id"]] = edited
        return emu.enqueue_raw({"edited_message": edited})

    def press(
        self,
        message: SentMessage | dict | int,
        callback_data: str | None = None,
        *,
        button_text: str | None = None,
        check: bool = True,
        chat_id: int | None = None,
    ) -> dict:
        """Press an inline button of a bot message: a ``callback_query`` update.

        ``message`` is a :class:`SentMessage`, a Message dict or a message id in this user's chat (or in
        ``chat_id``, e.g. a group); the update carries the message as it currently is (after edits), like
        Telegram. Give either the ``callback_data`` or (part of) the button's text. With ``check`` the button
        must exist.
        """
        emu = self.emulator
        current = emu._resolve_message(self.id if chat_id is None else chat_id, message)
        buttons = [b for row in (current.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
        if button_text is not None:
            matching = [b for b in buttons if button_text in b.get("text", "") and "callback_data" in b]
            if not matching:
                raise ValueError(f"no callback button with text {button_text!r} in {buttons}")
            callback_data = matching[0]["callback_data"]
        if callback_data is None:
            raise ValueError("give callback_data or button_text")
        if check and not any(b.get("callback_data") == callback_data for b in buttons):
            raise ValueError(f"message {current['message_id']} has no button with data {callback_data!r}")
        query_id = str(next(emu._query_ids))
        emu._open_queries[query_id] = self.id
        query = {
            "id": query_id,
            "from": self.user_dict,
            "message": current,
            "chat_instance": str(-(7_000_000_000_000_000_000 + (self.id if chat_id is None else chat_id))),
            "data": callback_data,
        }
        return emu.enqueue_raw({"callback_query": query})

    def delete_message(self, message: SentMessage | dict | int) -> None:
        """The user deletes a message of this private chat for both sides (Telegram lets either side do it):
        the bot can no longer edit it, and a press on it from a device that still shows it comes with an
        InaccessibleMessage (:meth:`press_inaccessible`)."""
        emu = self.emulator
        message_id = emu._resolve_message(self.id, message)["message_id"]
        state = emu._chat_state(self.id)
        state.messages.pop(message_id, None)
        state.bot_messages.pop(message_id, None)

    def press_inaccessible(self, message_id: int, callback_data: str | None) -> dict:
        """Press a button of a message the bot can no longer reach (deleted, or older than 48 hours): the
        update carries an InaccessibleMessage (``date`` 0). ``callback_data=None``: no ``data`` at all."""
        emu = self.emulator
        query_id = str(next(emu._query_ids))
        emu._open_queries[query_id] = self.id
        query: dict[str, Any] = {
            "id": query_id,
            "from": self.user_dict,
            "message": {"chat": self.chat_dict, "message_id": message_id, "date": 0},
            "chat_instance": str(-(7_000_000_000_000_000_000 + self.id)),
        }
        if callback_data is not None:
            query["data"] = callback_data
        return emu.enqueue_raw({"callback_query": query})


def _text_content(text: str) -> dict:
    """A text message's content; ``/commands`` get ``bot_command`` entities like on Telegram."""
    content: dict[str, Any] = {"text": text}
    entities = command_entities(text)
    if entities:
        content["entities"] = entities
    return content
