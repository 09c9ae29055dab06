"""A record whose evidence Telegram no longer takes by file id ("Wrong file identifier": another bot token, an
expired id) still opens: the files are sent again from the stored copies, a file that cannot be sent either way is
named in one note, and the record's text always follows."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from handlers.services.clock import FixedClock
from storage.models import RecordFile
from tests.tg.forms_world import ADMIN_ID, ALICE, START, Chat, Form, docx, make_secretary, records


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@dataclass
class WithMinutesFile(Form):
    """The form with a .docx as its minutes."""

    async def do_minutes(self) -> None:
        self.chat.user.send_document("会议记录.docx", "application/octet-stream", content=docx())
        self.prompt = await self.chat.reply()
        assert self.prompt.plain_text.startswith("已收到会议记录文件。"), self.prompt.plain_text


async def forget_file_ids(harness, record_id: int) -> list[RecordFile]:
    """Every file of the record gets a file id Telegram does not know (as after the bot's token changed)."""
    async with harness.services.session_factory() as session, session.begin():
        rows = list(
            (await session.execute(select(RecordFile).where(RecordFile.record_id == record_id))).scalars()
        )
        for row in rows:
            row.telegram_file_id = f"AgACAgUAAxkBAAIunknown{row.id}"
    return rows


async def test_evidence_with_a_wrong_file_id_is_sent_from_the_stored_copy(make_bot, clock) -> None:
    async with make_bot(clock=clock, BRANCHBOT_ADMIN_IDS=str(ADMIN_ID)) as harness:
        emu = harness.emulator
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, alice.user)
        form = WithMinutesFile(alice, "theme_day")
        await form.run("confirm")
        (record,) = await records(harness)
        notice = await admin.reply()
        await forget_file_ids(harness, record.id)

        for chat, listing, data in (
            (alice, await alice.send("/records"), f"r:open:{record.id}"),
            (admin, notice, f"rv:open:{record.id}"),
        ):
            before = len(emu.messages(chat.id))
            chat.user.press(listing, data)
            view = await emu.wait_for_message(chat.id, lambda m: (m.plain_text or "").startswith("记录编号"))
            assert view.plain_text.startswith(f"记录编号：JL2026-{record.id:06d}"), view.plain_text
            sent = emu.messages(chat.id)[before:]
            photos = [m for m in sent if m.kind == "photo"]
            documents = [m for m in sent if m.kind == "document"]
            contents = [emu._files[m.message["photo"][-1]["file_id"]].content for m in photos]
            assert contents == [p["content"] for p in form.photos]
            assert len(documents) == 1 and documents[0].message["caption"] == "会议记录"
            assert emu._files[documents[0].message["document"]["file_id"]].content == docx()
            assert not [m for m in sent if "无法显示" in (m.plain_text or "")]
        assert not [
            m for m in emu.messages(ALICE) + emu.messages(ADMIN_ID) if "出了点问题" in (m.plain_text or "")
        ]
        # The file ids Telegram gave the uploaded copies are kept: the next view sends by id, uploading nothing
        async with harness.services.session_factory() as session:
            rows = list(
                (await session.execute(select(RecordFile).where(RecordFile.record_id == record.id))).scalars()
            )
        assert rows and all(r.telegram_file_id in emu._files for r in rows)
        photo_rows = sorted((r for r in rows if r.role == "photo"), key=lambda r: r.position)
        assert [emu._files[r.telegram_file_id].content for r in photo_rows] == [
            p["content"] for p in form.photos
        ]
        known = {r.telegram_file_id for r in rows}
        before = len(emu.messages(ALICE))
        alice.user.press(await alice.send("/records"), f"r:open:{record.id}")
        await emu.wait_for_message(ALICE, lambda m: (m.plain_text or "").startswith("记录编号"))
        files = [m for m in emu.messages(ALICE)[before:] if m.kind in ("photo", "document")]
        sent_ids = {
            m.message["photo"][-1]["file_id"] if m.kind == "photo" else m.message["document"]["file_id"]
            for m in files
        }
        assert len(files) == len(rows) and sent_ids <= known, (sent_ids, known)


async def test_evidence_that_cannot_be_sent_is_named_and_the_text_still_comes(make_bot, clock) -> None:
    async with make_bot(clock=clock) as harness:
        emu = harness.emulator
        alice = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, alice.user)
        form = Form(alice, "theme_day")
        await form.run("confirm")
        (record,) = await records(harness)
        files = await forget_file_ids(harness, record.id)
        await harness.services.files.delete(files[0].sha256)  # one stored copy is gone too

        before = len(emu.messages(ALICE))
        alice.user.press(await alice.send("/records"), f"r:open:{record.id}")
        view = await emu.wait_for_message(ALICE, lambda m: (m.plain_text or "").startswith("记录编号"))
        assert view.plain_text.startswith(f"记录编号：JL2026-{record.id:06d}"), view.plain_text
        assert "撤回这条记录" in view.button_texts
        sent = emu.messages(ALICE)[before:]
        photos = [m for m in sent if m.kind == "photo"]
        assert [emu._files[m.message["photo"][-1]["file_id"]].content for m in photos] == [
            form.photos[1]["content"]
        ]
        notes = [m.plain_text for m in sent if m.kind == "send" and "无法显示" in (m.plain_text or "")]
        assert notes == ["⚠️ 有1张照片暂时无法显示（文件未能发送），记录的文字内容见下。"]

        # Telegram refuses the upload of the one stored copy too: both photos are named, the text still comes
        emu.fail_next("sendPhoto", status=400, description="Bad Request: IMAGE_PROCESS_FAILED", count=1)
        before = len(emu.messages(ALICE))
        alice.user.press(await alice.send("/records"), f"r:open:{record.id}")
        view = await emu.wait_for_message(ALICE, lambda m: (m.plain_text or "").startswith("记录编号"))
        assert view.plain_text.startswith(f"记录编号：JL2026-{record.id:06d}"), view.plain_text
        notes = [m.plain_text for m in emu.messages(ALICE)[before:] if "无法显示" in (m.plain_text or "")]
        assert notes == ["⚠️ 有2张照片暂时无法显示（文件未能发送），记录的文字内容见下。"]
