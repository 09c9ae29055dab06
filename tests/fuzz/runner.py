"""From actions to updates, in rounds, and the oracle after each batch.

A round holds at most one action per chat; its actions are turned into updates against what the bot has done
so far (the buttons it sent, the form's current question, the invitation codes it handed out, earlier
updates to replay), enqueued together, and the round ends when the bot has settled.
"""

from __future__ import annotations

import re
from typing import Any

from tests.emulator import DEFAULT_BOT_FIRST_NAME, DEFAULT_BOT_USERNAME
from tests.fixtures_bot import TEST_TOKEN
from tests.fuzz import junk
from tests.fuzz.actions import GROUP_ANONYMOUS_BOT, Action
from tests.fuzz.files import docx, jpeg, pdf
from tests.fuzz.harness import FuzzBot
from tests.fuzz.oracle import Sent, Tally, check

ROUND_SIZE = 64
REPLAY_WINDOW = 60  # a replay picks one of the last updates sent
_CODE = re.compile(r"start=([A-Za-z0-9_-]{8,64})")
BOT_USER = {
    "id": int(TEST_TOKEN.split(":", 1)[0]),
    "is_bot": True,
    "first_name": DEFAULT_BOT_FIRST_NAME,
    "username": DEFAULT_BOT_USERNAME,
}
# The sender Telegram puts on a channel post it forwards into the channel's discussion group.
TELEGRAM_SERVICE = {"id": 777000, "is_bot": False, "first_name": "Telegram"}


