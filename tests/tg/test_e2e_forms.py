"""The activity-record form end to end: the real application polling the Bot API emulator, a fixed clock,
a SQLite database and a file store in ``tmp_path``.

Every scenario drives the bot the way a secretary does (commands, buttons, photos, documents) and checks
both what the user sees and what the database and the file store hold. The helpers here (tiny real
images and documents, :class:`Chat`, :class:`Form`, the database look-ups) are shared with
``test_e2e_branches.py``.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from handlers.services.clock import SHANGHAI, FixedClock
from knowledge.activities import CATALOGUE, ActivityKind, activity_by_code, period_of
from storage.models import ActivityRecord, Branch, Draft, RecordAmendment, RecordFile
from tests.emulator import SentMessage, SimUser
from tests.fixtures_bot import BotHarness

START = datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI)  # a Sunday
TODAY = START.date()
ADMIN_ID = 900_001
ALICE, BOB, CAROL = 810_001, 810_002, 810_003
QUESTION = "主题党日多久开展一次"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


# --------------------------------------------------------------------------------------------------
# Tiny real files
# --------------------------------------------------------------------------------------------------


def png(seed: int) -> bytes:
    """A valid 1x1 RGB PNG whose colour (hence bytes and SHA-256) depends on ``seed``."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    pixel = bytes((seed * 53 % 256, seed * 97 % 256, seed % 256))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00" + pixel))
        + chunk(b"IEND", b"")
    )


