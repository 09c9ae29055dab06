"""修改会议记录 takes a scan, a photo of the pages or a PDF/Word document as the new minutes (it took text only:
the secretary was told to withdraw the record and file it again). The files go through the file store as the
form's do, replace the record's minutes (typed minutes are cleared; the amendment keeps both sides), and the
change needs a reason and goes back to review like any other."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.services.clock import FixedClock
from storage.models import RecordAmendment
from tests.tg.forms_world import (
    ADMIN_ID,
    ALICE,
    PDF,
    START,
    Chat,
    Form,
    jpeg,
    make_secretary,
    record_files,
    records,
    sha256,
    stored_objects,
)

ADMINS = {"BRANCHBOT_ADMIN_IDS": str(ADMIN_ID)}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def _returned(harness, admin: Chat, alice: Chat):
    await make_secretary(harness, alice.user)
    await Form(alice, "committee").run("confirm")  # typed minutes
    (record,) = await records(harness)
    await admin.press(await admin.reply(), f"rv:ret:{record.id}")
    await admin.send("请上传签字后的会议记录扫描件")
    told = await alice.reply()
    assert "修改会议记录" in told.button_texts, told.button_texts
    return record, told


async def test_a_document_and_a_page_replace_the_typed_minutes(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "王书记"))
        record, told = await _returned(harness, admin, alice)
        ask = await alice.press(told, told.callback_data("修改会议记录"))
        assert "发送 PDF/Word 文件，或拍照发送" in ask.plain_text, ask.plain_text

        alice.user.send_document("会议记录.pdf", "application/pdf", content=PDF)
        counted = await alice.reply()
        assert counted.plain_text.startswith("已收到新的会议记录文件 1 份。"), counted.plain_text
        _, counted = await alice.photo(jpeg(61))
        assert counted.plain_text.startswith("已收到新的会议记录文件 1 份、照片 1 页。"), counted.plain_text
        _, again = await alice.photo(jpeg(61))  # the same page twice counts once
        assert "已经收到过了" in again.plain_text, again.plain_text

        asked = await alice.press(counted, counted.callback_data("完成"))
        assert "正在修改记录" in asked.plain_text and "的会议记录。请简要说明修改原因" in asked.plain_text
        done = await alice.send("按审核意见上传扫描件")
        assert done.plain_text.startswith("已修改，并已重新提交审核"), done.plain_text

        (after,) = await records(harness)
        assert after.minutes_text is None and after.review_state == "pending_review"
        minutes = [f for f in await record_files(harness, record.id) if f.role == "minutes"]
        assert [f.sha256 for f in minutes] == [sha256(PDF), sha256(jpeg(61))]
        assert {sha256(PDF), sha256(jpeg(61))} <= stored_objects(harness)
        async with harness.services.session_factory() as session:
            (amendment,) = await session.scalars(select(RecordAmendment))
        assert amendment.changes["minutes_files"] == [[], [sha256(PDF), sha256(jpeg(61))]]
        assert amendment.changes["minutes_text"] == [record.minutes_text, None]
        again = await admin.reply()
        assert again.button_texts[:2] == ["✅ 通过", "↩️ 退回"]  # the reviewers are told, as for any change


async def test_bad_files_and_done_too_early_lose_nothing(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "王书记"))
        record, told = await _returned(harness, admin, alice)
        await alice.press(told, told.callback_data("修改会议记录"))
        answer = await alice.press_for_answer(told, f"r:mdone:{record.id}", check=False)
        assert "还没有收到新的会议记录" in answer["text"], answer  # 完成 before any file
        alice.user.send_document("记录.pdf", "application/pdf", content="不是PDF，只是一段文字。".encode())
        refused = await alice.reply()
        assert refused.plain_text.startswith("不支持这种文件。"), refused.plain_text
        _, counted = await alice.photo(jpeg(62))
        refused = await alice.send("会议由书记主持，研究了发展党员工作。")
        assert "这段文字没有记入" in refused.plain_text and "完成" in refused.button_texts
        await alice.send("/cancel")
        (after,) = await records(harness)
        assert after.minutes_text == record.minutes_text and after.review_state == "returned"
        assert not [f for f in await record_files(harness, record.id) if f.role == "minutes"]
