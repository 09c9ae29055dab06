"""Review round 14: an edited question is answered (D2), photos outside /submit (D4), double taps (D12)."""

from __future__ import annotations

from handlers.services.usage import Usage
from handlers.tg.qa import ALREADY_SENT, NON_TEXT_HINT, PHOTO_HINT
from handlers.tg.usage_replies import USAGE_REPLIES
from tests.tg.test_e2e_qa import press

USER = 7_340_001


async def test_an_edited_question_is_answered_once_per_new_wording(make_bot):
    async with make_bot() as harness:
        emulator, user = harness.emulator, harness.user(USER)
        sent = user.send_text("党費怎麼交")
        await emulator.wait_for_message(user.id)
        user.edit_text(sent["message"], "主题党日多久开展一次")
        answer = await emulator.wait_for_message(user.id)
        assert "主题党日" in answer.plain_text and "接着上一个问题" not in answer.plain_text
        user.edit_text(
            sent["message"], "主题党日多久开展一次"
        )  # the same wording again: nothing new to answer
        await emulator.expect_no_message(user.id)
        user.edit_text(sent["message"], "提醒怎么关掉")
        assert (await emulator.wait_for_message(user.id)).plain_text == USAGE_REPLIES[Usage.REMINDERS]


async def test_an_edit_of_a_message_that_was_no_question_is_not_answered(make_bot):
    async with make_bot(admin_ids=str(USER + 1)) as harness:
        emulator, admin = harness.emulator, harness.user(USER + 1)
        admin.send_text("/newbranch")
        await emulator.wait_for_message(admin.id)
        name = admin.send_text("某某科技有限公司")  # taken by the wizard, not asked
        await emulator.wait_for_message(admin.id)
        admin.edit_text(name["message"], "主题党日多久开展一次")
        await emulator.expect_no_message(admin.id)


async def test_a_captioned_question_is_answered_and_an_album_gets_one_hint(make_bot):
    async with make_bot() as harness:
        emulator, user = harness.emulator, harness.user(USER + 2)
        user.send_photo(caption="主题党日多久开展一次？")
        answer = await emulator.wait_for_message(user.id)
        assert "主题党日" in answer.plain_text and answer.plain_text != NON_TEXT_HINT
        user.send_album([None, None, None, None])
        hint = await emulator.wait_for_message(user.id)
        assert hint.plain_text == PHOTO_HINT and "/submit" in hint.plain_text
        await emulator.expect_no_message(user.id, within=1.0)
        user.send_photo(caption="今天开展主题党日活动")  # a caption that asks nothing: the photo hint
        assert (await emulator.wait_for_message(user.id)).plain_text == PHOTO_HINT
        user.send_sticker()
        assert (await emulator.wait_for_message(user.id)).plain_text == NON_TEXT_HINT


async def test_a_second_tap_on_a_button_that_sends_only_answers_the_press(make_bot):
    async with make_bot() as harness:
        emulator, user = harness.emulator, harness.user(USER + 3)
        user.send_text("党组织书记怎么选")  # a confident answer, its passage cut: 查看原文 and 其他相关内容
        reply = await emulator.wait_for_message(user.id)
        for label in ("查看原文", "其他相关内容"):
            data = reply.callback_data(label)
            await press(harness, user, reply, data)
            await emulator.wait_for_message(user.id)
            assert (await press(harness, user, reply, data)).get("text") == ALREADY_SENT
            await emulator.expect_no_message(user.id)
        user.send_text("/start")
        welcome = await emulator.wait_for_message(user.id)
        example = welcome.buttons[0]["callback_data"]
        await press(harness, user, welcome, example)
        await emulator.wait_for_message(user.id)  # ❓ the example
        await emulator.wait_for_message(user.id)  # its answer
        assert (await press(harness, user, welcome, example)).get("text") == ALREADY_SENT
        await emulator.expect_no_message(user.id)


async def test_the_same_button_tapped_again_later_sends_again(make_bot):
    """helper-95's review: 查看原文 tapped again on an answer scrolled back to later only got "已经发送" for as long
    as the process ran. A second tap is a double tap only within PRESS_WINDOW of the first."""
    from datetime import datetime, timedelta

    from handlers.services.clock import SHANGHAI, FixedClock
    from handlers.tg.dedupe import PRESS_WINDOW

    clock = FixedClock(datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI))
    async with make_bot(clock=clock) as harness:
        emulator, user = harness.emulator, harness.user(USER + 5)
        user.send_text("党组织书记怎么选")
        reply = await emulator.wait_for_message(user.id)
        data = reply.callback_data("查看原文")
        await press(harness, user, reply, data)
        assert "出处" in (await emulator.wait_for_message(user.id)).plain_text
        clock.current += PRESS_WINDOW - timedelta(seconds=1)
        assert (await press(harness, user, reply, data)).get("text") == ALREADY_SENT
        await emulator.expect_no_message(user.id)
        clock.current += timedelta(seconds=1)
        assert (await press(harness, user, reply, data)).get("text") != ALREADY_SENT
        assert "出处" in (await emulator.wait_for_message(user.id)).plain_text
        assert (await press(harness, user, reply, data)).get("text") == ALREADY_SENT  # a double tap again


async def test_a_tap_whose_message_failed_can_be_tapped_again(make_bot):
    """helper-84's review: 查看原文 whose message failed (500 after the retries) answered every later tap
    "已经发送" though nothing was sent; the press is forgotten now, so the next tap sends it."""
    from telegram.error import NetworkError

    from handlers.tg.common import ERROR_TEXT
    from handlers.tg.transport import RETRY_DELAYS

    async with make_bot() as harness:
        emulator, user = harness.emulator, harness.user(USER + 4)
        user.send_text("党组织书记怎么选")
        reply = await emulator.wait_for_message(user.id)
        data = reply.callback_data("查看原文")
        emulator.fail_next("sendMessage", status=500, count=1 + len(RETRY_DELAYS))
        user.press(reply, data)
        apology = await emulator.wait_for_message(user.id, timeout=10)
        assert apology.plain_text.startswith(ERROR_TEXT), apology.plain_text
        await harness.expect_error(NetworkError)
        await press(harness, user, reply, data)
        passage = await emulator.wait_for_message(user.id)
        assert "出处：" in passage.plain_text, passage.plain_text
