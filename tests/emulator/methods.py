"""Bot API methods about messages: sendMessage, editMessageText, editMessageReplyMarkup, deleteMessage,
answerCallbackQuery, sendChatAction, and the checks they share (texts, reply markup, target chat)."""

from __future__ import annotations

import re
from typing import Any

from tests.emulator.constants import MAX_CALLBACK_DATA_BYTES, MAX_TEXT_LENGTH, NOT_MODIFIED, QUERY_TOO_OLD
from tests.emulator.entities import EntityParseError, parse_html, trim
from tests.emulator.markdown import parse_markdown, parse_markdown_v2
from tests.emulator.state import ApiCall, ApiError, ChatState, SentMessage, bad

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

_INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


class MessagesMixin:
    """The message methods of :class:`BotApiEmulator` and what the media methods share with them."""

    def _target_chat(self, params: dict) -> ChatState:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad("chat_id is empty")
        state = self._chat_state(chat_id)
        if state.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return state

    def _render(self, params: dict, key: str, *, limit: int, required: bool) -> tuple[str, list[dict]]:
        """Parse ``params[key]`` as Telegram would: (plain text, entities) or an ApiError."""
        raw = params.get(key)
        if raw is None:
            if required:
                raise bad("message text is empty")
            return "", []
        text = raw if isinstance(raw, str) else str(raw)
        mode = params.get("parse_mode")
        explicit = params.get(f"{key}_entities" if key == "caption" else "entities")
        try:
            if explicit:
                plain, entities = text, [dict(e) for e in explicit]
            elif mode is None or mode == "":
                plain, entities = text, []
            elif str(mode).lower() == "html":
                plain, entities = parse_html(text, strict=self.strict_html)
            elif str(mode).lower() == "markdownv2":
                plain, entities = parse_markdown_v2(text), []
            elif str(mode).lower() == "markdown":
                plain, entities = parse_markdown(text), []
            else:
                raise bad("unsupported parse_mode")
        except EntityParseError as err:
            raise bad(f"can't parse entities: {err}") from None
        plain, entities = trim(plain, entities)
        if required and not plain:
            raise bad("message text is empty")
        if len(plain) > limit:
            raise bad("message is too long" if key == "text" else "message caption is too long")
        return plain, entities

    def _markup(self, params: dict) -> dict | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
            if sum(len(row) for row in rows) > 100:
                raise bad("reply markup is too long")
            for row in rows:
                for button in row:
                    _check_inline_button(button)
        elif "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise bad("can't parse reply keyboard markup JSON object")
            for row in rows:
                for button in row:
                    text = button if isinstance(button, str) else (button or {}).get("text")
                    if not text:
                        raise bad("keyboard button text is empty")
        elif not (markup.get("remove_keyboard") or markup.get("force_reply")):
            raise bad("can't parse reply keyboard markup JSON object")
        return markup

    def _reply_to(self, state: ChatState, params: dict) -> dict | None:
        reply = params.get("reply_parameters")
        message_id = reply.get("message_id") if isinstance(reply, dict) else params.get("reply_to_message_id")
        if message_id is None:
            return None
        original = state.messages.get(int(message_id))
        if original is None:
            allow = (
                (reply or {}).get("allow_sending_without_reply")
                if isinstance(reply, dict)
                else params.get("allow_sending_without_reply")
            )
            if allow:
                return None
            raise bad("message to be replied not found")
        return {k: v for k, v in original.items() if k != "reply_to_message"}

    def _record(
        self,
        kind: str,
        state: ChatState,
        message: dict,
        call: ApiCall,
        raw: str | None,
        mode: str | None,
        markup: dict | None,
        plain: str | None,
    ) -> SentMessage:
        record = SentMessage(
            kind=kind,
            chat_id=state.chat["id"],
            message_id=message["message_id"],
            text=raw,
            plain_text=plain,
            parse_mode=mode,
            reply_markup=markup,
            message=message,
            call=call,
            method=call.method,
        )
        state.log.append(record)
        self.sent.append(record)
        return record

    def _new_bot_message(self, call: ApiCall, state: ChatState, content: dict, markup: dict | None) -> dict:
        message: dict[str, Any] = {
            "message_id": self._next_message_id(state.chat["id"]),
            "from": self._bot_user(call.token),
            "chat": state.chat,
            "date": self._now(),
        }
        reply_to = self._reply_to(state, call.params)
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(content)
        if markup is not None and markup.get("inline_keyboard"):
            message["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        state.messages[message["message_id"]] = message
        return message

    async def _api_sendMessage(self, call: ApiCall) -> dict:
        params = call.params
        state = self._target_chat(params)
        plain, entities = self._render(params, "text", limit=MAX_TEXT_LENGTH, required=True)
        markup = self._markup(params)
        content: dict[str, Any] = {"text": plain}
        if entities:
            content["entities"] = entities
        message = self._new_bot_message(call, state, content, markup)
        raw, mode = str(params["text"]), params.get("parse_mode")
        state.bot_messages[message["message_id"]] = (raw, mode)
        self._record("send", state, message, call, raw, mode, markup, plain)
        return message

    def _bot_message_for_edit(self, call: ApiCall) -> tuple[ChatState, dict]:
        params = call.params
        if params.get("inline_message_id"):
            raise bad("MESSAGE_ID_INVALID")
        state = self._target_chat(params)
        if params.get("message_id") in (None, ""):
            raise bad("message identifier is not specified")
        message = state.messages.get(int(params["message_id"]))
        if message is None:
            raise bad("message to edit not found")
        if int(params["message_id"]) not in state.bot_messages:
            raise bad("message can't be edited")
        return state, message

    async def _api_editMessageText(self, call: ApiCall) -> dict:
        params = call.params
        state, message = self._bot_message_for_edit(call)
        if "text" not in message:
            raise bad("there is no text in the message to edit")
        plain, entities = self._render(params, "text", limit=MAX_TEXT_LENGTH, required=True)
        markup = self._markup(params)
        new_inline = markup if markup is not None and markup.get("inline_keyboard") else None
        old_inline = message.get("reply_markup")
        if (
            plain == message.get("text")
            and entities == message.get("entities", [])
            and _same_markup(new_inline, old_inline)
            and (params.get("parse_mode") or "").lower() not in ("markdown", "markdownv2")
        ):
            raise bad(NOT_MODIFIED[len("Bad Request: ") :])
        edited = {k: v for k, v in message.items() if k not in ("text", "entities", "reply_markup")}
        edited["text"] = plain
        if entities:
            edited["entities"] = entities
        # Without reply_markup Telegram removes the inline keyboard.
        if new_inline is not None:
            edited["reply_markup"] = {"inline_keyboard": new_inline["inline_keyboard"]}
        edited["edit_date"] = self._now()
        state.messages[edited["message_id"]] = edited
        raw, mode = str(params["text"]), params.get("parse_mode")
        state.bot_messages[edited["message_id"]] = (raw, mode)
        self._record("edit_text", state, edited, call, raw, mode, markup, plain)
        return edited

    async def _api_editMessageReplyMarkup(self, call: ApiCall) -> dict:
        state, message = self._bot_message_for_edit(call)
        markup = self._markup(call.params)
        new_inline = markup if markup is not None and markup.get("inline_keyboard") else None
        if _same_markup(new_inline, message.get("reply_markup")):
            raise bad(NOT_MODIFIED[len("Bad Request: ") :])
        edited = {k: v for k, v in message.items() if k != "reply_markup"}
        if new_inline is not None:
            edited["reply_markup"] = {"inline_keyboard": new_inline["inline_keyboard"]}
        edited["edit_date"] = self._now()
        state.messages[edited["message_id"]] = edited
        raw, mode = state.bot_messages[edited["message_id"]]
        self._record(
            "edit_markup", state, edited, call, raw, mode, markup, edited.get("text", edited.get("caption"))
        )
        return edited

    async def _api_deleteMessage(self, call: ApiCall) -> bool:
        params = call.params
        state = self._target_chat(params)
        if params.get("message_id") in (None, ""):
            raise bad("message identifier is not specified")
        message_id = int(params["message_id"])
        if state.messages.pop(message_id, None) is None:
            raise bad("message to delete not found")
        state.bot_messages.pop(message_id, None)
        self.deleted.append((state.chat["id"], message_id))
        return True

    async def _api_answerCallbackQuery(self, call: ApiCall) -> bool:
        query_id = str(call.params.get("callback_query_id") or "")
        if query_id not in self._open_queries:
            raise bad(QUERY_TOO_OLD[len("Bad Request: ") :])
        del self._open_queries[query_id]
        self.callback_answers[query_id] = dict(call.params)
        return True

    async def _api_sendChatAction(self, call: ApiCall) -> bool:
        self._target_chat(call.params)
        if call.params.get("action") not in _CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        return True


def _same_markup(new: dict | None, old: dict | None) -> bool:
    new_rows = (new or {}).get("inline_keyboard") or []
    old_rows = (old or {}).get("inline_keyboard") or []
    return new_rows == old_rows


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    if not str(button.get("text", "")).strip():
        raise bad(
            "BUTTON_TEXT_INVALID"
            if "text" in button
            else 'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    actions = [name for name in _INLINE_BUTTON_ACTIONS if name in button]
    if not actions:
        raise bad("text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise bad("BUTTON_DATA_INVALID")
    if "url" in button:
        url = str(button["url"])
        if not re.match(r"^(https?|tg)://\S+$", url):
            raise bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
