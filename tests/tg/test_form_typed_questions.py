"""A question typed at a step of the form: never stored as absentees, noted when kept as the minutes, and a
refusal of a question-like text says how to ask it."""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from tests.tg.forms_world import ALICE, START, Chat, Form, make_secretary

pytestmark = pytest.mark.usefixtures("clock")

ASK_LATER = "（如要问政策问题，可先填完或发送 /cancel 取消表单后再问。）"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def test_a_question_at_the_absentees_step_is_not_an_absentee(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        await Form(chat, "committee").run("attendance")
        refusal = await chat.send("缺席的人需要写原因吗？")
        text = refusal.plain_text
        assert text.startswith("⚠️ 这句像是提问，没有记作缺席人员。"), text
        assert "不用取消表单" in text and "张三 出差" in text and "/skip" in text, text
        assert ASK_LATER not in text
        assert await chat.step() == "absentees"
        assert "absentees" not in await chat.data()
        after = await chat.send("张三 出差")
        assert "议定了哪些事项" in after.plain_text, after.plain_text
        assert (await chat.data())["absentees"] == [{"name": "张三", "reason": "出差"}]


async def test_a_question_kept_as_minutes_is_noted(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        prompt = await Form(chat, "committee").run("fields")
        assert "会议记录" in prompt.plain_text, prompt.plain_text
        photos = await chat.send("会议记录可以拍照上传吗？")
        assert photos.plain_text.startswith("提示：刚才这句像是提问，已记作会议记录。"), photos.plain_text
        assert "“改会议记录”" in photos.plain_text
        assert (await chat.data())["minutes_text"] == "会议记录可以拍照上传吗？"


async def test_a_refused_question_says_how_to_ask(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        await Form(chat, "committee").run("date")
        await chat.send("学习党章")
        await chat.send("三楼会议室")
        refusal = await chat.send("缺席的也要算进应到人数吗？")
        assert refusal.plain_text.startswith("⚠️ 请发送两个数字"), refusal.plain_text
        assert refusal.plain_text.endswith("\n" + ASK_LATER), refusal.plain_text
        plain = await chat.send("八个人")
        assert plain.plain_text.startswith("⚠️ 请发送两个数字") and ASK_LATER not in plain.plain_text


async def test_a_policy_question_at_a_step_that_refuses_it_is_answered(make_bot, clock: FixedClock) -> None:
    """主题党日的“6”包括哪些 at the attendance or the absentees step: the speeches' answer, then the step asked again,
    with everything entered kept (it used to say to ask after the form or to /cancel it, which loses the draft)."""
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        await Form(chat, "theme_day").run("place")
        answer = await chat.send("主题党日的“6”包括哪些内容？")
        assert answer.plain_text.startswith("要点：“6”即学习讨论"), answer.plain_text
        again = await chat.reply()
        assert again.plain_text.startswith(
            "📝 表单还在填写中，已填的内容都在。请继续这一步：\n【主题党日】应到、实到"
        )
        assert await chat.step() == "attendance" and (await chat.data())["place"] == "公司三楼会议室"
        await chat.send("应到8人，实到7人")
        answer = await chat.send("主题党日多久开展一次？")  # at the absentees step: no person
        assert "每月开展一次" in answer.plain_text, answer.plain_text
        again = await chat.reply()
        assert "请发送缺席人员和原因" in again.plain_text and await chat.step() == "absentees"
        assert "absentees" not in await chat.data()
        done = await chat.send("张三 出差")
        assert "哪几项" in done.plain_text, done.plain_text
