"""What the end-to-end tests of the record form share: the fixed start, the users, the database look-ups,
:class:`Chat` (one user's conversation with the bot) and :class:`Form` (the record form driven step by step), and
the evidence files (``evidence_files``, imported here too)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from handlers.services.clock import SHANGHAI
from knowledge.activities import CATALOGUE, ActivityKind, activity_by_code, period_of
from storage.models import ActivityRecord, Branch, Draft, RecordAmendment, RecordFile
from tests.emulator import SentMessage, SimUser
from tests.fixtures_bot import BotHarness
from tests.tg.evidence_files import PDF, docx, jpeg, png, sha256, stored_objects, stored_path

__all__ = ["PDF", "docx", "jpeg", "png", "sha256", "stored_objects", "stored_path"]

START = datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI)  # a Sunday
TODAY = START.date()
ADMIN_ID = 900_001
ALICE, BOB, CAROL = 810_001, 810_002, 810_003
QUESTION = "主题党日多久开展一次"


# --------------------------------------------------------------------------------------------------
# Database look-ups
# --------------------------------------------------------------------------------------------------


async def records(harness: BotHarness, branch_id: int | None = None) -> list[ActivityRecord]:
    stmt = select(ActivityRecord).order_by(ActivityRecord.id)
    if branch_id is not None:
        stmt = stmt.where(ActivityRecord.branch_id == branch_id)
    async with harness.services.session_factory() as session:
        return list(await session.scalars(stmt))


async def record_files(harness: BotHarness, record_id: int) -> list[RecordFile]:
    stmt = select(RecordFile).where(RecordFile.record_id == record_id).order_by(RecordFile.id)
    async with harness.services.session_factory() as session:
        return list(await session.scalars(stmt))


async def amendments(harness: BotHarness, record_id: int) -> list[RecordAmendment]:
    stmt = select(RecordAmendment).where(RecordAmendment.record_id == record_id)
    async with harness.services.session_factory() as session:
        return list(await session.scalars(stmt))


async def draft(harness: BotHarness, user_id: int) -> Draft | None:
    async with harness.services.session_factory() as session:
        return (await session.scalars(select(Draft).where(Draft.user_id == user_id))).one_or_none()


async def branch_row(harness: BotHarness, branch_id: int) -> Branch:
    async with harness.services.session_factory() as session:
        branch = await session.get(Branch, branch_id)
    assert branch is not None
    return branch


async def make_secretary(
    harness: BotHarness, user: SimUser, *, name: str = "第一党支部", org: str = "某某科技有限公司"
) -> Branch:
    """A branch whose secretary is ``user`` (through the services: the invitation UI is tested elsewhere)."""
    created = await harness.services.branches.create(
        org_name=org, name=name, form="single", formal_members=8, units=None, created_by=ADMIN_ID
    )
    result = await harness.services.branches.redeem(created.code, user_id=user.id, name=user.first_name)
    assert result.status == "ok" and result.branch is not None
    return result.branch


# --------------------------------------------------------------------------------------------------
# Driving the bot
# --------------------------------------------------------------------------------------------------


@dataclass
class Chat:
    """One user's private chat with the bot."""

    harness: BotHarness
    user: SimUser

    @property
    def emu(self):
        return self.harness.emulator

    @property
    def id(self) -> int:
        return self.user.id

    async def reply(self, timeout: float = 5.0) -> SentMessage:  # noqa: ASYNC109
        """The next new message (sendMessage) the bot sends here; edits before it are skipped."""
        return await self.emu.wait_for_message(self.id, lambda m: m.kind == "send", timeout=timeout)

    async def send(self, text: str) -> SentMessage:
        self.user.send_text(text)
        return await self.reply()

    async def press(self, message: SentMessage, data: str) -> SentMessage:
        """Press the button with ``data`` (which must be on the message) and return the next new message."""
        self.user.press(message, data)
        return await self.reply()

    async def press_in_place(self, message: SentMessage, data: str) -> SentMessage:
        """Press a button that updates its own message (editMessageText)."""
        self.user.press(message, data)
        return await self.emu.wait_for_message(self.id, lambda m: m.kind == "edit_text")

    async def press_for_answer(self, message: SentMessage | int, data: str, *, check: bool = True) -> dict:
        """Press and return the parameters of the callback query's answer (text, show_alert)."""
        update = self.user.press(message, data, check=check)
        query_id = update["callback_query"]["id"]
        call = await self.emu.wait_for_call(
            "answerCallbackQuery", lambda c: c.params.get("callback_query_id") == query_id
        )
        return call.params

    async def photo(self, content: bytes, **kwargs: Any) -> tuple[dict, SentMessage]:
        update = self.user.send_photo(content=content, **kwargs)
        return update, await self.reply()

    async def step(self) -> str | None:
        row = await draft(self.harness, self.id)
        return row.step if row else None

    async def data(self) -> dict:
        row = await draft(self.harness, self.id)
        assert row is not None, "no draft"
        return dict(row.data)


