"""会议记录.docx and 签到表.pdf sent at the minutes step, as one album or one after the other: both are kept as the
minutes (the second was refused at the photos step, review 80), counted in the summary and the record, and sent
when the record is opened; 改会议记录 replaces them all."""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from tests.tg.forms_world import (
    ALICE,
    PDF,
    START,
    Chat,
    Form,
    docx,
    make_secretary,
    record_files,
    records,
    sha256,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def two_minutes_files(chat: Chat, form: Form, album: bool):
    """Sends the minutes and the sign-in sheet; the message that then asks for the photos."""
    group = "555" if album else None
    chat.user.send_document("会议记录.docx", "application/octet-stream", content=docx(), media_group_id=group)
    if album:
        chat.user.send_document("签到表.pdf", "application/pdf", content=PDF, media_group_id=group)
        told = await chat.reply(timeout=4)  # once, when the album stopped coming
        assert told.plain_text.startswith(f"已收到会议记录文件 2 份。\n\n{form.head}请发送活动照片，至少")
        await chat.emu.expect_no_message(chat.id, within=1.5)
        return told
    first = await chat.reply()
    assert first.plain_text.startswith(f"已收到会议记录文件。\n\n{form.head}请发送活动照片")
    chat.user.send_document("签到表.pdf", "application/pdf", content=PDF)
    second = await chat.reply()
    assert second.plain_text == "已作为会议记录的附件保存（共2份）。现在请发送活动照片。"
    assert second.button_texts == ["完成", "取消填写"]
    return second


@pytest.mark.parametrize("album", [True, False], ids=["album", "one-after-the-other"])
async def test_minutes_and_sign_in_sheet_are_both_kept(make_bot, clock: FixedClock, album: bool) -> None:
    async with make_bot(clock=clock) as harness:
        emu = harness.emulator
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        form = Form(chat, "committee")
        await form.run("fields")
        form.prompt = await two_minutes_files(chat, form, album)
        assert await chat.step() == "photos"
        form.done.append("minutes")
        summary = await form.run("summary")
        assert "会议记录：已上传文件2份" in summary.plain_text, summary.plain_text
        await form.run("confirm")

        (record,) = await records(harness)
        files = await record_files(harness, record.id)
        minutes = [f for f in files if f.role == "minutes"]
        assert [(f.sha256, f.mime) for f in minutes] == [
            (sha256(docx()), DOCX),
            (sha256(PDF), "application/pdf"),
        ]
        # the minutes first, then the photos, numbered through
        assert [(f.role, f.position) for f in files] == [
            ("minutes", 0), ("minutes", 1), *(("photo", 2 + i) for i in range(len(form.photos)))
        ]  # fmt: skip

        listing = await chat.send("/records")
        before = len(emu.messages(chat.id))
        chat.user.press(listing, f"r:open:{record.id}")
        view = await emu.wait_for_message(chat.id, lambda m: (m.plain_text or "").startswith("记录编号"))
        assert "会议记录：文件/照片 2 份" in view.plain_text, view.plain_text
        documents = [m for m in emu.messages(chat.id)[before:] if m.kind == "document"]
        sent = [emu._files[m.message["document"]["file_id"]].content for m in documents]
        assert sent == [docx(), PDF]


async def test_amending_the_minutes_replaces_every_file(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        form = Form(chat, "committee")
        await form.run("fields")
        form.prompt = await two_minutes_files(chat, form, album=False)
        form.done.append("minutes")
        summary = await form.run("summary")

        ask = await chat.press(summary, "f:edit:minutes")
        assert "发送的新记录将替换原来的会议记录" in ask.plain_text
        new_minutes = docx("修改后的会议记录")
        chat.user.send_document("会议记录（改）.docx", "application/octet-stream", content=new_minutes)
        summary = await chat.reply()
        assert summary.plain_text.startswith("已收到会议记录文件。\n\n请核对"), summary.plain_text
        assert "会议记录：已上传文件\n" in summary.plain_text
        # a sign-in sheet sent right after joins the new minutes, and the summary is shown again
        chat.user.send_document("签到表.pdf", "application/pdf", content=PDF)
        summary = await chat.reply()
        assert summary.plain_text.startswith("已作为会议记录的附件保存（共2份）。\n\n请核对"), (
            summary.plain_text
        )
        assert "会议记录：已上传文件2份" in summary.plain_text
        form.prompt = summary
        await form.run("confirm")

        (record,) = await records(harness)
        minutes = [f for f in await record_files(harness, record.id) if f.role == "minutes"]
        assert [f.sha256 for f in minutes] == [sha256(new_minutes), sha256(PDF)]
