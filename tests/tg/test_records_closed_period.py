"""A passed record of a month that has ended: its view offers no 修改 (and says why), and a 修改 button of an
older view is answered with the reason; nothing is asked, nothing changes (``amend_rules.closed_note``)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.services.clock import FixedClock
from tests.tg.forms_world import ADMIN_ID, ALICE, START, Chat, Form, make_secretary, open_record, records

ADMINS = {"BRANCHBOT_ADMIN_IDS": str(ADMIN_ID)}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def passed_record(harness) -> tuple[Chat, Chat, object]:
    """The administrator's and the secretary's chats, and her committee meeting of 22 November, passed."""
    admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
    alice = Chat(harness, harness.user(ALICE, "王书记"))
    await make_secretary(harness, alice.user)
    await Form(alice, "committee").run("confirm")  # 2026-11-22
    (record,) = await records(harness)
    await admin.press(await admin.reply(), f"rv:pass:{record.id}")
    await alice.reply()  # 已审核通过
    return admin, alice, record


async def test_a_passed_record_of_a_closed_month_is_not_amended(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin, alice, record = await passed_record(harness)
        _, november_view = await open_record(alice, await alice.send("/records"), record.id)
        assert "修改地点" in november_view.button_texts  # November is running: amended as before

        clock.advance(timedelta(days=10))  # 2026-12-02: November is over
        _, view = await open_record(alice, await alice.send("/records"), record.id)
        assert not any(t.startswith("修改") for t in view.button_texts), view.button_texts
        assert "不能再修改" in view.plain_text, view.plain_text

        sent = len(harness.emulator.messages(ALICE))
        answer = await alice.press_for_answer(november_view, f"r:amend:{record.id}:place")
        assert answer.get("show_alert") and "2026年11月已经结束" in answer["text"], answer
        answer = await alice.press_for_answer(november_view, f"r:photos:{record.id}:add")
        assert "2026年11月已经结束" in answer["text"], answer
        await harness.emulator.idle()
        assert len(harness.emulator.messages(ALICE)) == sent  # nothing asked
        (after,) = await records(harness)
        assert after.review_state == "passed" and after.place == record.place
        assert [m for m in harness.emulator.messages(ADMIN_ID) if "再次审核" in (m.plain_text or "")] == []
