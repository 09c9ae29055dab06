"""The review loop in chat (issue 10): a stored record reaches the administrator with 通过 / 退回; a return
with a comment reaches the secretary, who amends from that message; the administrator is told again and passes.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.services.clock import FixedClock
from tests.fixtures_bot import BotHarness
from tests.tg.forms_world import ADMIN_ID, ALICE, BOB, START, Chat, Form, make_secretary, records

ADMINS = {"BRANCHBOT_ADMIN_IDS": str(ADMIN_ID)}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def submit(harness: BotHarness, chat: Chat, code: str = "committee", **kwargs) -> int:
    await Form(chat, code, **kwargs).run("confirm")
    return (await records(harness))[-1].id


async def test_return_amend_resubmit_pass(make_bot, clock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        await make_secretary(harness, alice.user)
        record_id = await submit(harness, alice)

        notice = await admin.reply()
        assert notice.plain_text.startswith("📋 新的活动记录待审核"), notice.plain_text
        assert "第一党支部 · 支部委员会" in notice.plain_text
        assert notice.button_texts[:2] == ["✅ 通过", "↩️ 退回"]

        ask = await admin.press(notice, f"rv:ret:{record_id}")
        assert ask.plain_text.startswith("请填写退回意见"), ask.plain_text
        too_short = await admin.send("x")
        assert "2至500字" in too_short.plain_text
        done = await admin.send("照片不清楚，主题<写错>了")
        assert done.plain_text.startswith("↩️ 已退回"), done.plain_text
        assert "已通知支部书记" in done.plain_text

        told = await alice.reply()
        assert told.plain_text.startswith("↩️ 您提交的活动记录被退回"), told.plain_text
        assert "退回意见：照片不清楚，主题<写错>了" in told.plain_text
        assert "修改主题" in told.button_texts

        # the return took the notice's buttons off; an old client still showing them is answered: 通过 on a
        # returned record is stale until the secretary amends it
        assert not (harness.emulator.current_message(admin.id, notice.message_id) or {}).get("reply_markup")
        answer = await admin.press_for_answer(notice, f"rv:pass:{record_id}", check=False)
        assert "需支部书记修改后才能通过" in answer["text"]

        view = await alice.press(told, f"r:open:{record_id}")
        assert "审核：已退回" in view.plain_text, view.plain_text
        assert "退回意见：照片不清楚，主题<写错>了" in view.plain_text
        assert "退回：2026-11-22 10:00，意见：照片不清楚" in view.plain_text

        prompt = await alice.press(told, f"r:amend:{record_id}:topic")
        assert prompt.plain_text.startswith("请发送新的主题")
        await alice.send("学习贯彻党的二十届三中全会精神")
        amended = await alice.send("按审核意见修改主题")
        assert "重新提交审核" in amended.plain_text, amended.plain_text

        again = await admin.reply()
        assert again.plain_text.startswith("🔁 退回的记录已修改"), again.plain_text
        assert "二十届三中全会" in again.plain_text
        passed = await admin.press(again, f"rv:pass:{record_id}")
        assert passed.plain_text.startswith("✅ 已通过"), passed.plain_text
        told = await alice.reply()
        assert told.plain_text.startswith("✅ 您提交的活动记录已审核通过"), told.plain_text

        # a second 通过 (another reviewer's old message) is answered, not repeated
        answer = await admin.press_for_answer(notice, f"rv:pass:{record_id}", check=False)
        assert "已通过" in answer["text"] and "无需重复操作" in answer["text"]
        assert (await records(harness))[-1].review_state == "passed"

        view = await alice.send("/records")
        opened = await alice.press(view, f"r:open:{record_id}")
        assert "审核：已通过" in opened.plain_text
        assert "修改：2026-11-22 10:00 改了主题，原因：按审核意见修改主题" in opened.plain_text
        assert "通过：2026-11-22 10:00" in opened.plain_text


async def test_secretary_cannot_review(make_bot, clock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        bob = Chat(harness, harness.user(BOB, "Bob"))
        await make_secretary(harness, alice.user)
        await make_secretary(harness, bob.user, name="第二党支部")
        record_id = await submit(harness, alice)
        sent = await bob.send("/help")
        answer = await bob.press_for_answer(sent, f"rv:pass:{record_id}", check=False)
        assert "找不到这条记录" in answer["text"]
        own = await alice.send("/help")
        answer = await alice.press_for_answer(own, f"rv:ret:{record_id}", check=False)
        assert "不能审核" in answer["text"]
        answer = await bob.press_for_answer(sent, "rv:pass:99999999999", check=False)
        assert answer["text"] == "这个按钮已失效。"


async def test_amending_a_passed_record_says_it_was_passed(make_bot, clock) -> None:
    """The reviewers of an amended passed record are not told that a returned record was amended."""
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        await make_secretary(harness, alice.user)
        record_id = await submit(harness, alice)
        notice = await admin.reply()
        await admin.press(notice, f"rv:pass:{record_id}")
        told = await alice.reply()
        assert told.plain_text.startswith("✅ 您提交的活动记录已审核通过"), told.plain_text

        view = await alice.send("/records")
        opened = await alice.press(view, f"r:open:{record_id}")
        await alice.press(opened, f"r:amend:{record_id}:topic")
        await alice.send("学习贯彻党的二十届三中全会精神")
        amended = await alice.send("主题写得更完整")
        assert "重新提交审核" in amended.plain_text, amended.plain_text

        again = await admin.reply()
        assert again.plain_text.startswith("🔁 已通过的记录已修改，请再次审核"), again.plain_text
        assert "退回" not in again.plain_text.splitlines()[0]
        assert again.button_texts[:2] == ["✅ 通过", "↩️ 退回"]
        # the reviewer who passed in chat is named from now on (history, ledger), also if no secretary
        assert await harness.services.supervision.known_names([ADMIN_ID]) == {ADMIN_ID: "管理员"}


async def test_status_keeps_the_name_of_people_with_a_role(make_bot, clock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        await Chat(harness, harness.user(ADMIN_ID, "王管理员")).send("/status")
        await Chat(harness, harness.user(BOB, "路人")).send("/status")  # no role: nothing kept
        names = await harness.services.supervision.known_names([ADMIN_ID, BOB])
        assert names == {ADMIN_ID: "王管理员"}


async def buttons_gone(harness: BotHarness, chat: Chat, message) -> bool:
    """The buttons of ``message`` were taken off (editMessageReplyMarkup without a keyboard)."""
    await harness.emulator.wait_for_call(
        "editMessageReplyMarkup", lambda c: c.params.get("message_id") == message.message_id
    )
    current = harness.emulator.current_message(chat.id, message.message_id)
    return not (current or {}).get("reply_markup")


async def test_a_spent_return_button_does_not_overturn_a_pass(make_bot, clock) -> None:
    """The first notice's 退回 after the amended record passed on the second: answered, never a return."""
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        await make_secretary(harness, alice.user)
        record_id = await submit(harness, alice)
        notice = await admin.reply()
        details = await admin.press(notice, f"rv:open:{record_id}")  # returned from the details: the notice
        await admin.press(details, f"rv:ret:{record_id}")  # keeps its buttons
        await admin.send("照片不清楚")
        assert not (harness.emulator.current_message(admin.id, details.message_id) or {}).get("reply_markup")
        told = await alice.reply()
        await alice.press(told, f"r:amend:{record_id}:topic")
        await alice.send("学习贯彻党的二十届三中全会精神")
        await alice.send("按审核意见修改主题")
        again = await admin.reply()
        assert again.plain_text.startswith("🔁 退回的记录已修改"), again.plain_text
        clock.advance(timedelta(minutes=5))
        await admin.press(again, f"rv:pass:{record_id}")
        assert (await alice.reply()).plain_text.startswith("✅ 您提交的活动记录已审核通过")

        sent_before = len(harness.emulator.messages(admin.id))
        answer = await admin.press_for_answer(notice, f"rv:ret:{record_id}")
        assert answer["text"] == "这条记录已通过（11-22 10:05），无需再审核。", answer
        assert await buttons_gone(harness, admin, notice)
        new = [m for m in harness.emulator.messages(admin.id)[sent_before:] if m.kind == "send"]
        assert new == [], [m.plain_text for m in new]  # no 请填写退回意见
        # the admin's next text is a question, not a return comment
        await admin.send("主题党日多久开展一次")
        assert (await records(harness))[-1].review_state == "passed"
        assert not [m for m in harness.emulator.messages(alice.id) if "被退回" in (m.plain_text or "")][1:]


