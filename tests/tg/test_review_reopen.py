"""/returnrecord, or the 退回更正 button: an administrator returns a passed record of a closed period for correction
(the secretary is told to ask for it: ``amend_rules.closed_note``), after which the usual amend -> review flow
works."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.services.clock import FixedClock
from handlers.tg.review_reopen import record_id
from tests.tg.forms_world import ADMIN_ID, ALICE, START, Chat, open_record, records
from tests.tg.test_records_closed_period import ADMINS, passed_record


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


def test_record_numbers_as_shown_or_bare():
    assert record_id("JL2026-000012") == 12
    assert record_id("jl2026-000012") == 12
    assert record_id("１２") == 12
    assert record_id("12") == 12
    for bad in ("", "0", "JL2026-", "abc", "12a", "-3", "9" * 12):
        assert record_id(bad) is None, bad


async def test_an_administrator_returns_a_passed_record_of_a_closed_month(
    make_bot, clock: FixedClock
) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin, alice, record = await passed_record(harness)
        clock.advance(timedelta(days=10))  # 2026-12-02: November is over, the record cannot be amended
        _, view = await open_record(alice, await alice.send("/records"), record.id)
        assert "由管理员退回" in view.plain_text, view.plain_text

        async def told(chat: Chat, text: str) -> str:
            await chat.send(text)
            await harness.emulator.idle()
            return [m for m in harness.emulator.messages(chat.user.id) if m.kind == "send"][-1].plain_text

        assert "只有上级党委管理员" in await told(
            alice, f"/returnrecord {record.id} 请更正"
        )  # not a secretary
        assert "用法" in await told(admin, "/returnrecord")
        assert "找不到" in await told(admin, "/returnrecord JL2026-000999 地点有误")
        assert "退回理由" in await told(admin, f"/returnrecord {record.id}")
        (still,) = await records(harness)
        assert still.review_state == "passed"

        number = f"JL2026-{record.id:06d}"
        done = await told(admin, f"/returnrecord {number} 地点写错了，请更正")
        assert "已退回" in done and "已通知支部书记" in done, done
        notice = await harness.emulator.wait_for_message(ALICE, lambda m: "被退回" in (m.plain_text or ""))
        assert "被退回" in notice.plain_text and "地点写错了，请更正" in notice.plain_text, notice.plain_text
        assert "修改地点" in notice.button_texts
        (returned,) = await records(harness)
        assert returned.review_state == "returned"

        sent = len(harness.emulator.messages(ALICE))
        again = await told(admin, f"/returnrecord {number} 地点写错了，请更正")  # again: nothing more happens
        assert "目前已退回" in again, again
        assert len(harness.emulator.messages(ALICE)) == sent
        _, view = await open_record(alice, await alice.send("/records"), record.id)
        assert "修改地点" in view.button_texts, view.button_texts  # the secretary can correct it now


async def test_the_button_asks_for_a_reason_then_returns_the_record(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin, alice, record = await passed_record(harness)
        emu, data = harness.emulator, f"rv:reopen:{record.id}"
        await emu.idle()
        done = next(m for m in reversed(emu.messages(ADMIN_ID)) if _datas(m) == [data])
        assert "已通过" in done.plain_text and done.button_texts == ["↩️ 退回更正"]  # under the pass itself
        clock.advance(timedelta(days=10))  # November is over: only an administrator can re-open it

        forged = await alice.press_for_answer(done.message_id, data, check=False)  # not an administrator
        assert forged.get("show_alert") and "只有上级党委管理员" in forged["text"], forged
        asked = await admin.press(done, data)
        assert "退回更正的理由" in asked.plain_text and f"JL2026-{record.id:06d}" in asked.plain_text
        assert "2至500字" in (await admin.send("改")).plain_text  # too short: asked again, still waiting
        assert "已取消" in (await admin.send("/cancel")).plain_text
        (still,) = await records(harness)
        assert still.review_state == "passed"

        await admin.press(done, data)
        admin.user.send_text("/help")  # another command drops the reason, said in one line
        dropped = await emu.wait_for_message(
            ADMIN_ID, lambda m: "退回更正还没有填写理由" in (m.plain_text or "")
        )
        assert "仍为已通过" in dropped.plain_text, dropped.plain_text
        await emu.idle()
        admin.user.press(done, data)
        await emu.idle()
        admin.user.send_text("出勤人数有误，请更正")
        told = await emu.wait_for_message(ADMIN_ID, lambda m: "已退回：" in (m.plain_text or ""))
        assert "已退回" in told.plain_text and "已通知支部书记" in told.plain_text, told.plain_text
        notice = await emu.wait_for_message(ALICE, lambda m: "出勤人数有误" in (m.plain_text or ""))
        assert "被退回" in notice.plain_text and "修改出勤" in notice.button_texts
        (returned,) = await records(harness)
        assert returned.review_state == "returned"
        await emu.idle()
        current = emu.current_message(ADMIN_ID, done.message_id) or {}
        assert not (current.get("reply_markup") or {}).get("inline_keyboard")  # the button is spent

        sent = len(emu.messages(ALICE))
        again = await admin.press_for_answer(done.message_id, data, check=False)  # an old copy of the button
        assert again.get("show_alert") and "目前已退回" in again["text"], again
        await emu.idle()
        assert len(emu.messages(ALICE)) == sent  # nobody is told twice


async def test_an_administrator_opening_a_passed_record_gets_the_button(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin, _, record = await passed_record(harness)
        # 查看详情 of a notice another administrator still has (its buttons were not taken off by this pass)
        admin.user.press(await admin.send("/help"), f"rv:open:{record.id}", check=False)
        view = await harness.emulator.wait_for_message(
            ADMIN_ID, lambda m: _datas(m) == [f"rv:reopen:{record.id}"]
        )
        assert "退回更正" in view.button_texts[0] and "已通过" in view.plain_text, view.plain_text


def _datas(message) -> list[str]:
    return [b.get("callback_data", "") for b in message.buttons]