def jpeg(seed: int) -> bytes:
    """A valid baseline 8x8 grey JPEG (one flat block: DC category 0, then EOB); ``seed`` goes into a
    comment so that every seed gives other bytes."""

    def segment(marker: int, payload: bytes) -> bytes:
        return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload

    one_code = bytes([1] + [0] * 15) + b"\x00"  # one Huffman code of length 1, for symbol 0
    return (
        b"\xff\xd8"
        + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + segment(0xFE, f"branchbot test photo {seed}".encode())
        + segment(0xDB, b"\x00" + bytes([1] * 64))
        + segment(0xC0, b"\x08" + struct.pack(">HH", 8, 8) + b"\x01\x01\x11\x00")
        + segment(0xC4, b"\x00" + one_code)  # DC table 0
        + segment(0xC4, b"\x10" + one_code)  # AC table 0 (symbol 0 = EOB)
        + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + b"\x3f"  # "0" (DC diff 0), "0" (EOB), padded with 1 bits
        + b"\xff\xd9"
    )


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def docx(text: str = "支部委员会会议记录") -> bytes:
    """A minimal real Word document (OOXML package)."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/></Relationships>'
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in (
            ("[Content_Types].xml", content_types),
            ("_rels/.rels", rels),
            ("word/document.xml", document),
        ):
            # A fixed timestamp: the same text must give the same bytes (and the same SHA-256) on every call.
            archive.writestr(
                zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), body, zipfile.ZIP_DEFLATED
            )
    return buffer.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stored_path(harness: BotHarness, digest: str) -> Path:
    return Path(harness.settings.data_dir) / "objects" / digest[:2] / digest


def stored_objects(harness: BotHarness) -> set[str]:
    root = Path(harness.settings.data_dir) / "objects"
    return {p.name for p in root.glob("*/*") if not p.name.startswith(".")} if root.exists() else set()


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


# --------------------------------------------------------------------------------------------------
# The happy path, for every kind of the catalogue
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [ak.code for ak in CATALOGUE])
async def test_happy_path_for_every_kind(make_bot, clock: FixedClock, code: str) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        branch = await make_secretary(harness, chat.user)
        form = Form(chat, code, use_jpeg=code in ("committee", "review"))
        summary = await form.run("summary")
        assert summary.plain_text.split("\n") == summary_lines(form)
        edit_labels = [t for t in summary.button_texts if t.startswith("改")]
        assert edit_labels[:4] == ["改日期", "改主题", "改地点", "改出勤"]
        assert edit_labels[-2:] == ["改会议记录", "改照片"]

        receipt = await form.run("confirm")
        record = await check_record(harness, form, branch.id)
        ak = form.ak
        assert receipt.plain_text.split("\n")[:4] == [
            "✅ 提交成功，等待审核。",
            f"记录编号：JL2026-{record.id:06d}",
            f"{ak.name} · {period_of(ak.cadence, TODAY).label} · 2026-11-22",
            f"主题：{form.topic}",
        ]
        assert record.minutes_text == form.minutes
        assert await draft(harness, chat.id) is None  # the draft is gone once submitted
        assert harness.emulator.unknown_calls == []


# --------------------------------------------------------------------------------------------------
# Validation: every hint keeps the step
# --------------------------------------------------------------------------------------------------


async def test_every_hint_keeps_the_step(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        emu = harness.emulator
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        branch = await make_secretary(harness, chat.user)
        form = Form(chat, "theme_day")  # monthly, at least 2 photos, a multi and an optional text field
        prompt = await form.run("kind")

        async def rejected(reply: SentMessage, step: str, *needles: str) -> None:
            hint(reply, *needles)
            assert await chat.step() == step

        # -- date --
        chat.user.send_sticker()
        reply = await chat.reply()
        assert reply.plain_text.startswith("这一步不需要发送贴纸。")
        assert prompt.plain_text in reply.plain_text and reply.button_texts[:2] == ["今天", "昨天"]
        assert await chat.step() == "date"
        _, reply = await chat.photo(png(90))
        assert reply.plain_text.startswith("这一步不需要发送文件。") and await chat.step() == "date"
        await rejected(await chat.send("/skip"), "date", "必填")
        await rejected(await chat.send("明天"), "date")  # not understood (only 今天/昨天/前天 are)
        await rejected(await chat.send("2026-12-01"), "date", "不能晚于今天")
        await rejected(await chat.send("2026-09-30"), "date", "只能补录上月和本月的活动（2026-10-01 以后）")
        await rejected(await chat.send("上个月月底"), "date", "没看懂这个日期")
        await rejected(await chat.send("2026-02-30"), "date", "这个日期不存在")
        reply = await chat.send("2026年10月1日")  # the first day of the previous period is allowed
        assert reply.plain_text == f"{form.head}活动主题是什么？"
        assert (await chat.data())["held_on"] == "2026-10-01"

        # -- topic, place, attendance --
        await rejected(await chat.send("/skip"), "topic", "必填")
        await rejected(await chat.send("学"), "topic", "主题太短了")
        await rejected(await chat.send("学" * 201), "topic", "主题太长了（201字）")
        chat.user.send_voice()
        reply = await chat.reply()
        assert reply.plain_text.startswith("这一步不需要发送语音。") and await chat.step() == "topic"
        await chat.send(form.topic)
        await rejected(await chat.send("/skip"), "place", "必填")
        await chat.send(form.place)
        await rejected(
            await chat.send("应到8人，实到9人"), "attendance", "实到人数（9）不能多于应到人数（8）"
        )
        await rejected(await chat.send("八个人都到了"), "attendance", "请发送两个数字")
        await chat.send("应到8人，实到7人")
        form.done += ["date", "topic", "place", "attendance"]  # answered by hand above
        prompt = await chat.send("张三 出差")
        form.done.append("absentees")

        # -- the kind's fields: multi (at least one), optional text (/skip) --
        assert prompt.plain_text == f"{form.head}{form.ak.fields[0].prompt}"
        await rejected(
            await chat.press(prompt, "f:done:field:six_items"), "field:six_items", "请至少选择一项"
        )
        await rejected(await chat.send("学习讨论"), "field:six_items", "请点击下面的按钮选择")
        menu = emu.messages(chat.id)[-1]  # a hint repeats the option buttons: toggle on it
        edited = await chat.press_in_place(menu, "f:opt:six_items:0_on")
        assert "✅ 学习讨论" in edited.button_texts
        # The second tap of a double tap carries the button as it was: it chooses once more, never drops it
        # (helper-70's review: the second tap dropped 学习讨论).
        await chat.press_for_answer(menu, "f:opt:six_items:0_on", check=False)
        await emu.idle()
        assert (await chat.data())["details"]["six_items"] == ["学习讨论"]
        edited = emu.messages(chat.id)[-1]
        assert "✅ 学习讨论" in edited.button_texts
        edited = await chat.press_in_place(menu, "f:opt:six_items:0_off")  # its button now drops it
        assert "学习讨论" in edited.button_texts and not any(t.startswith("✅") for t in edited.button_texts)
        await chat.press_in_place(menu, "f:opt:six_items:1_on")
        reply = await chat.press(menu, "f:done:field:six_items")
        assert reply.plain_text == f"{form.head}{form.ak.fields[1].prompt}\n不填写可发送 /skip。"
        reply = await chat.send("/skip")  # optional
        assert reply.plain_text.startswith(f"{form.head}请发送会议记录")
        assert (await chat.data())["details"] == {"six_items": ["现场教学"]}

        # -- minutes: a real .docx --
        await rejected(await chat.send("/skip"), "minutes", "必填")
        await rejected(await chat.send("开了会"), "minutes", "会议记录太短了")
        chat.user.send_document("会议记录.docx", "application/octet-stream", content=docx())
        reply = await chat.reply()
        assert reply.plain_text.startswith("已收到会议记录文件。")
        assert f"{form.head}请发送活动照片，至少2张" in reply.plain_text
        photos_prompt = reply

        # -- photos --
        await rejected(await chat.send("照片等会儿发"), "photos", "这一步请发送活动照片（至少2张）")
        await rejected(await chat.send("/skip"), "photos", "照片是必需的")
        await rejected(
            await chat.press(photos_prompt, "f:done:photos"), "photos", "至少需要2张照片，现在有0张"
        )

        big = chat.user.send_document("现场照片.jpg", "image/jpeg", file_size=30 * 1024 * 1024)
        reply = await chat.reply()
        assert "超过 20MB" in reply.plain_text and await chat.step() == "photos"
        big_id = big["message"]["document"]["file_id"]
        assert [c for c in emu.calls_to("getFile") if c.params.get("file_id") == big_id] == []

        chat.user.send_document("现场照片.jpg", "image/jpeg", content="这其实是一段文字，不是照片。".encode())
        reply = await chat.reply()
        assert reply.plain_text.startswith("不支持这种文件。") and await chat.step() == "photos"

        reply = await form.add_photo(png(1))
        assert reply.plain_text.startswith("已收到 1 张照片。至少还需要 1 张。")
        # Once the photos have begun, a document is not one more minutes file (right after the minutes it is:
        # test_form_minutes_files.py)
        chat.user.send_document("议程.pdf", "application/pdf", content=PDF)
        refused = await chat.reply()
        assert refused.plain_text.startswith("这一步请发送活动照片（图片）") and await chat.step() == "photos"
        await rejected(await chat.press(reply, "f:done:photos"), "photos", "至少需要2张照片，现在有1张")
        reply = await form.add_photo(jpeg(2))
        assert reply.plain_text.startswith("已收到 2 张照片。还有就继续发")
        form.prompt = reply
        form.done.append("photos")

        summary = await form.run("summary")
        assert "会议记录：已上传文件" in summary.plain_text and "“X”自选活动：未填写" in summary.plain_text
        assert "日期：2026-10-01（2026年10月）" in summary.plain_text
        receipt = await form.run("confirm")
        (record,) = await records(harness, branch.id)
        assert f"记录编号：JL2026-{record.id:06d}" in receipt.plain_text
        assert (record.held_on.isoformat(), record.period, record.minutes_text) == (
            "2026-10-01",
            "2026-10",
            None,
        )
        files = await record_files(harness, record.id)
        minutes = [f for f in files if f.role == "minutes"]
        assert len(minutes) == 1 and minutes[0].sha256 == sha256(docx())
        assert minutes[0].mime == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        assert sorted(f.mime for f in files if f.role == "photo") == ["image/jpeg", "image/png"]
        # Only accepted files reach the store: the rejected text, PDF and oversized files do not.
        assert stored_objects(harness) == {sha256(docx()), sha256(png(1)), sha256(jpeg(2))}


# --------------------------------------------------------------------------------------------------
# Albums, duplicates, repeated updates
# --------------------------------------------------------------------------------------------------


async def test_album_in_shuffled_order_and_duplicates(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        emu = harness.emulator
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        branch = await make_secretary(harness, chat.user)
        form = Form(chat, "theme_day")
        await form.run("minutes")

        contents = [png(200 + i) for i in range(5)]
        updates = chat.user.send_album(contents, media_group_id="13579", order=[3, 0, 4, 1, 2])
        # Nothing per photo: one progress message once the album stopped coming (quiet period 1.2 s).
        await emu.expect_no_message(chat.id, within=0.9)
        progress = await chat.reply(timeout=3)
        assert progress.plain_text.startswith("已收到 5 张照片。还有就继续发")
        await emu.expect_no_message(chat.id, within=1.5)
        unique_ids = [u["message"]["photo"][-1]["file_unique_id"] for u in updates]
        assert sorted(p["unique_id"] for p in (await chat.data())["photos"]) == sorted(unique_ids)

        # The same photo again (a new file_id, the same file_unique_id) and a repeated update: no new photo.
        chat.user.send_photo(
            file_id="AgACAgUAAxkBAAIresent", file_unique_id=unique_ids[0], content=contents[0]
        )
        emu.redeliver(updates[2])
        progress = await chat.reply(timeout=4)
        assert progress.plain_text.startswith("已收到 5 张照片。")
        assert len((await chat.data())["photos"]) == 5

        form.prompt = progress
        form.done.append("photos")
        by_unique = {u["message"]["photo"][-1]["file_unique_id"]: u for u in updates}
        summary = await form.run("summary")
        assert "照片：5张" in summary.plain_text
        await form.run("confirm")
        (record,) = await records(harness, branch.id)
        files = await record_files(harness, record.id)
        assert sorted(f.telegram_file_unique_id for f in files) == sorted(unique_ids)
        for f in files:
            content = contents[updates.index(by_unique[f.telegram_file_unique_id])]
            assert f.sha256 == sha256(content) and stored_path(harness, f.sha256).read_bytes() == content
        assert stored_objects(harness) == {sha256(c) for c in contents}


async def test_redelivered_text_update_is_not_processed_twice(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        emu = harness.emulator
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        form = Form(chat, "committee")
        await form.run("date")
        update = chat.user.send_text(form.topic)
        assert (await chat.reply()).plain_text == f"{form.head}活动地点在哪里？"
        await emu.idle()
        emu.redeliver(update)  # e.g. the bot crashed before confirming it
        await emu.idle()
        await emu.expect_no_message(chat.id, within=0.5)
        data = await chat.data()
        assert await chat.step() == "place" and "place" not in data, data


async def test_editing_an_earlier_message_is_not_a_new_answer(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        form = Form(chat, "committee")
        await form.run("date")
        update = chat.user.send_text("支委会：研究发展党员工作")
        assert (await chat.reply()).plain_text == f"{form.head}活动地点在哪里？"
        chat.user.edit_text(update["message"], "支委会：研究发展党员和党费工作")
        # The user is told the edit changes nothing, once per message (helper-67's review: silence).
        told = await chat.reply()
        assert told.plain_text.startswith("提示：修改已发送的消息不会改动正在填写的表单。"), told.plain_text
        chat.user.edit_text(update["message"], "支委会：研究发展党员和党费等工作")
        await harness.emulator.idle()
        await harness.emulator.expect_no_message(chat.id, within=0.3)
        data = await chat.data()
        assert "place" not in data and await chat.step() == "place", data
        assert data["topic"] == "支委会：研究发展党员工作"


async def test_superscript_digit_gets_the_number_hint(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        await Form(chat, "joint_study").run("absentees")
        prompt = await chat.send("学习《中华人民共和国民营经济促进法》")
        assert "管理层有几人参加" in prompt.plain_text
        reply = await chat.send("²")
        assert await chat.step() == "field:managers"
        hint(reply, "请发送一个数字")


# --------------------------------------------------------------------------------------------------
# Drafts survive restarts; a form left alone for 30 minutes lets questions through
# --------------------------------------------------------------------------------------------------


async def test_restart_in_the_middle_keeps_the_draft(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as first:
        chat = Chat(first, first.user(ALICE, "王书记"))
        branch = await make_secretary(first, chat.user)
        form = Form(chat, "lecture", topic="党课：新时代党的建设")
        await form.run("topic")
    # The application stopped; a new one starts on the same database and data dir.
    async with make_bot(clock=clock) as second:
        chat = form.chat = Chat(second, second.user(ALICE))
        offer = await chat.send("/submit")
        assert offer.plain_text == "您有一份未完成的草稿（党课，填到“地点”）。要继续填写吗？"
        assert offer.button_texts == ["继续填写", "重新开始"]
        form.prompt = await chat.press(offer, "f:resume")
        assert form.prompt.plain_text == "【党课】活动地点在哪里？"
        data = await chat.data()
        assert (data["kind"], data["topic"], data["held_on"]) == ("lecture", form.topic, "2026-11-22")
        await form.run("confirm")
        record = await check_record(second, form, branch.id)
        assert record.topic == "党课：新时代党的建设"


async def test_after_31_minutes_free_text_is_a_question(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        branch = await make_secretary(harness, chat.user)
        form = Form(chat, "theme_day")
        await form.run("topic")
        clock.advance(timedelta(minutes=31))

        answer = await chat.send(QUESTION)
        assert answer.parse_mode == "HTML" and "【主题党日】" not in answer.plain_text
        assert "出处" in answer.plain_text, answer.plain_text
        data = await chat.data()
        assert await chat.step() == "place" and "place" not in data and data["topic"] == form.topic
        hint = await chat.reply()  # once per idle draft: the answer is followed by where the draft is
        assert "未完成的【主题党日】草稿" in hint.plain_text and "/submit" in hint.plain_text

        offer = await chat.send("/submit")
        assert offer.plain_text.startswith("您有一份未完成的草稿（主题党日，填到“地点”）")
        form.prompt = await chat.press(offer, "f:resume")
        assert form.prompt.plain_text == "【主题党日】活动地点在哪里？"
        await form.run("confirm")  # the form is active again: text goes to the form
        await check_record(harness, form, branch.id)


async def test_cancel_deletes_the_draft(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        await Form(chat, "assembly").run("place")
        assert await draft(harness, chat.id) is not None
        question = await chat.send("/cancel")  # the draft holds what was typed: asked first
        assert question.plain_text == "确定要取消吗？已填写的内容（日期、主题、地点）将被删除。"
        assert await draft(harness, chat.id) is not None
        clock.advance(timedelta(seconds=5))
        reply = await chat.send("/cancel")  # /cancel again (not at once: that is a double tap) confirms
        assert reply.plain_text == "已取消，草稿已删除。需要时可发送 /submit 重新填写。"
        assert await draft(harness, chat.id) is None
        answer = await chat.send(QUESTION)  # no form: a question
        assert answer.parse_mode == "HTML"
        assert (await chat.send("/cancel")).plain_text == "当前没有正在填写的表单。"
        assert (await chat.send("/submit")).plain_text == "请选择要登记的活动类型："  # no offer to continue


async def test_cancel_button_deletes_the_draft(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        prompt = await Form(chat, "observation").run("topic")
        question = await chat.press(prompt, "f:cancel")
        assert question.button_texts == ["确认取消", "继续填写"] and await draft(harness, chat.id) is not None
        reply = await chat.press(question, "f:discard")
        assert reply.plain_text.startswith("已取消，草稿已删除。") and await draft(harness, chat.id) is None


# --------------------------------------------------------------------------------------------------
# Two branches at once; editing from the summary
# --------------------------------------------------------------------------------------------------


async def test_two_secretaries_interleaved(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        alice = Chat(harness, harness.user(ALICE, "王书记"))
        bob = Chat(harness, harness.user(BOB, "李书记"))
        branch_a = await make_secretary(harness, alice.user, name="甲公司党支部", org="甲公司")
        branch_b = await make_secretary(harness, bob.user, name="乙公司党支部", org="乙公司")
        form_a = Form(alice, "theme_day", topic="甲：学习新党章", place="甲公司会议室", photo_seed=10)
        form_b = Form(bob, "theme_day", topic="乙：重温入党誓词", place="乙公司活动室", photo_seed=50)
        for step in [*STEPS, "confirm"]:
            await form_a.run(step)
            await form_b.run(step)
        record_a = await check_record(harness, form_a, branch_a.id)
        record_b = await check_record(harness, form_b, branch_b.id)
        assert record_a.branch_id != record_b.branch_id
        assert [r.topic for r in await records(harness)] == [form_a.topic, form_b.topic]
        files_a = {f.sha256 for f in await record_files(harness, record_a.id)}
        files_b = {f.sha256 for f in await record_files(harness, record_b.id)}
        assert files_a.isdisjoint(files_b)


async def test_summary_edit_topic_returns_to_the_summary(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        branch = await make_secretary(harness, chat.user)
        form = Form(chat, "joint_study")
        summary = await form.run("summary")
        prompt = await chat.press(summary, "f:edit:topic")
        assert prompt.plain_text == "【党组织与管理层集体学习】活动主题是什么？"
        form.topic = "改：学习民营经济促进法"
        form.prompt = await chat.send(form.topic)
        assert form.prompt.plain_text.split("\n") == summary_lines(form)
        prompt = await chat.press(form.prompt, "f:edit:place")
        form.place = "改：公司报告厅"
        form.prompt = await chat.send(form.place)
        assert form.prompt.plain_text.split("\n") == summary_lines(form)
        await form.run("confirm")
        await check_record(harness, form, branch.id)


async def test_summary_edit_attendance_without_absentees_returns_to_the_summary(
    make_bot, clock: FixedClock
) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        summary = await Form(chat, "theme_day").run("summary")
        prompt = await chat.press(summary, "f:edit:attendance")
        assert prompt.plain_text.startswith("【主题党日】应到、实到各多少人？")
        reply = await chat.send("应到8人，实到8人")
        assert reply.plain_text.startswith("请核对【主题党日】记录："), reply.plain_text


# --------------------------------------------------------------------------------------------------
# /records: open (photos re-sent), withdraw within 24 hours, amend with a reason
# --------------------------------------------------------------------------------------------------


async def open_record(
    chat: Chat, listing: SentMessage, record_id: int
) -> tuple[list[SentMessage], SentMessage]:
    """Press a record in the /records list: the files the bot re-sent, then the description."""
    before = len(chat.emu.messages(chat.id))
    description = await chat.press(listing, f"r:open:{record_id}")
    sent = chat.emu.messages(chat.id)[before:]
    return [m for m in sent if m.kind in ("photo", "document")], description


async def test_records_open_withdraw_and_amend(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        emu = harness.emulator
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        branch = await make_secretary(harness, chat.user)
        theme = Form(chat, "theme_day", topic="主题党日：参观红色教育基地", photo_seed=1)
        await theme.run("confirm")
        committee = Form(chat, "committee", topic="支委会：研究发展党员", photo_seed=9, use_jpeg=True)
        await committee.run("confirm")
        theme_record, committee_record = await records(harness, branch.id)

        listing = await chat.send("/records")
        assert listing.plain_text == "本支部近12个月的活动记录共 2 条，点击查看："
        assert [b["callback_data"] for b in listing.buttons] == [
            f"r:open:{committee_record.id}",
            f"r:open:{theme_record.id}",
        ]
        assert listing.button_texts[1] == "11-22 主题党日 主题党日：参观红色教育基"

        # Two photos come back as an album, with the stored file ids.
        files, description = await open_record(chat, listing, theme_record.id)
        assert [m.method for m in files] == ["sendMediaGroup", "sendMediaGroup"]
        assert [m.message["photo"][-1]["file_id"] for m in files] == [p["file_id"] for p in theme.photos]
        assert len({m.message["media_group_id"] for m in files}) == 1
        lines = description.plain_text.split("\n")
        assert lines[0] == f"记录编号：JL2026-{theme_record.id:06d}"
        assert lines[1] == "主题党日 · 2026年11月 · 2026-11-22"
        assert f"主题：{theme.topic}" in lines and "照片：2 张" in lines and "  缺席：张三（出差）" in lines
        assert description.button_texts == [
            "撤回这条记录", "修改主题", "修改地点", "修改会议记录", "修改出勤", "补充照片", "重新上传照片",
        ]  # fmt: skip

        # Withdraw within 24 hours: asked first, in place of the view.
        ask = await chat.press_in_place(description, f"r:withdraw:{theme_record.id}")
        assert ask.plain_text.startswith("确定撤回这条记录吗？撤回后不再计入本支部的活动。"), ask.plain_text
        assert ask.button_texts == ["确定撤回", "不撤回"]
        answer = await chat.press_for_answer(description, f"r:wd_yes:{theme_record.id}")
        assert answer.get("text") == "已撤回。"
        assert (await chat.reply()).plain_text == "这条记录已撤回，不再计入本支部的活动。"
        assert (await records(harness, branch.id))[0].status == "withdrawn"
        listing = await chat.send("/records")
        assert listing.button_texts[1].endswith("（已撤回）")
        _, description = await open_record(chat, listing, theme_record.id)
        assert description.plain_text.startswith(f"记录编号：JL2026-{theme_record.id:06d}（已撤回）")
        assert description.buttons == []

        # One photo comes back with sendPhoto; amend the topic with a reason.
        files, description = await open_record(chat, listing, committee_record.id)
        assert [(m.method, m.message["photo"][-1]["file_id"]) for m in files] == [
            ("sendPhoto", committee.photos[0]["file_id"])
        ]
        reply = await chat.press(description, f"r:amend:{committee_record.id}:topic")
        assert reply.plain_text == "请发送新的主题（发送 /cancel 取消）："
        assert (await chat.send("支委会：研究发展党员和党费收缴")).plain_text.endswith(
            "请简要说明修改原因（如“主题写错了”）："
        )
        assert (
            await chat.send("主题漏写了党费")
        ).plain_text == "已修改，修改记录已保存。发送 /records 可查看。"
        (amendment,) = await amendments(harness, committee_record.id)
        assert amendment.reason == "主题漏写了党费" and amendment.amended_by == chat.id
        assert amendment.changes == {"topic": [committee.topic, "支委会：研究发展党员和党费收缴"]}
        listing = await chat.send("/records")
        _, description = await open_record(chat, listing, committee_record.id)
        assert "主题：支委会：研究发展党员和党费收缴" in description.plain_text
        assert "改了主题，原因：主题漏写了党费" in description.plain_text

        # 25 hours later: withdrawing is refused, the record stays.
        clock.advance(timedelta(hours=25))
        answer = await chat.press_for_answer(description, f"r:withdraw:{committee_record.id}")
        assert answer.get("show_alert") is True and "已超过24小时" in answer.get("text", "")
        assert (await records(harness, branch.id))[1].status == "active"
        _, description = await open_record(chat, listing, committee_record.id)
        assert "撤回这条记录" not in description.button_texts
        await emu.idle()


async def test_amendment_time_is_shown_in_local_time(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        branch = await make_secretary(harness, chat.user)
        await Form(chat, "committee").run("confirm")
        (record,) = await records(harness, branch.id)
        listing = await chat.send("/records")
        _, description = await open_record(chat, listing, record.id)
        await chat.press(description, f"r:amend:{record.id}:place")
        await chat.send("党员活动室")
        await chat.send("地点写错了")
        _, description = await open_record(chat, listing, record.id)
        assert "修改：2026-11-22 10:00 改了地点，原因：地点写错了" in description.plain_text, (
            description.plain_text
        )


async def test_other_branch_cannot_open_a_record(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        emu = harness.emulator
        alice = Chat(harness, harness.user(ALICE, "王书记"))
        bob = Chat(harness, harness.user(BOB, "李书记"))
        carol = Chat(harness, harness.user(CAROL, "路人"))  # no branch at all
        branch_a = await make_secretary(harness, alice.user, name="甲公司党支部")
        await make_secretary(harness, bob.user, name="乙公司党支部")
        form = Form(alice, "theme_day", topic="甲支部的机密主题")
        await form.run("confirm")
        (record,) = await records(harness, branch_a.id)

        for chat in (bob, carol):
            anchor = await chat.send("/records")  # any bot message to press a forged button on
            calls_before = len(emu.calls)
            for data in (f"r:open:{record.id}", f"r:withdraw:{record.id}", f"r:amend:{record.id}:topic"):
                answer = await chat.press_for_answer(anchor, data, check=False)
                assert answer.get("show_alert") is True and "无权查看" in answer.get("text", ""), answer
            await emu.idle()
            sent = [c for c in emu.calls[calls_before:] if c.method.startswith("send")]
            assert sent == [], [(c.method, c.params) for c in sent]
            # Nothing owed: a following text is not taken as a new topic.
            assert form.topic not in (await chat.send(QUESTION)).plain_text
        (record,) = await records(harness, branch_a.id)
        assert record.status == "active" and record.topic == form.topic
        assert await amendments(harness, record.id) == []


async def test_a_photo_over_the_limit_is_refused_and_not_stored(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        form = Form(chat, "theme_day")
        await form.run("minutes")
        contents = [png(400 + i) for i in range(20)]
        chat.user.send_album(contents[:10], media_group_id="24680")
        chat.user.send_album(contents[10:], media_group_id="24681")
        progress = await chat.reply(timeout=5)
        assert progress.plain_text.startswith("已收到 20 张照片。")
        before = stored_objects(harness)

        chat.user.send_photo(file_id="AgACAgUAAxkBAAIextra", file_unique_id="AQADextra21", content=png(499))
        refused = await chat.reply()
        assert refused.plain_text.startswith("照片最多20张，多出的没有保存。")
        assert len((await chat.data())["photos"]) == 20
        assert stored_objects(harness) == before
        assert sha256(png(499)) not in before


async def test_a_summary_confirmed_past_the_window_is_refused(make_bot, clock: FixedClock) -> None:
    """A summary left open until the month after next may no longer be stored: the date step's window is checked
    again when the record is confirmed (a February draft confirmed on 2 April was stored, bypassing the rule)."""
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        form = Form(chat, "committee", use_jpeg=True)
        summary = await form.run("summary")
        clock.advance(timedelta(days=45))  # 22 November -> 6 January: November is no longer the month before
        refused = await chat.press(summary, "f:confirm")
        assert refused.plain_text.startswith(
            "⚠️ 活动日期 2026-11-22 已超出补录期限：支部委员会只能补录上月和本月的活动"
        )
        assert "改日期" in refused.button_texts
        assert await records(harness) == []
        assert await draft(harness, chat.id) is not None  # nothing entered is lost


async def test_an_unknown_command_in_a_form_asks_the_current_step_again(make_bot, clock: FixedClock) -> None:
    """helper-67's review: /back got "没有这个命令…直接输入您的问题", which left the form's question behind."""
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        form = Form(chat, "committee")
        await form.run("date")
        await chat.send("支委会：研究发展党员工作")
        reply = await chat.send("/back")
        assert reply.plain_text.startswith("没有这个命令。表单还在填写中，已填的内容都保留着"), (
            reply.plain_text
        )
        assert reply.plain_text.endswith(f"{form.head}活动地点在哪里？"), reply.plain_text
        assert reply.button_texts == ["取消填写"]
        data = await chat.data()
        assert await chat.step() == "place" and data["topic"] == "支委会：研究发展党员工作"


async def test_a_topic_typed_as_a_question_is_kept_and_the_user_is_told(make_bot, clock: FixedClock) -> None:
    """helper-67's review: 主题党日的主题应该怎么定？ at the 主题 step became the topic without a word."""
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        form = Form(chat, "committee")
        await form.run("date")
        reply = await chat.send("主题党日的主题应该怎么定？")
        assert reply.plain_text == (
            "提示：刚才这句像是提问，已记作活动主题。如果不是主题，请填完后在核对页点“改主题”；"
            f"政策问题请填完表单后再问。\n\n{form.head}活动地点在哪里？"
        ), reply.plain_text
        assert (await chat.data())["topic"] == "主题党日的主题应该怎么定？"
        plain = await chat.send("三楼会议室")  # an answer that is not a question: the prompt alone
        assert not plain.plain_text.startswith("提示："), plain.plain_text


async def test_a_pasted_notice_at_the_topic_step_keeps_its_first_line(make_bot, clock: FixedClock) -> None:
    """Tester's finding: 主题：…\n地点：…\n应到8人… pasted at the 主题 step became the topic whole."""
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        form = Form(chat, "committee")
        await form.run("date")
        reply = await chat.send("主题：研究发展党员工作\n地点：三楼会议室\n应到5人，实到5人")
        assert reply.plain_text == (
            "提示：您发送了多行文字，只把第一行“研究发展党员工作”记作活动主题，其余各行没有使用。\n\n"
            f"{form.head}活动地点在哪里？"
        ), reply.plain_text
        data = await chat.data()
        assert data["topic"] == "研究发展党员工作" and data["held_on"], data
        assert await chat.step() == "place"
