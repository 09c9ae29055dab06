"""A follow-up left unanswered (a mute's reason, another record's return comment) is dropped when the user goes
to the form: the form says so in one line, instead of dropping it without a word."""

from __future__ import annotations

from tests.tg.test_e2e_reminders import ALICE, bot_options, clock, join

__all__ = ["clock"]  # the fixed clock fixture, 1 June 2026


async def test_submit_says_a_mute_reason_was_dropped(make_bot, clock, db_url) -> None:
    async with make_bot(**bot_options(clock, db_url)) as bot:
        alice = await join(bot, ALICE)
        status = await alice.send("/reminders")
        asked = await alice.press_in_place(status, "rm:mute:group_meeting")
        question = await alice.press(asked, "rm:mute:group_meeting:p")
        assert "请发送免提醒的原因" in question.plain_text
        note = await alice.send("/submit")
        assert note.plain_text == "免提醒的原因还没有填写，已取消，提醒照常。", note.plain_text
        menu = await alice.reply()
        assert menu.plain_text.startswith("请选择要登记的活动类型"), menu.plain_text
        await alice.send("与某单位党支部联合开展")  # not taken as the reason any more
        status = await alice.send("/reminders")
        assert "🔕 党小组会" not in status.plain_text


async def test_submit_with_nothing_pending_says_nothing_more(make_bot, clock, db_url) -> None:
    async with make_bot(**bot_options(clock, db_url)) as bot:
        alice = await join(bot, ALICE)
        before = len(bot.emulator.messages(alice.id))
        menu = await alice.send("/submit")
        assert menu.plain_text.startswith("请选择要登记的活动类型")
        assert len(bot.emulator.messages(alice.id)) == before + 1


async def test_another_command_drops_a_mute_reason(make_bot, clock, db_url) -> None:
    """helper-97's review: any command other than /cancel and /skip drops the follow-up (not only
    /submit), so the text typed afterwards is not taken as the reason."""
    async with make_bot(**bot_options(clock, db_url)) as bot:
        alice = await join(bot, ALICE)
        status = await alice.send("/reminders")
        asked = await alice.press_in_place(status, "rm:mute:group_meeting")
        await alice.press(asked, "rm:mute:group_meeting:p")
        note = await alice.send("/records")
        assert note.plain_text == "免提醒的原因还没有填写，已取消，提醒照常。", note.plain_text
        await bot.emulator.idle()
        bot.emulator.skip_messages(ALICE)
        await alice.send("与某单位党支部联合开展")
        await bot.emulator.idle()
        bot.emulator.skip_messages(ALICE)
        status = await alice.send("/reminders")
        assert "🔕 党小组会" not in status.plain_text and "党小组会" in status.plain_text
