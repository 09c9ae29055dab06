"""The defensive edge, through the emulator: forged buttons, junk digits, huge ids, NUL, edits, updates from
nobody, a follow-up that must survive a crash. Each test failed before the fix it guards."""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from handlers.tg.common import ERROR_TEXT
from storage.repositories import PtbStateRepository, RecordRepository
from tests.tg.forms_world import ADMIN_ID, START, Chat, Form, make_secretary

USER = 700_001


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def a_message(chat: Chat) -> int:
    """A message of the bot's in the chat to press forged buttons on."""
    return (await chat.send("/help")).message_id


FORGED = [
    "zzz",
    "",
    "qa:ex:²",
    "qa:full:²",
    "qa:more:99999999999999999999",
    "qa:fb:99999999999999999999:1",
    "qa:fb:2147483648:1",
    "r:open:²",
    "r:open:99999999999999999999",
    "r:withdraw:-1",
    "r:amend:1:nope",
    "toc:d:²",
    "toc:p:0:0:99999999999999999999",
    "b:edit:nope",
    "b:setform:nope",
    "nb:form:single",
    "nb:other",
    "f:kind:²",
    "f:opt:²",
    "f:opt:99999999999999999999",
    "f:nope",
    "f:edit:" + "x" * 50,
    "x" * 64,
]


@pytest.mark.parametrize("data", FORGED)
async def test_every_forged_button_is_answered_without_error(make_bot, data: str) -> None:
    async with make_bot() as harness:
        chat = Chat(harness, harness.user(USER))
        answer = await chat.press_for_answer(await a_message(chat), data, check=False)  # answered at all
        assert answer.get("show_alert") is True or answer.get("text") is None, answer
        await harness.emulator.idle()
        for message in harness.emulator.messages(USER):
            assert not (message.plain_text or "").startswith(ERROR_TEXT), message.plain_text
        assert harness.errors == []


async def test_huge_ids_never_reach_the_database(make_bot, db_url) -> None:
    async with make_bot(database_url=db_url) as harness:
        chat = Chat(harness, harness.user(USER))
        message_id = await a_message(chat)
        for data in ("qa:more:2147483648", "qa:fb:2147483648:1", "r:open:2147483648", "r:withdraw:9" * 3):
            answer = await chat.press_for_answer(message_id, data, check=False)
            assert answer.get("show_alert") is True
        assert harness.errors == []


async def test_nul_and_controls_in_form_text_are_removed_and_the_record_is_stored(
    make_bot, db_url, clock
) -> None:
    async with make_bot(database_url=db_url, clock=clock, admin_ids=str(ADMIN_ID)) as harness:
        user = harness.user(USER, "张\x00三")
        branch = await make_secretary(harness, user)
        chat = Chat(harness, user)
        form = Form(chat, "theme_day", topic="学习\x00党章\u200b\x07")
        await form.run("confirm")
        async with harness.services.session_factory() as session:
            records = await RecordRepository(session).list_for_branch(
                branch.id, since=clock.now().date().replace(day=1)
            )
        assert [r.topic for r in records] == ["学习党章"]
        assert harness.errors == []


async def test_an_edited_command_is_not_run_again(make_bot) -> None:
    async with make_bot() as harness:
        user = harness.user(USER)
        sent = user.send_text("/help")
        first = await harness.emulator.wait_for_message(USER)
        user.edit_text(sent["message"], "/start")
        await harness.emulator.expect_no_message(USER, within=1.0)
        assert "可用命令" in first.plain_text


async def test_updates_without_a_user_are_ignored(make_bot) -> None:
    async with make_bot() as harness:
        emu = harness.emulator
        channel = {"id": -1001234567890, "type": "channel", "title": "频道"}
        emu.register_chat(channel)
        emu.enqueue_raw({"channel_post": {"message_id": 1, "date": 1, "chat": channel, "text": "/start"}})
        emu.enqueue_raw(
            {"message": {"message_id": 2, "date": 1, "chat": channel, "text": "主题党日多久一次"}}
        )
        await emu.idle()
        assert emu.messages(channel["id"]) == []
        assert harness.errors == []


async def test_a_newbranch_step_is_written_at_once(make_bot) -> None:
    """The follow-up state reaches the database before the reply, not on PTB's 5 s timer."""
    async with make_bot(admin_ids=str(ADMIN_ID)) as harness:
        chat = Chat(harness, harness.user(ADMIN_ID))
        await chat.send("/newbranch")
        await chat.send("某某科技有限公司")
        async with harness.services.session_factory() as session:
            stored = await PtbStateRepository(session).load("user_data")
        assert stored[str(ADMIN_ID)]["pending"]["values"] == {"org_name": "某某科技有限公司"}


async def test_a_button_on_a_deleted_message_gets_a_new_message(make_bot) -> None:
    """Telegram sends an InaccessibleMessage; editing it fails with 'message to edit not found'."""
    async with make_bot() as harness:
        chat = Chat(harness, harness.user(USER))
        menu = await chat.send("/topics")
        chat.user.delete_message(menu.message_id)
        chat.user.press_inaccessible(menu.message_id, "toc:d:0")
        fresh = await chat.reply()
        assert "请选择章节" in fresh.plain_text
        await harness.emulator.idle()
        assert harness.errors == []
