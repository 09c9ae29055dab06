"""A record's change started while a form is open must not take the form's answers for the change: its prompts
say the form waits and which record is being changed, and going back to the form (/submit, a form button) drops
the change (one line when it was half-entered)."""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from tests.tg.forms_world import ADMIN_ID, ALICE, START, Chat, Form, make_secretary, records

ADMINS = {"BRANCHBOT_ADMIN_IDS": str(ADMIN_ID)}
KEPT = "（您正在填写的活动记录会保留，改完后发送 /submit 继续）"
TOPIC = "学习贯彻党的二十大精神"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def old_record_and_new_form(harness, alice: Chat):
    """A stored 支部委员会 record (its topic other than the new form's), and a 主题党日 form at its topic step."""
    await Form(alice, "committee", topic="研究发展党员工作").run("confirm")
    (record,) = await records(harness)
    form = Form(alice, "theme_day")
    await form.run("date")
    return record, form


async def test_the_form_answers_typed_into_a_change_do_not_go_unnoticed(make_bot, clock) -> None:
    async with make_bot(clock=clock) as harness:
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        await make_secretary(harness, alice.user)
        record, form = await old_record_and_new_form(harness, alice)
        label = f"JL2026-{record.id:06d}（11-22 支部委员会）"

        view = await alice.press(await alice.send("/records"), f"r:open:{record.id}")
        ask = await alice.press(view, f"r:amend:{record.id}:topic")
        assert ask.plain_text == f"请发送新的主题（发送 /cancel 取消）：\n{KEPT}", ask.plain_text
        reason = await alice.send(TOPIC)  # the form's answer, typed into the change
        assert reason.plain_text == (f"正在修改记录 {label}的主题。请简要说明修改原因（如“主题写错了”）："), (
            reason.plain_text
        )

        # the user notices and goes back to the form: the change is dropped, said in one line
        note = await alice.send("/submit")
        assert note.plain_text == f"对记录 {label}的主题的修改没有保存。", note.plain_text
        offer = await alice.reply()
        assert offer.plain_text.startswith("您有一份未完成的草稿"), offer.plain_text
        prompt = await alice.press(offer, "f:resume")
        assert prompt.plain_text == "【主题党日】活动主题是什么？", prompt.plain_text
        assert (await alice.send(TOPIC)).plain_text == "【主题党日】活动地点在哪里？"
        assert (await alice.send("公司三楼会议室")).plain_text.startswith("【主题党日】应到、实到各多少人？")
        (record,) = await records(harness)
        assert record.topic == "研究发展党员工作"
        assert (await alice.data())["topic"] == TOPIC


async def test_a_form_button_drops_a_change_from_a_return_notice(make_bot, clock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        await make_secretary(harness, alice.user)
        record, form = await old_record_and_new_form(harness, alice)
        notice = await admin.reply()
        await admin.press(notice, f"rv:ret:{record.id}")
        await admin.send("主题写得不准确")
        told = await alice.reply()
        assert told.plain_text.startswith("↩️ 您提交的活动记录被退回"), told.plain_text

        ask = await alice.press(told, f"r:amend:{record.id}:topic")
        assert ask.plain_text.endswith(KEPT), ask.plain_text
        # nothing typed into the change yet: a form button drops it without a word
        question = await alice.press(form.prompt, "f:cancel")
        assert question.plain_text.startswith("确定要取消吗？"), question.plain_text
        prompt = await alice.press(question, "f:resume")
        assert prompt.plain_text == "【主题党日】活动主题是什么？", prompt.plain_text
        assert (await alice.send(TOPIC)).plain_text == "【主题党日】活动地点在哪里？"
        assert (await alice.send("公司三楼会议室")).plain_text.startswith("【主题党日】应到、实到各多少人？")
        (record,) = await records(harness)
        assert record.topic == "研究发展党员工作" and record.review_state == "returned"


async def test_a_form_button_after_a_new_value_says_the_change_was_not_saved(make_bot, clock) -> None:
    async with make_bot(clock=clock) as harness:
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        await make_secretary(harness, alice.user)
        record, form = await old_record_and_new_form(harness, alice)
        view = await alice.press(await alice.send("/records"), f"r:open:{record.id}")
        await alice.press(view, f"r:amend:{record.id}:place")
        assert (await alice.send("公司二楼会议室")).plain_text.startswith("正在修改记录")
        cancel = await alice.press(form.prompt, "f:cancel")
        assert cancel.plain_text.endswith("的地点的修改没有保存。"), cancel.plain_text
        question = await alice.reply()
        assert question.plain_text.startswith("确定要取消吗？"), question.plain_text
        (record,) = await records(harness)
        assert record.place == "公司三楼会议室"


async def test_no_form_no_note(make_bot, clock) -> None:
    async with make_bot(clock=clock) as harness:
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        await make_secretary(harness, alice.user)
        await Form(alice, "committee").run("confirm")
        (record,) = await records(harness)
        view = await alice.press(await alice.send("/records"), f"r:open:{record.id}")
        ask = await alice.press(view, f"r:amend:{record.id}:topic")
        assert ask.plain_text == "请发送新的主题（发送 /cancel 取消）：", ask.plain_text
