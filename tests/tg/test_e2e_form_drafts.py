"""The record form's draft end to end: a restart in the middle, the 30-minute window, /cancel, two secretaries
at once, editing from the summary, and what a form step does with a command, a question or a pasted notice.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.services.clock import FixedClock
from tests.tg.forms_world import (
    ALICE,
    BOB,
    QUESTION,
    START,
    STEPS,
    Chat,
    Form,
    check_record,
    draft,
    make_secretary,
    record_files,
    records,
    summary_lines,
)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


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
