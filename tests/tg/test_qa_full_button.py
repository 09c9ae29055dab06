"""查看原文 is offered only when the answer's quote is cut (helper-95's review: 47 of the 53 passages fit the quote,
and the button sent the very same text again); a message with nothing visible in it is shown how to ask."""

from __future__ import annotations

from tests.tg.test_e2e_qa import press

USER = 7_410_001


async def test_full_text_only_for_a_passage_the_quote_cuts(make_bot):
    async with make_bot() as harness:
        emulator, user = harness.emulator, harness.user(USER)
        user.send_text("党建工作经费可以在税前扣除吗")  # its passage fits the quote whole
        whole = await emulator.wait_for_message(user.id)
        assert "……" not in whole.plain_text and "1%" in whole.plain_text
        assert not any("查看原文" in label for label in whole.button_texts), whole.button_texts
        assert any("有帮助" in label for label in whole.button_texts)  # the feedback row stays

        user.send_text("党组织书记怎么选")  # its passage is longer than the quote
        cut = await emulator.wait_for_message(user.id)
        assert "……" in cut.plain_text
        await press(harness, user, cut, cut.callback_data("查看原文"))
        full = await emulator.wait_for_message(user.id)
        assert "出处：" in full.plain_text and len(full.plain_text) > len(cut.plain_text.split("\n\n")[-2])


async def test_a_message_of_invisible_characters_only_is_shown_how_to_ask(make_bot):
    """helper-95's review: a message of only a zero-width character was told the speeches hold no answer to it."""
    from handlers.tg.common import ASK_LINE

    async with make_bot() as harness:
        emulator, user = harness.emulator, harness.user(USER + 1)
        user.send_text("\u200b\u200d")
        reply = await emulator.wait_for_message(user.id)
        assert reply.plain_text == ASK_LINE
        assert reply.buttons  # the example questions
