"""/unanswered numbers its groups and gives each a 忽略 N button on the message that shows it; an administrator's
press dismisses the group (confirmed, the button taken off), which leaves the list until someone asks it again; a
second press or a replayed button only says the group is gone; anyone else's press is refused."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from handlers.services.clock import FixedClock
from handlers.tg.curation import ADMINS_ONLY
from storage.repositories import QuestionRepository
from tests.tg.forms_world import ADMIN_ID, ALICE, START, Chat
from tests.tg.test_e2e_review import ADMINS

CANTEEN = "公司食堂的菜单怎么定"  # off topic: refused, logged unanswered
BONUS = "年终奖怎么发放"
GONE = "这组问题已处理或已不在列表中。"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def asked(harness) -> tuple[Chat, Chat]:
    """The administrator's and Alice's chats, after Alice asked the canteen question twice and the bonus once."""
    admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
    alice = Chat(harness, harness.user(ALICE, "Alice"))
    for question in (CANTEEN, CANTEEN, BONUS):
        await alice.send(question)
    return admin, alice


async def test_dismiss_takes_a_group_off_until_asked_again(make_bot, clock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin, alice = await asked(harness)

        listed = await admin.send("/unanswered")
        assert f"1. {CANTEEN}（2次" in listed.plain_text and f"2. {BONUS}（1次" in listed.plain_text
        assert listed.button_texts == ["忽略 1", "忽略 2"]
        data = listed.callback_data("忽略 1")

        confirmed = await admin.press(listed, data)
        assert confirmed.plain_text.startswith(f"已忽略：「{CANTEEN}」（2次提问）"), confirmed.plain_text
        edited = await harness.emulator.wait_for_message(admin.id, lambda m: m.kind == "edit_markup")
        assert edited.message_id == listed.message_id and edited.button_texts == ["忽略 2"]

        again = (await admin.send("/unanswered")).plain_text
        assert "共 1 组" in again and CANTEEN not in again and f"1. {BONUS}" in again

        # A double press (the button was still shown elsewhere) or a replayed callback: said, nothing fails.
        answer = await admin.press_for_answer(listed, data, check=False)
        assert answer["text"] == GONE and answer["show_alert"] is True

        clock.advance(timedelta(days=1))
        await alice.send(CANTEEN)
        back = (await admin.send("/unanswered")).plain_text
        assert f"{CANTEEN}（1次" in back and "共 2 组" in back, back  # only the new asking counts


async def test_only_an_administrator_may_dismiss(make_bot, clock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        await alice.send(CANTEEN)
        listed = await admin.send("/unanswered")
        data = listed.callback_data("忽略 1")
        # The button's data replayed by someone else, on a message of their own chat.
        answer = await alice.press_for_answer((await alice.send(BONUS)), data, check=False)
        assert answer["text"] == ADMINS_ONLY and answer["show_alert"] is True
        still = (await admin.send("/unanswered")).plain_text
        assert f"{CANTEEN}（1次" in still, still


def _rare(i: int) -> str:
    """A long question of characters no other one shares (so each is a group of its own)."""
    return "".join(chr(0x4E00 + i * 300 + k) for k in range(250))


async def test_a_long_list_keeps_each_button_with_its_message(make_bot, clock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        async with harness.services.session_factory() as session, session.begin():
            repo = QuestionRepository(session)
            for i in range(30):
                at = clock.now() - timedelta(minutes=30 - i)
                await repo.add(query=_rare(i), answered=False, created_at=at, user_id=ALICE)
        messages = await _list(admin)
        assert len(messages) > 1
        for message in messages:
            numbers = re.findall(r"^([0-9]+)\. ", message.plain_text, re.M)
            assert message.button_texts == [f"忽略 {n}" for n in numbers], message.button_texts
        second = messages[1]
        number = second.button_texts[0].split()[1]
        text = re.search(rf"^{number}\. (\S+?)（", second.plain_text, re.M)[1]
        confirmed = await admin.press(second, second.callback_data(second.button_texts[0]))
        assert confirmed.plain_text.startswith(f"已忽略：「{text}」（1次提问）")
        assert text not in "".join(m.plain_text for m in await _list(admin))


async def _list(admin: Chat) -> list:
    messages = [await admin.send("/unanswered")]
    while "/unanswered 全部" not in messages[-1].plain_text:
        messages.append(await admin.reply())
    return messages


async def test_dismissed_groups_are_shown_and_restored(make_bot, clock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin, alice = await asked(harness)
        assert (await admin.send("/unanswered 已忽略")).plain_text == "没有已忽略的问题。"
        listed = await admin.send("/unanswered")
        assert "/unanswered 已忽略" in listed.plain_text
        await admin.press(listed, listed.callback_data("忽略 1"))

        hidden = await admin.send("/unanswered 已忽略")
        assert hidden.plain_text.startswith("已忽略的问题（全部时间，共 1 组"), hidden.plain_text
        assert f"1. {CANTEEN}（2次" in hidden.plain_text and BONUS not in hidden.plain_text
        assert hidden.button_texts == ["恢复 1"]
        data = hidden.callback_data("恢复 1")
        # Someone else's press changes nothing.
        refused = await alice.press_for_answer(await alice.send(BONUS), data, check=False)
        assert refused["text"] == ADMINS_ONLY

        restored = await admin.press(hidden, data)
        assert restored.plain_text.startswith(f"已恢复：「{CANTEEN}」（2次提问）"), restored.plain_text
        assert (await admin.send("/unanswered 已忽略")).plain_text == "没有已忽略的问题。"
        back = (await admin.send("/unanswered")).plain_text
        assert f"{CANTEEN}（2次" in back, back
        answer = await admin.press_for_answer(hidden, data, check=False)  # a double press
        assert answer["text"] == GONE
