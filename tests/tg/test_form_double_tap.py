"""A double tap on a button that moves the form on (完成, ✅ 确认提交): the second press of the spent button is
only answered, never a second prompt, refusal or receipt, never a second record."""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from tests.tg.forms_world import ALICE, START, Chat, Form, make_secretary, records

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def double_tap(chat: Chat, message, data: str) -> tuple[dict, dict]:
    """Two callback queries for the same button of the same message, queued in order before the bot
    handles either (the message still shows the button in both): the answers to both."""
    first = chat.user.press(message, data)
    second = chat.user.press(message, data)
    answers = []
    for update in (first, second):
        query_id = update["callback_query"]["id"]
        call = await chat.emu.wait_for_call(
            "answerCallbackQuery", lambda c, q=query_id: c.params.get("callback_query_id") == q
        )
        answers.append(call.params)
    return answers[0], answers[1]


async def test_a_double_tap_on_done_gives_one_summary(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        form = Form(chat, "theme_day")
        photos = await form.run("photos")
        _, second = await double_tap(chat, photos, "f:done:photos")
        summary = await chat.reply()
        assert summary.plain_text.startswith("请核对【主题党日】记录："), summary.plain_text
        await harness.emulator.idle()
        await chat.emu.expect_no_message(chat.id, within=0.5)
        assert not second.get("show_alert")
        assert await chat.step() == "summary"
        receipt = await chat.press(summary, "f:confirm")  # the summary's own buttons still work
        assert receipt.plain_text.startswith("✅ 提交成功，等待审核。")


async def test_a_double_tap_on_confirm_gives_one_receipt_and_one_record(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        branch = await make_secretary(harness, chat.user)
        summary = await Form(chat, "theme_day").run("summary")
        _, second = await double_tap(chat, summary, "f:confirm")
        receipt = await chat.reply()
        assert receipt.plain_text.startswith("✅ 提交成功，等待审核。"), receipt.plain_text
        await harness.emulator.idle()
        sent = [m for m in chat.emu.messages(chat.id)[-3:] if m.kind == "send"]
        assert sent[-1].message_id == receipt.message_id, [m.plain_text for m in sent]
        await chat.emu.expect_no_message(chat.id, within=0.5)
        assert not second.get("show_alert")
        assert len(await records(harness, branch.id)) == 1
        assert await chat.step() is None


async def test_a_double_tap_on_a_refused_done_gives_one_refusal(make_bot, clock: FixedClock) -> None:
    """完成 with too few photos is refused once; the second tap of the same message adds nothing."""
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        prompt = await Form(chat, "theme_day").run("minutes")
        await double_tap(chat, prompt, "f:done:photos")
        refusal = await chat.reply()
        assert refusal.plain_text.startswith("⚠️ 主题党日至少需要"), refusal.plain_text
        await harness.emulator.idle()
        await chat.emu.expect_no_message(chat.id, within=0.5)
        assert await chat.step() == "photos"


async def test_submit_sent_twice_shows_the_kind_menu_again(make_bot, clock: FixedClock) -> None:
    """/submit twice with nothing entered: the menu again, no offer to continue (its 重新开始 could later wipe a
    real draft); a draft with something entered is still offered."""
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        menu = await chat.send("/submit")
        again = await chat.send("/submit")
        assert again.plain_text == menu.plain_text == "请选择要登记的活动类型：", again.plain_text
        assert again.buttons == menu.buttons
        prompt = await chat.press(again, "f:kind:theme_day")  # the kind chosen, nothing typed yet
        assert prompt.plain_text.startswith("【主题党日】活动是哪天开展的？"), prompt.plain_text
        assert (await chat.send("/submit")).plain_text == "请选择要登记的活动类型："
        await Form(chat, "committee").run("date")
        offer = await chat.send("/submit")
        assert offer.plain_text.startswith("您有一份未完成的草稿（支部委员会，填到“主题”）"), offer.plain_text
