"""/status's period switches (本月/上月/本季度…) edit the status message in place instead of sending a new one
each time; a message that can no longer be edited is replaced by a new one."""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from tests.tg.forms_world import ADMIN_ID, ALICE, START, Chat, make_secretary
from tests.tg.test_e2e_review import ADMINS


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def test_a_period_switch_edits_the_status_message(make_bot, clock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        emulator = harness.emulator
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        await make_secretary(harness, harness.user(ALICE, "Alice"))
        status = await admin.send("/status")
        assert status.plain_text.startswith("活动完成情况 · 2026年11月")

        last_month = await admin.press_in_place(status, "st:2026-10")
        assert last_month.message_id == status.message_id
        assert last_month.plain_text.startswith("活动完成情况 · 2026年10月")
        assert last_month.button_texts[:2] == ["本月", "• 上月"]
        quarter = await admin.press_in_place(last_month, "st:2026-Q4")
        assert quarter.message_id == status.message_id and "2026年第四季度" in quarter.plain_text
        await emulator.expect_no_message(ADMIN_ID)  # no new message beside the edits
        assert [m.kind for m in emulator.messages(ADMIN_ID)].count("send") == 1

        # A message too old to edit: the status comes as a new message.
        emulator.fail_next("editMessageText", status=400, description="Bad Request: message can't be edited")
        again = await admin.press(quarter, "st:2026-11")
        assert again.kind == "send" and again.message_id != status.message_id
        assert again.plain_text.startswith("活动完成情况 · 2026年11月") and again.button_texts[0] == "• 本月"
        assert harness.errors == []
