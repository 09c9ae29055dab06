"""/cancel and 取消填写 ask before deleting a draft that holds anything the user entered: a mis-tap on a phone
must not lose minutes and photos. A draft with nothing entered beyond the kind is deleted at once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.services.clock import FixedClock
from tests.tg.forms_world import ALICE, START, Chat, Form, draft, make_secretary

DELETED = "已取消，草稿已删除。需要时可发送 /submit 重新填写。"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def secretary(harness) -> Chat:
    chat = Chat(harness, harness.user(ALICE, "王书记"))
    await make_secretary(harness, chat.user)
    return chat


async def test_cancel_asks_first_and_continue_loses_nothing(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = await secretary(harness)
        await Form(chat, "assembly").run("place")
        before = await chat.data()
        question = await chat.send("/cancel")
        assert question.plain_text == "确定要取消吗？已填写的内容（日期、主题、地点）将被删除。", (
            question.plain_text
        )
        assert question.button_texts == ["确认取消", "继续填写"]
        assert await chat.step() == "attendance"
        prompt = await chat.press(question, "f:resume")
        assert prompt.plain_text.startswith("【党员大会】应到、实到各多少人？"), prompt.plain_text
        assert await chat.step() == "attendance" and await chat.data() == before


async def test_the_cancel_button_asks_and_confirming_deletes(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = await secretary(harness)
        form = Form(chat, "theme_day")
        await form.run("minutes")
        await form.add_photo()
        question = await chat.press(form.prompt, "f:cancel")  # the photos step's own prompt
        assert question.plain_text.startswith(
            "确定要取消吗？已填写的内容（日期、主题、地点、出勤、缺席人员、"
        )
        assert "会议记录、照片1张）将被删除。" in question.plain_text, question.plain_text
        assert await draft(harness, chat.id) is not None
        done = await chat.press(question, "f:discard")
        assert done.plain_text == DELETED
        assert await draft(harness, chat.id) is None


async def test_cancel_twice_confirms(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = await secretary(harness)
        prompt = await Form(chat, "observation").run("topic")
        question = await chat.press(prompt, "f:cancel")
        assert question.plain_text == "确定要取消吗？已填写的内容（日期、主题）将被删除。", (
            question.plain_text
        )
        clock.advance(timedelta(seconds=3))  # read, then confirmed
        assert (await chat.send("/cancel")).plain_text == DELETED
        assert await draft(harness, chat.id) is None
        assert (await chat.send("/cancel")).plain_text == "当前没有正在填写的表单。"


async def test_cancel_sent_twice_at_once_does_not_confirm(make_bot, clock: FixedClock) -> None:
    """A double tap of /cancel (two messages back to back) asks again; only a /cancel sent after the question
    could be read (2 seconds) confirms."""
    async with make_bot(clock=clock) as harness:
        chat = await secretary(harness)
        form = Form(chat, "theme_day")
        await form.run("minutes")
        await form.add_photo()
        await form.add_photo()
        question = await chat.send("/cancel")
        assert question.plain_text.endswith("照片2张）将被删除。"), question.plain_text
        clock.advance(timedelta(seconds=1))
        again = await chat.send("/cancel")
        assert again.plain_text == question.plain_text and again.button_texts == ["确认取消", "继续填写"]
        assert len((await chat.data())["photos"]) == 2
        clock.advance(timedelta(seconds=1, milliseconds=500))  # 2.5 s after the first question: confirmed
        assert (await chat.send("/cancel")).plain_text == DELETED
        assert await draft(harness, chat.id) is None


async def test_other_input_while_asked_goes_to_the_step(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = await secretary(harness)
        await Form(chat, "assembly").run("topic")
        question = await chat.send("/cancel")
        assert question.plain_text.startswith("确定要取消吗？")
        refused = await chat.send("会")  # too short: refused, the question is over all the same
        assert refused.plain_text.startswith("⚠️ 地点太短了"), refused.plain_text
        again = await chat.send("/cancel")
        assert again.plain_text.startswith("确定要取消吗？"), again.plain_text
        prompt = await chat.send("公司三楼会议室")
        assert prompt.plain_text.startswith("【党员大会】应到、实到各多少人？"), prompt.plain_text
        assert (await chat.data())["place"] == "公司三楼会议室"
        asked = await chat.send("/cancel")  # asked again: the place typed meanwhile is named
        assert asked.plain_text == "确定要取消吗？已填写的内容（日期、主题、地点）将被删除。", (
            asked.plain_text
        )
        await chat.press(asked, "f:resume")
        assert await chat.step() == "attendance"


async def test_a_draft_with_nothing_entered_is_deleted_at_once(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = await secretary(harness)
        await Form(chat, "assembly").run("kind")  # the kind chosen, nothing typed yet
        assert await chat.step() == "date"
        assert (await chat.send("/cancel")).plain_text == DELETED
        assert await draft(harness, chat.id) is None
        menu = await chat.send("/submit")
        assert (await chat.press(menu, "f:cancel")).plain_text == DELETED
        assert await draft(harness, chat.id) is None


async def test_only_confirming_deletes_a_draft_once_asked(make_bot, clock: FixedClock) -> None:
    """取消填写 pressed again (on another message) while asked asks again; 确认取消 pressed after an input
    ended the question asks again too, naming what was entered meanwhile; so does /cancel after a photo."""
    async with make_bot(clock=clock) as harness:
        chat = await secretary(harness)
        form = Form(chat, "theme_day")
        topic_prompt = await form.run("date")
        place_prompt = await form.run("topic")
        question = await chat.press(place_prompt, "f:cancel")
        assert question.plain_text == "确定要取消吗？已填写的内容（日期、主题）将被删除。", (
            question.plain_text
        )
        again = await chat.press(topic_prompt, "f:cancel")  # an older prompt's 取消填写: no confirmation
        assert again.plain_text == question.plain_text and await chat.step() == "place"
        await form.run("place")  # the place typed: the question is over
        stale = await chat.press(again, "f:discard")
        assert stale.plain_text == "确定要取消吗？已填写的内容（日期、主题、地点）将被删除。", (
            stale.plain_text
        )
        assert await chat.step() == "attendance"
        await form.run("minutes")
        asked = await chat.send("/cancel")
        assert asked.plain_text.startswith("确定要取消吗？")
        await form.add_photo()  # a photo ends the question: /cancel asks again, naming it
        asked = await chat.send("/cancel")
        assert asked.plain_text.endswith("会议记录、照片1张）将被删除。"), asked.plain_text
        clock.advance(timedelta(seconds=3))
        assert (await chat.send("/cancel")).plain_text == DELETED
        assert await draft(harness, chat.id) is None


async def test_a_double_tap_on_cancel_asks_once_and_deletes_nothing(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = await secretary(harness)
        prompt = await Form(chat, "assembly").run("place")
        before = len(chat.emu.messages(chat.id))
        chat.user.press(prompt, "f:cancel")
        second = chat.user.press(prompt, "f:cancel")
        query_id = second["callback_query"]["id"]
        await chat.emu.wait_for_call(
            "answerCallbackQuery", lambda c: c.params.get("callback_query_id") == query_id
        )
        await chat.emu.idle()
        sent = [m.plain_text for m in chat.emu.messages(chat.id)[before:] if m.kind == "send"]
        assert sent == ["确定要取消吗？已填写的内容（日期、主题、地点）将被删除。"], sent
        assert await chat.step() == "attendance"
