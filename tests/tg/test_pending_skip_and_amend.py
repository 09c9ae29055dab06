"""helper-104's re-review of the awaited inputs: /skip meant for an open form, while an input without a /skip of
its own waited (a mute reason, a new branch name), skipped the form's step and left the input waiting, so the
form's next answer was saved as that input; a record's change dropped by another command before anything was
typed said nothing."""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from tests.tg.forms_world import ALICE, START, Chat, Form, make_secretary, records


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def test_skip_for_the_form_drops_a_waiting_branch_name(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        await Form(chat, "theme_day").run("attendance")  # at the absentees step, which /skip skips
        await chat.press(await chat.send("/branch"), "b:edit:name")
        harness.emulator.skip_messages(ALICE)
        dropped = await chat.send("/skip")
        assert dropped.plain_text == "支部信息的修改还没有填写，已取消。"
        await harness.emulator.idle()
        harness.emulator.skip_messages(ALICE)
        await chat.send("学习党章和党史")  # the form's next answer
        await harness.emulator.idle()
        branch = await harness.services.branches.of_user(ALICE)
        assert branch.name == "第一党支部"


async def test_skip_for_the_form_drops_a_waiting_mute_reason(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        await Form(chat, "theme_day").run("attendance")
        status = await chat.send("/reminders")
        asked = await chat.press_in_place(status, "rm:mute:group_meeting")
        await chat.press(asked, "rm:mute:group_meeting:p")
        dropped = await chat.send("/skip")
        assert dropped.plain_text.startswith("免提醒的原因还没有填写，已取消")
        await harness.emulator.idle()
        harness.emulator.skip_messages(ALICE)
        answer = await chat.send("学习党章和党史")
        assert "免提醒" not in answer.plain_text


@pytest.mark.parametrize(
    ("button", "note"),
    [("r:amend:{id}:place", "记录的修改还没有填写，已取消"), ("r:photos:{id}:add", "照片还没有发送，已取消")],
)
async def test_a_record_change_dropped_by_a_command_says_so(
    make_bot, clock: FixedClock, button, note
) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        await Form(chat, "committee").run("confirm")
        (record,) = await records(harness)
        detail = await chat.press(await chat.send("/records"), f"r:open:{record.id}")
        await chat.press(detail, button.format(id=record.id))
        harness.emulator.skip_messages(ALICE)
        told = await chat.send("/reminders")
        assert told.plain_text.startswith(note), told.plain_text