async def test_a_pass_while_the_return_comment_is_typed_is_not_overturned(make_bot, clock) -> None:
    """退回 pressed, then the record passes (another notice, another reviewer), then the comment arrives."""
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        await make_secretary(harness, alice.user)
        record_id = await submit(harness, alice)
        notice = await admin.reply()
        ask = await admin.press(notice, f"rv:ret:{record_id}")
        assert ask.plain_text.startswith("请填写退回意见"), ask.plain_text
        passed = await harness.services.review.pass_record(ADMIN_ID, record_id)
        assert passed.status == "ok"

        late = await admin.send("照片不清楚，请补充")
        assert late.plain_text == "这条记录已通过（11-22 10:00），无需再审核。", late.plain_text
        assert (await records(harness))[-1].review_state == "passed"
        await alice.send("/help")  # a round trip: nothing about a return reached the secretary
        assert not [m for m in harness.emulator.messages(alice.id) if "被退回" in (m.plain_text or "")]


async def test_return_on_a_withdrawn_record_says_it_was_withdrawn(make_bot, clock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        await make_secretary(harness, alice.user)
        record_id = await submit(harness, alice)
        notice = await admin.reply()
        assert await harness.services.records.withdraw(ALICE, record_id) == "ok"
        for act in ("ret", "pass"):
            answer = await admin.press_for_answer(notice, f"rv:{act}:{record_id}")
            assert answer["text"] == "这条记录已撤回，无需审核。", (act, answer)


@pytest.mark.parametrize("act", ["pass", "ret", "open"])
async def test_a_press_on_a_withdrawn_record_takes_the_buttons_off(make_bot, clock, act: str) -> None:
    """The notice of a record withdrawn while waiting for review: a press is answered (查看详情 shows the
    withdrawn record, without buttons) and the notice's buttons go."""
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        await make_secretary(harness, alice.user)
        record_id = await submit(harness, alice)
        notice = await admin.reply()
        listing = await alice.send("/records")
        view = await alice.press(listing, f"r:open:{record_id}")
        question = await alice.press_in_place(view, f"r:withdraw:{record_id}")
        await alice.press_in_place(question, f"r:wd_yes:{record_id}")
        assert (await records(harness))[-1].status == "withdrawn"
        assert harness.emulator.current_message(admin.id, notice.message_id).get("reply_markup")
        if act == "open":
            view = await admin.press(notice, f"rv:open:{record_id}")
            assert "（已撤回）" in view.plain_text and not view.buttons, view.plain_text
        else:
            answer = await admin.press_for_answer(notice, f"rv:{act}:{record_id}")
            assert answer["text"] == "这条记录已撤回，无需审核。", answer
        await harness.emulator.idle()
        assert not (harness.emulator.current_message(admin.id, notice.message_id) or {}).get("reply_markup")


async def test_a_second_return_says_the_first_was_dropped(make_bot, clock) -> None:
    """退回 on one record, then 退回 on another before any comment: the question says the first is dropped (it
    still waits for review), and the comment returns the second alone."""
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        await make_secretary(harness, alice.user)
        first = await submit(harness, alice)
        first_notice = await admin.reply()
        second = await submit(harness, alice, "theme_day")
        second_notice = await admin.reply()
        ask = await admin.press(first_notice, f"rv:ret:{first}")
        assert ask.plain_text.startswith("请填写退回意见"), ask.plain_text
        again = await admin.press(first_notice, f"rv:ret:{first}")  # the same record: asked again, no note
        assert again.plain_text.startswith("请填写退回意见"), again.plain_text
        ask = await admin.press(second_notice, f"rv:ret:{second}")
        number = ask.plain_text.rsplit("记录编号：", 1)[1]
        first_number = again.plain_text.rsplit("记录编号：", 1)[1]
        assert number != first_number
        assert ask.plain_text.startswith(
            f"记录编号 {first_number} 的退回还没有填写意见，已取消，该记录仍待审核。"
        )
        done = await admin.send("主题写错了")
        assert done.plain_text.startswith("↩️ 已退回"), done.plain_text
        states = {r.id: r.review_state for r in await records(harness)}
        assert states[second] == "returned" and states[first] != "returned", states
