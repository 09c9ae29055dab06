"""A record's view and buttons follow its changes, and no input is thrown away: the view an amendment or a
withdrawal started from is rewritten, a withdrawn record's 修改 buttons answer at once (before anything is typed),
and a reason or a return comment that is too long is asked again instead of being cut."""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from tests.tg.forms_world import (
    ADMIN_ID,
    ALICE,
    START,
    Chat,
    Form,
    amendments,
    make_secretary,
    open_record,
    png,
    records,
)
from tests.tg.test_e2e_amend_evidence import events

ADMINS = {"BRANCHBOT_ADMIN_IDS": str(ADMIN_ID)}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def test_the_view_follows_an_amendment_and_a_withdrawal(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        emu = harness.emulator
        alice = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, alice.user)
        form = Form(alice, "committee")
        await form.run("confirm")
        (record,) = await records(harness)
        listing = await alice.send("/records")
        _, view = await open_record(alice, listing, record.id)

        await alice.press(view, f"r:amend:{record.id}:topic")
        same = await alice.send(form.topic)  # the same text: said at once, not after the reason
        assert same.plain_text == "新内容和原来一样。请发送新的主题（发送 /cancel 取消）：", same.plain_text
        assert (await alice.send("研究发展党员工作")).plain_text.endswith(
            "请简要说明修改原因（如“主题写错了”）："
        )
        long_reason = "因" * 201
        again = await alice.send(long_reason)
        assert again.plain_text == "修改原因请控制在200字以内（现在201字），请重新发送：", again.plain_text
        assert (await alice.send("主题写得不准确")).plain_text.startswith("已修改")
        edited = await emu.wait_for_message(ALICE, lambda m: m.kind == "edit_text")
        assert edited.message_id == view.message_id
        assert (
            "主题：研究发展党员工作" in edited.plain_text
            and "改了主题，原因：主题写得不准确" in edited.plain_text
        )
        assert edited.button_texts[0] == "撤回这条记录" and "补充照片" in edited.button_texts
        (amendment,) = await amendments(harness, record.id)
        assert amendment.reason == "主题写得不准确"

        ask = await alice.press_in_place(view, f"r:withdraw:{record.id}")
        assert ask.message_id == view.message_id and ask.button_texts == ["确定撤回", "不撤回"]
        answer = await alice.press_for_answer(view, f"r:wd_yes:{record.id}")
        assert answer.get("text") == "已撤回。"
        edited = await emu.wait_for_message(ALICE, lambda m: m.kind == "edit_text")
        assert edited.message_id == view.message_id and edited.buttons == []
        assert edited.plain_text.startswith(f"记录编号：JL2026-{record.id:06d}（已撤回）")
        assert (await alice.reply()).plain_text == "这条记录已撤回，不再计入本支部的活动。"

        # an old message's 修改 buttons: told at once that the record is withdrawn, nothing asked
        for data in (
            f"r:amend:{record.id}:place",
            f"r:amend:{record.id}:attendance",
            f"r:photos:{record.id}:add",
        ):
            answer = await alice.press_for_answer(view, data, check=False)
            assert answer.get("show_alert") is True and answer.get("text") == "这条记录已撤回，不能修改。", (
                answer
            )
        reply = await alice.send("主题党日多久开展一次")  # a question again, not a new place
        assert "请简要说明修改原因" not in reply.plain_text
        assert (await records(harness))[0].place == form.place


async def test_a_long_return_comment_is_asked_again_not_cut(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, alice.user)
        await Form(alice, "committee").run("confirm")
        (record,) = await records(harness)
        notice = await admin.reply()
        await admin.press(notice, f"rv:ret:{record.id}")
        again = await admin.send("照" * 501)
        assert again.plain_text == "退回意见太长（501字），请精简到500字以内后重新发送（/cancel 取消）："
        assert await events(harness, record.id) == []
        done = await admin.send("照片看不清，请重拍")
        assert done.plain_text.startswith("↩️ 已退回"), done.plain_text
        (event,) = await events(harness, record.id)
        assert event.comment == "照片看不清，请重拍"


async def test_amending_a_passed_record_says_so_first_and_a_photo_does_not_drop_the_step(
    make_bot, clock: FixedClock
) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, alice.user)
        await Form(alice, "committee").run("confirm")
        (record,) = await records(harness)
        await admin.press(await admin.reply(), f"rv:pass:{record.id}")
        told = await alice.reply()
        assert told.plain_text.startswith("✅ 您提交的活动记录已审核通过")
        listing = await alice.send("/records")
        _, view = await open_record(alice, listing, record.id)

        ask = await alice.press(view, f"r:amend:{record.id}:minutes_text")
        assert ask.plain_text.startswith("这条记录已审核通过，修改后将重新提交审核。\n请发送新的会议记录"), (
            ask.plain_text
        )
        # a photo of the minutes is taken as the new minutes (test_records_minutes_files.py), no Q&A reply
        _, counted = await alice.photo(png(77))
        assert counted.plain_text.startswith("已收到新的会议记录照片 1 页。"), counted.plain_text
        refused = await alice.send("会议由书记主持，研究了发展党员工作。")  # the photo stays the minutes
        assert "这段文字没有记入" in refused.plain_text, refused.plain_text
        asked = await alice.press(counted, counted.callback_data("完成"))
        assert asked.plain_text.endswith("请简要说明修改原因（如“主题写错了”）："), asked.plain_text
        assert (await alice.send("补全会议记录")).plain_text.startswith("已修改，并已重新提交审核")
        assert (await records(harness))[0].review_state == "pending_review"

        ask = await alice.press(view, f"r:photos:{record.id}:add")
        assert not ask.plain_text.startswith("这条记录已审核通过"), ask.plain_text  # pending again now


async def test_an_edited_new_value_is_said_to_change_nothing(make_bot, clock: FixedClock) -> None:
    """修改地点, the new place sent, then edited: the record keeps the place as sent, and the user is told so
    (once per message), as the form tells of an edited answer (the tester's report: silence)."""
    async with make_bot(clock=clock) as harness:
        emu = harness.emulator
        alice = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, alice.user)
        await Form(alice, "committee").run("confirm")
        (record,) = await records(harness)
        _, view = await open_record(alice, await alice.send("/records"), record.id)
        await alice.press(view, f"r:amend:{record.id}:place")
        sent = alice.user.send_text("公司二楼会议室")
        assert (await alice.reply()).plain_text.endswith("请简要说明修改原因（如“主题写错了”）：")
        alice.user.edit_text(sent["message"], "公司五楼会议室")
        told = await alice.reply()
        assert told.plain_text.startswith("提示：修改已发送的消息不会改动正在进行的记录修改。"), (
            told.plain_text
        )
        alice.user.edit_text(sent["message"], "公司六楼会议室")
        await emu.idle()
        await emu.expect_no_message(ALICE, within=0.3)
        assert (await alice.send("地点写错了")).plain_text.startswith("已修改")
        (record,) = await records(harness)
        assert record.place == "公司二楼会议室"
