"""/records → a record → 撤回这条记录 asks first (确定撤回 / 不撤回, in place of the view, as the form asks before
discarding a draft); a withdrawn record no longer asks to be amended and resubmitted."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.services.clock import FixedClock
from handlers.tg.render_records import PASSED
from tests.tg.forms_world import ADMIN_ID, ALICE, START, Chat, Form, make_secretary, records
from tests.tg.forms_world import open_record as open_view


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def test_withdrawing_asks_first_and_can_be_called_off(make_bot, clock) -> None:
    async with make_bot(clock=clock) as harness:
        alice = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, alice.user)
        await Form(alice, "committee").run("confirm")
        (record,) = await records(harness)
        listing = await alice.send("/records")
        _, view = await open_view(alice, listing, record.id)
        buttons = view.button_texts

        ask = await alice.press_in_place(view, f"r:withdraw:{record.id}")
        assert ask.message_id == view.message_id
        assert ask.plain_text.startswith("确定撤回这条记录吗？撤回后不再计入本支部的活动。"), ask.plain_text
        assert f"记录编号：JL2026-{record.id:06d}" in ask.plain_text
        assert ask.button_texts == ["确定撤回", "不撤回"]
        assert (await records(harness))[0].status == "active"  # nothing happens before 确定撤回

        answer = await alice.press_for_answer(view, f"r:wd_no:{record.id}")
        assert answer.get("text") == "没有撤回。"
        back = await harness.emulator.wait_for_message(ALICE, lambda m: m.kind == "edit_text")
        assert back.message_id == view.message_id and back.plain_text == view.plain_text
        assert back.button_texts == buttons
        assert (await records(harness))[0].status == "active"

        await alice.press_in_place(view, f"r:withdraw:{record.id}")
        answer = await alice.press_for_answer(view, f"r:wd_yes:{record.id}")
        assert answer.get("text") == "已撤回。"
        assert (await alice.reply()).plain_text == "这条记录已撤回，不再计入本支部的活动。"
        assert (await records(harness))[0].status == "withdrawn"
        # a second tap on the spent question (an old client): answered, not withdrawn twice, nothing sent
        sent = len(harness.emulator.messages(ALICE))
        answer = await alice.press_for_answer(view, f"r:wd_yes:{record.id}", check=False)
        assert answer.get("text") == "这条记录已撤回。"
        await harness.emulator.idle()
        assert [m for m in harness.emulator.messages(ALICE)[sent:] if m.kind == "send"] == []


async def returned(harness, comment: str, clock: FixedClock | None = None, hours: int = 0):
    """Alice files a record; ``hours`` later the administrator returns it with ``comment``: (alice, the record,
    the notice she was sent)."""
    admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
    alice = Chat(harness, harness.user(ALICE, "王书记"))
    await make_secretary(harness, alice.user)
    await Form(alice, "committee").run("confirm")
    (record,) = await records(harness)
    if clock is not None:
        clock.advance(timedelta(hours=hours))
    await admin.press(await admin.reply(), f"rv:ret:{record.id}")
    await admin.send(comment)
    return alice, record, await alice.reply()


async def test_a_withdrawn_returned_record_does_not_ask_to_be_amended(make_bot, clock) -> None:
    async with make_bot(clock=clock, BRANCHBOT_ADMIN_IDS=str(ADMIN_ID)) as harness:
        alice, record, _ = await returned(harness, "点错了")

        listing = await alice.send("/records")
        _, view = await open_view(alice, listing, record.id)
        assert "退回意见：点错了（请修改后重新提交）" in view.plain_text
        await alice.press_in_place(view, f"r:withdraw:{record.id}")
        await alice.press_for_answer(view, f"r:wd_yes:{record.id}")
        withdrawn = await harness.emulator.wait_for_message(ALICE, lambda m: m.kind == "edit_text")
        assert (await alice.reply()).plain_text == "这条记录已撤回，不再计入本支部的活动。"
        _, reopened = await open_view(alice, await alice.send("/records"), record.id)
        for text in (withdrawn.plain_text, reopened.plain_text):
            assert text.startswith(f"记录编号：JL2026-{record.id:06d}（已撤回）"), text
            assert "退回意见" not in text and "请修改后重新提交" not in text, text
            assert "退回：2026-11-22 10:00，意见：点错了" in text  # the history keeps it


async def test_a_passed_record_is_not_withdrawn_but_amended(make_bot, clock) -> None:
    """A record the reviewer passed offered no 撤回 only after 24 hours: the secretary withdrew it and /status
    changed without a word (review 82). Now the view has no 撤回 once passed, and a button still on an older
    message says to use 修改."""
    async with make_bot(clock=clock, BRANCHBOT_ADMIN_IDS=str(ADMIN_ID)) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, alice.user)
        await Form(alice, "committee").run("confirm")
        (record,) = await records(harness)
        _, view = await open_view(alice, await alice.send("/records"), record.id)
        assert "撤回这条记录" in view.button_texts
        await alice.press_in_place(view, f"r:withdraw:{record.id}")  # 确定撤回 / 不撤回, not yet pressed

        await admin.press(await admin.reply(), f"rv:pass:{record.id}")
        await alice.reply()  # told it was passed
        for data in (f"r:wd_yes:{record.id}", f"r:withdraw:{record.id}"):
            answer = await alice.press_for_answer(view, data, check=False)
            assert answer.get("text") == PASSED and answer.get("show_alert"), data
            assert "修改" in answer["text"]
        assert (await records(harness))[0].status == "active"
        _, reopened = await open_view(alice, await alice.send("/records"), record.id)
        assert "审核：已通过" in reopened.plain_text
        assert "撤回这条记录" not in reopened.button_texts and any(
            b.startswith("修改") for b in reopened.button_texts
        )


async def test_a_returned_record_can_be_withdrawn_after_a_day(make_bot, clock) -> None:
    """Returned as "日期写错了" after the 24 hours: the date cannot be amended, so the record can be withdrawn and
    filed again (helper-92's review: neither 修改日期 nor 撤回 was offered); the notice says so."""
    async with make_bot(clock=clock, BRANCHBOT_ADMIN_IDS=str(ADMIN_ID)) as harness:
        alice, record, told = await returned(harness, "日期写错了，应为11月20日", clock, hours=30)
        assert "活动类型或月份有误的，可在“查看记录”中撤回后重新填写" in told.plain_text
        _, view = await open_view(alice, await alice.send("/records"), record.id)
        assert "撤回这条记录" in view.button_texts, view.button_texts
        await alice.press_in_place(view, f"r:withdraw:{record.id}")
        await alice.press_for_answer(view, f"r:wd_yes:{record.id}")
        assert (await alice.reply()).plain_text == "这条记录已撤回，不再计入本支部的活动。"
        assert (await records(harness))[0].status == "withdrawn"