def hint(message: SentMessage, *needles: str) -> None:
    """A validation hint: a warning that says what is wrong."""
    text = message.plain_text or ""
    assert text.startswith("⚠️"), text
    for needle in needles:
        assert needle in text, (needle, text)


STEPS = (
    "kind",
    "date",
    "topic",
    "place",
    "attendance",
    "absentees",
    "fields",
    "minutes",
    "photos",
    "summary",
)


@dataclass
class Form:
    """One run through the form for ``code``, checking every prompt on the way."""

    chat: Chat
    code: str
    topic: str = "学习贯彻党的二十大精神"
    place: str = "公司三楼会议室"
    minutes: str = "会议由书记主持，传达学习了上级文件精神，党员逐一发言，形成三项决定。"
    photo_seed: int = 0
    use_jpeg: bool = False
    prompt: SentMessage | None = None
    details: dict[str, Any] = field(default_factory=dict)
    photos: list[dict] = field(default_factory=list)  # {"file_id", "unique_id", "content"}
    done: list[str] = field(default_factory=list)

    @property
    def ak(self) -> ActivityKind:
        ak = activity_by_code(self.code)
        assert ak is not None
        return ak

    @property
    def head(self) -> str:
        return f"【{self.ak.name}】"

    async def run(self, until: str = "summary") -> SentMessage:
        """Answer every step up to and including ``until`` (``"confirm"``: submit too); the prompt that
        follows is returned (and kept in ``self.prompt``)."""
        order = [*STEPS, "confirm"]
        for step in order[order.index(self.done[-1]) + 1 if self.done else 0 : order.index(until) + 1]:
            await getattr(self, f"do_{step}")()
            self.done.append(step)
        assert self.prompt is not None
        return self.prompt

    async def do_kind(self) -> None:
        menu = await self.chat.send("/submit")
        assert menu.plain_text == "请选择要登记的活动类型：", menu.plain_text
        assert len([b for b in menu.buttons if b["callback_data"].startswith("f:kind:")]) == len(CATALOGUE)
        label = f"{self.ak.button}（{self.ak.cadence.label}）"
        assert menu.button(label)["callback_data"] == f"f:kind:{self.code}"
        self.prompt = await self.chat.press(menu, f"f:kind:{self.code}")
        assert self.prompt.plain_text.startswith(f"{self.head}活动是哪天开展的？")
        assert self.prompt.button_texts[:2] == ["今天", "昨天"]

    async def do_date(self) -> None:
        self.prompt = await self.chat.press(self.prompt, "f:date:0")
        assert self.prompt.plain_text == f"{self.head}活动主题是什么？"

    async def do_topic(self) -> None:
        self.prompt = await self.chat.send(self.topic)
        assert self.prompt.plain_text == f"{self.head}活动地点在哪里？"

    async def do_place(self) -> None:
        self.prompt = await self.chat.send(self.place)
        assert self.prompt.plain_text.startswith(f"{self.head}应到、实到各多少人？")

    async def do_attendance(self) -> None:
        self.prompt = await self.chat.send("应到8人，实到7人")
        assert self.prompt.plain_text.startswith(f"{self.head}有 1 人缺席。")

    async def do_absentees(self) -> None:
        self.prompt = await self.chat.send("张三 出差")
        self._expect_after_absentees_or_field(0)

    def _expect_after_absentees_or_field(self, index: int) -> None:
        text = self.prompt.plain_text
        if index < len(self.ak.fields):
            spec = self.ak.fields[index]
            hint = "\n不填写可发送 /skip。" if spec.optional else ""
            assert text == f"{self.head}{spec.prompt}{hint}", text
        else:
            assert text.startswith(f"{self.head}请发送会议记录"), text

    async def do_fields(self) -> None:
        for index, spec in enumerate(self.ak.fields):
            if spec.input_type == "multi":
                first, second = spec.options[1], spec.options[3]
                edited = await self.chat.press_in_place(self.prompt, f"f:opt:{spec.key}:1_on")
                assert f"✅ {first}" in edited.button_texts
                edited = await self.chat.press_in_place(self.prompt, f"f:opt:{spec.key}:3_on")
                assert {f"✅ {first}", f"✅ {second}"} <= set(edited.button_texts)
                self.prompt = await self.chat.press(self.prompt, f"f:done:field:{spec.key}")
                self.details[spec.key] = [first, second]
            elif spec.input_type == "choice":
                self.prompt = await self.chat.press(self.prompt, f"f:opt:{spec.key}:1")
                self.details[spec.key] = spec.options[1]
            elif spec.input_type == "int":
                self.prompt = await self.chat.send("3")
                self.details[spec.key] = 3
            else:
                value = f"{spec.label}测试内容"
                self.prompt = await self.chat.send(value)
                self.details[spec.key] = value
            self._expect_after_absentees_or_field(index + 1)

    async def do_minutes(self) -> None:
        self.prompt = await self.chat.send(self.minutes)
        assert self.prompt.plain_text.startswith(
            f"{self.head}请发送活动照片，至少{self.ak.min_photos}张、最多{self.ak.max_photos}张"
        )
        assert self.prompt.button_texts[0] == "完成"

    async def add_photo(self, content: bytes | None = None) -> SentMessage:
        seed = self.photo_seed + len(self.photos)
        content = content or (jpeg(seed) if self.use_jpeg else png(seed))
        update, reply = await self.chat.photo(content)
        biggest = update["message"]["photo"][-1]
        self.photos.append(
            {"file_id": biggest["file_id"], "unique_id": biggest["file_unique_id"], "content": content}
        )
        return reply

    async def do_photos(self) -> None:
        for _ in range(self.ak.min_photos - len(self.photos)):
            reply = await self.add_photo()
            assert reply.plain_text.startswith(f"已收到 {len(self.photos)} 张照片。"), reply.plain_text
            self.prompt = reply
        assert "还有就继续发" in self.prompt.plain_text

    async def do_summary(self) -> None:
        self.prompt = await self.chat.press(self.prompt, "f:done:photos")
        assert self.prompt.plain_text.startswith(f"请核对【{self.ak.name}】记录："), self.prompt.plain_text
        assert self.prompt.button_texts[0] == "✅ 确认提交"

    async def do_confirm(self) -> None:
        self.prompt = await self.chat.press(self.prompt, "f:confirm")
        assert self.prompt.plain_text.startswith("✅ 提交成功，等待审核。"), self.prompt.plain_text