class Runner:
    """Drives one :class:`FuzzBot` with batches of actions; keeps what the fuzz sent across batches."""

    def __init__(self, fuzz: FuzzBot) -> None:
        self.fuzz = fuzz
        self.emu = fuzz.emulator
        self.sent: dict[int, Sent] = {}
        self.history: list[Sent] = []
        self.texts: dict[int, list[dict]] = {}  # user id -> their private text messages (to edit)
        self.file_seed = 0
        self.total = Tally()
        self.settled = 0
        self.failed: str | None = None  # the first failing batch's report (see tests/tg/test_fuzz.py)

    # -- batches --------------------------------------------------------------------------------------

    async def run(self, actions: list[Action]) -> Tally:
        calls_start, sent_start = len(self.emu.calls), len(self.emu.sent)
        failures_start = len(self.fuzz.failures)
        batch: list[Sent] = []
        current: list[Action] = []
        keys: set[Any] = set()
        for action in actions:
            key = self._key(action)
            if key in keys or len(current) >= ROUND_SIZE:
                batch += await self._round(current)
                current, keys = [], set()
            current.append(action)
            keys.add(key)
        if current:
            batch += await self._round(current)
        tally = check(
            batch,
            calls=self.emu.calls[calls_start:],
            sent_messages=self.emu.sent[sent_start:],
            callback_answers=self.emu.callback_answers,
            failures=self.fuzz.failures[failures_start:],
            all_sent=self.sent,
        )
        self.total.add(tally)
        return tally

    def _key(self, action: Action) -> Any:
        if action.kind == "group":
            return ("chat", int(action.data or 0))
        if action.kind == "no_from":
            return ("no_from",)
        if action.kind == "replay":
            return ("replay",)
        if action.kind == "ignored" and action.variant == "poll":
            return ("poll",)
        return ("chat", action.user)

    async def _round(self, actions: list[Action]) -> list[Sent]:
        self.settled = len(self.history)  # replays pick from here back: updates the bot has confirmed
        made = []
        for action in actions:
            for item in self._make(action):
                self.sent[item.update_id] = item
                self.history.append(item)
                made.append(item)
        await self.fuzz.settle()
        return made

    # -- actions -> updates ---------------------------------------------------------------------------

    def _make(self, action: Action) -> list[Sent]:
        maker = getattr(self, f"_make_{action.kind}")
        result = maker(action)
        updates = result if isinstance(result, list) else [result]
        return [u if isinstance(u, Sent) else Sent(u, action) for u in updates]

    def _text(self, user_id: int, text: str) -> dict:
        update = self.emu.user(user_id).send_text(text)
        self.texts.setdefault(user_id, []).append(update["message"])
        return update

    def _make_text(self, action: Action) -> dict:
        return self._text(action.user, action.text)

    _make_command = _make_text

    def _bot_messages(self, chat_id: int, *, with_buttons: bool) -> list[Any]:
        """The bot's messages in ``chat_id`` as logged (newest last, one per message id)."""
        latest: dict[int, Any] = {}
        for record in self.emu.messages(chat_id):
            latest[record.message_id] = record
        records = list(latest.values())
        if with_buttons:
            records = [r for r in records if any("callback_data" in b for b in r.buttons)]
        return records

    def _make_press_real(self, action: Action) -> dict:
        user = self.emu.user(action.user)
        candidates = self._bot_messages(user.id, with_buttons=True)[-8:]
        if not candidates:
            return self._text(user.id, "/start")
        record = candidates[action.picks[0] % len(candidates)]
        current = self.emu.current_message(user.id, record.message_id)
        if current is None:  # deleted since: a press on what the user still sees
            data = record.buttons[action.picks[1] % len(record.buttons)].get("callback_data")
            return user.press_inaccessible(record.message_id, data)
        stale = action.picks[2] % 4 == 0  # the button as first sent, maybe gone since (a double tap)
        buttons = (
            record.buttons
            if stale
            else [b for row in current.get("reply_markup", {}).get("inline_keyboard", []) for b in row]
        )
        buttons = [b for b in buttons if "callback_data" in b] or [
            b for b in record.buttons if "callback_data" in b
        ]
        button = buttons[action.picks[1] % len(buttons)]
        if action.picks[2] % 10 == 1:  # deleted by the user meanwhile, pressed on a device still showing it
            user.delete_message(record.message_id)
            return user.press_inaccessible(record.message_id, button["callback_data"])
        return user.press(record.message_id, button["callback_data"], check=False)

    def _make_press_forged(self, action: Action) -> dict:
        user = self.emu.user(action.user)
        messages = self._bot_messages(user.id, with_buttons=False)
        if action.data is None or not messages:
            return user.press_inaccessible(1_000_000 + action.picks[0], action.data)
        record = messages[-1 - action.picks[0] % min(len(messages), 5)]
        if self.emu.current_message(user.id, record.message_id) is None:
            return user.press_inaccessible(record.message_id, action.data)
        return user.press(record.message_id, action.data, check=False)

    def _make_edit(self, action: Action) -> dict:
        mine = self.texts.get(action.user) or []
        if not mine:
            return self._text(action.user, action.text)
        original = mine[-1 - action.picks[0] % min(len(mine), 4)]
        return self.emu.user(action.user).edit_text(original, action.text)

    def _make_media(self, action: Action) -> dict | list[dict]:
        user = self.emu.user(action.user)
        caption = action.text or None
        self.file_seed += 1
        seed = self.file_seed
        variant = action.variant
        if variant == "photo":
            return user.send_photo(caption=caption, content=jpeg(seed))
        if variant == "album":
            count = 2 + action.picks[0] % 3
            return user.send_album([jpeg(seed * 10 + i) for i in range(count)])
        if variant == "document":
            if action.picks[0] % 2:
                return user.send_document(
                    "会议记录.pdf", "application/pdf", caption=caption, content=pdf(seed)
                )
            mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            return user.send_document("记录.docx", mime, caption=caption, content=docx(seed))
        if variant == "big_document":
            return user.send_document("扫描件.pdf", "application/pdf", file_size=25 * 1024 * 1024)
        if variant == "fake_pdf":
            return user.send_document(
                "<b>病毒</b>.pdf\x00.exe", "application/pdf", content=b"MZ\x90\x00" + bytes(200)
            )
        if variant == "sticker":
            return user.send_sticker()
        if variant == "voice":
            return user.send_voice(duration=1 + action.picks[0] % 5)
        if variant == "location":
            return user.send_location(-90 + action.picks[0] * 0.18, -180 + action.picks[1] * 0.36)
        return user.send_contact(
            "+86 138 0000 0000",
            junk.finish("张三\u202e"),
            user_id=action.user if action.picks[0] % 2 else None,
        )

    def _make_group(self, action: Action) -> dict:
        chat_id = int(action.data or 0)
        user = self.emu.user(action.user)
        if action.variant == "anonymous_admin":
            chat = next(g for g in self.fuzz.population.groups if g["id"] == chat_id)
            return self.emu.post(chat_id, {"text": action.text}, sender=GROUP_ANONYMOUS_BOT, sender_chat=chat)
        if action.variant == "press":
            messages = self._bot_messages(chat_id, with_buttons=True)
            if messages:
                record = messages[-1 - action.picks[0] % min(len(messages), 4)]
                data = [b["callback_data"] for b in record.buttons if "callback_data" in b]
                return user.press(
                    record.message_id, data[action.picks[1] % len(data)], check=False, chat_id=chat_id
                )
        return self.emu.post(chat_id, {"text": action.text}, sender=user)

    def _make_no_from(self, action: Action) -> dict:
        channel = self.fuzz.population.channel
        content = {"text": action.text}
        if action.variant == "channel_post":
            return self.emu.post(channel["id"], content, sender_chat=channel, update_type="channel_post")
        if action.variant == "channel_message":
            return self.emu.post(channel["id"], content, sender_chat=channel)
        if action.variant == "edited_channel_post":
            content["edit_date"] = self.emu._now()
            return self.emu.post(
                channel["id"], content, sender_chat=channel, update_type="edited_channel_post"
            )
        # linked_forward: a channel post copied into the channel's discussion group by Telegram itself
        group = self.fuzz.population.groups[action.picks[0] % len(self.fuzz.population.groups)]
        if group["type"] != "supergroup":
            group = self.fuzz.population.groups[1]
        content["is_automatic_forward"] = True
        return self.emu.post(group["id"], content, sender=TELEGRAM_SERVICE, sender_chat=channel)

    def _make_replay(self, action: Action) -> Sent | dict:
        # Only updates of earlier rounds: Telegram redelivers what the bot confirmed (a replay of an update
        # still queued would move the emulator's offset past the updates queued before it).
        window = [s for s in self.history[: self.settled][-REPLAY_WINDOW:] if s.replay_of is None]
        if not window:
            return self._text(self.fuzz.population.ids[0], "/help")
        original = window[action.picks[0] % len(window)]
        update = self.emu.redeliver(original.update)
        return Sent(update, action, replay_of=original.update_id)

    def _make_ignored(self, action: Action) -> dict:
        user = self.emu.user(action.user)
        now = self.emu._now()
        if action.variant == "my_chat_member":
            blocked = action.picks[0] % 2 == 0
            old, new = ("member", "kicked") if blocked else ("kicked", "member")
            member = {
                "chat": user.chat_dict,
                "from": user.user_dict,
                "date": now,
                "old_chat_member": {
                    "user": BOT_USER,
                    "status": old,
                    **({"until_date": 0} if old == "kicked" else {}),
                },
                "new_chat_member": {
                    "user": BOT_USER,
                    "status": new,
                    **({"until_date": 0} if new == "kicked" else {}),
                },
            }
            return self.emu.enqueue_raw({"my_chat_member": member})
        if action.variant == "chat_join_request":
            group = self.fuzz.population.groups[action.picks[0] % len(self.fuzz.population.groups)]
            request = {
                "chat": group,
                "from": user.user_dict,
                "user_chat_id": user.id,
                "date": now,
                "bio": "党员",
            }
            return self.emu.enqueue_raw({"chat_join_request": request})
        if action.variant == "poll":
            poll = {
                "id": str(5_000_000_000_000_000_000 + action.picks[0]),
                "question": "本月主题党日定在哪天？",
                "options": [
                    {"persistent_id": "0", "text": "周五", "voter_count": 1},
                    {"persistent_id": "1", "text": "周六", "voter_count": 0},
                ],
                "total_voter_count": 1,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
                "allows_revoting": True,  # required since Bot API 9.6
                "members_only": False,  # required since Bot API 10.0
            }
            return self.emu.enqueue_raw({"poll": poll})
        reaction = {
            "chat": user.chat_dict,
            "message_id": 1,
            "user": user.user_dict,
            "date": now,
            "old_reaction": [],
            "new_reaction": [{"type": "emoji", "emoji": "👍"}],
        }
        return self.emu.enqueue_raw({"message_reaction": reaction})

    def _make_redeem(self, action: Action) -> dict:
        codes = []
        for admin in self.fuzz.population.admins:
            for record in self.emu.messages(admin):
                codes += _CODE.findall(record.plain_text or "")
        if not codes:
            return self._text(action.user, "/start " + "A" * 22)
        code = codes[-1 - action.picks[0] % min(len(codes), 5)]
        if action.variant == "mangled":
            code = (code[:-1] + ("A" if code[-1] != "A" else "B")) if action.picks[0] % 2 else code + "²"
        return self._text(action.user, f"/start {code}")

    # -- the form, answered from what it asks now --------------------------------------------------------

    def _make_form(self, action: Action) -> dict | list[dict]:
        user = self.emu.user(action.user)
        u1, u2, u3, u4 = action.picks
        records = self._bot_messages(user.id, with_buttons=False)
        last = records[-1] if records else None
        current = self.emu.current_message(user.id, last.message_id) if last else None
        text = (current or {}).get("text") or ""
        buttons = [
            b for row in (current or {}).get("reply_markup", {}).get("inline_keyboard", []) for b in row
        ]
        form_buttons = [b["callback_data"] for b in buttons if b.get("callback_data", "").startswith("f:")]
        in_form = bool(form_buttons) or "【" in text or "照片" in text or "会议记录" in text
        if not in_form or "提交成功" in text or "已取消" in text:
            return self._text(user.id, "/submit" if u1 % 10 else "/records")
        if u1 % 40 == 0:
            return self._text(user.id, "/cancel" if u2 % 2 else "/skip")
        if u1 % 50 == 1 and form_buttons:  # the last button, usually 取消填写
            return user.press(last.message_id, form_buttons[-1], check=False)
        chosen = any(b.get("text", "").startswith("✅") for b in buttons)
        press = self._form_press(form_buttons, text, u2, u3, chosen=chosen)
        if press is None:
            return self._form_input(user, text, action, u4)
        return user.press(last.message_id, press, check=False)

    @staticmethod
    def _form_press(data: list[str], text: str, u2: int, u3: int, *, chosen: bool = False) -> str | None:
        """The button a secretary would press on the form's last message, or None to send a text or a file.
        Mostly forward: a kind, today, confirm, the options, done."""
        if not data:
            return None
        forward = [d for d in data if d.startswith(("f:kind:", "f:date:", "f:confirm", "f:resume"))]
        if forward:
            if "f:confirm" in forward and u2 % 10 == 9:  # change something from the summary instead
                edits = [d for d in data if d.startswith("f:edit:")]
                return edits[u3 % len(edits)] if edits else "f:confirm"
            return "f:confirm" if "f:confirm" in forward else forward[u3 % len(forward)]
        options = [d for d in data if d.startswith("f:opt:")]
        done = next((d for d in data if d.startswith("f:done")), None)
        if options:
            return done if done and chosen and u2 % 3 else options[u3 % len(options)]
        if done:
            finished = "还有就继续发" in text or "已收到会议记录" in text
            return done if finished and u2 % 10 < 7 else None
        return None

    def _form_input(self, user: Any, text: str, action: Action, u4: int) -> dict | list[dict]:
        self.file_seed += 1
        if ("照片" in text and "会议记录" not in text) or "已收到会议记录照片" in text:
            if u4 % 4 == 0:
                return user.send_album([jpeg(self.file_seed * 10 + i) for i in range(2)])
            return user.send_photo(content=jpeg(self.file_seed))
        if "会议记录" in text and u4 % 3 == 0:
            return user.send_document("会议记录.pdf", "application/pdf", content=pdf(self.file_seed))
        if "多少人" in text or "应到" in text:
            answer = ("8 7", "8 8", "应到8人，实到7人", "5 5", "3 9", "²")[u4 % 6]
        elif "缺席" in text:
            answer = ("张三 出差", "李四\x00 病假", "王五")[u4 % 3]
        elif "哪天" in text:
            answer = ("今天", "昨天", "11月20日", "32号", "2099-01-01")[u4 % 5]
        elif "几人" in text or "数字" in text:
            answer = ("3", "٣", "99999999999999999999")[u4 % 3]
        elif "会议记录" in text:
            answer = action.text * (1 + 10 // max(1, len(action.text)))
        else:
            answer = action.text
        return self._text(user.id, junk.finish(answer))