def summary_lines(form: Form) -> list[str]:
    """What the summary must say for a form run with the defaults."""
    ak = form.ak
    lines = [
        f"请核对【{ak.name}】记录：",
        f"日期：{TODAY:%Y-%m-%d}（{period_of(ak.cadence, TODAY).label}）",
        f"主题：{form.topic}",
        f"地点：{form.place}",
        "出勤：应到8人，实到7人",
        "  缺席：张三（出差）",
    ]
    for spec in ak.fields:
        value = form.details.get(spec.key)
        lines.append(f"{spec.label}：{'、'.join(value) if isinstance(value, list) else value}")
    lines += [f"会议记录：{form.minutes[:60]}", f"照片：{len(form.photos)}张"]
    return lines


async def check_record(harness: BotHarness, form: Form, branch_id: int) -> ActivityRecord:
    """The submitted record is in the database as filled in, its photos in the file store."""
    rows = [r for r in await records(harness, branch_id) if r.topic == form.topic]
    assert len(rows) == 1, rows
    record = rows[0]
    ak = form.ak
    assert (record.kind, record.period, record.held_on) == (ak.code, period_of(ak.cadence, TODAY).code, TODAY)
    assert (record.place, record.expected, record.actual) == (form.place, 8, 7)
    assert record.absentees == [{"name": "张三", "reason": "出差"}]
    assert record.details == form.details
    assert record.status == "active" and record.submitted_by == form.chat.id
    files = [f for f in await record_files(harness, record.id) if f.role == "photo"]
    assert [
        (f.telegram_file_id, f.telegram_file_unique_id) for f in sorted(files, key=lambda f: f.position)
    ] == [(p["file_id"], p["unique_id"]) for p in form.photos]
    for f, p in zip(sorted(files, key=lambda f: f.position), form.photos, strict=True):
        assert f.sha256 == sha256(p["content"]) and f.size == len(p["content"])
        assert f.mime == ("image/jpeg" if p["content"].startswith(b"\xff\xd8") else "image/png")
        assert stored_path(harness, f.sha256).read_bytes() == p["content"]
    return record


async def open_record(
    chat: Chat, listing: SentMessage, record_id: int
) -> tuple[list[SentMessage], SentMessage]:
    """Press a record in the /records list: the files the bot re-sent, then the description."""
    before = len(chat.emu.messages(chat.id))
    description = await chat.press(listing, f"r:open:{record_id}")
    sent = chat.emu.messages(chat.id)[before:]
    return [m for m in sent if m.kind in ("photo", "document")], description
