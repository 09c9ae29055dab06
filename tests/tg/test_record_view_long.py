"""A record's view in chat stays one message and always shows its review (helper-92's review: minutes typed in
full, under the form's limit, pushed 审核 and 退回意见 past the 4,000 characters the view was cut at)."""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from handlers.tg.render_records import MAX_VIEW, MINUTES_SHOWN
from tests.tg.forms_world import ADMIN_ID, ALICE, START, Chat, Form, make_secretary, records

ADMINS = {"BRANCHBOT_ADMIN_IDS": str(ADMIN_ID)}
LONG_MINUTES = "会议由书记主持，传达学习上级文件精神，党员逐一发言。" * 150  # about 3,900 characters


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def test_long_minutes_leave_the_return_comment_in_view(make_bot, clock):
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, alice.user)
        await Form(alice, "committee", minutes=LONG_MINUTES).run("confirm")
        rid = (await records(harness))[-1].id
        await admin.press(await admin.reply(), f"rv:ret:{rid}")
        await admin.send("照片不清楚，请补充")
        told = await alice.reply()
        view = await alice.press(told, f"r:open:{rid}")
        text = view.plain_text
        assert "审核：已退回" in text and "退回意见：照片不清楚，请补充" in text, text[-200:]
        assert f"…（以下略，共{len(LONG_MINUTES)}字）" in text
        assert LONG_MINUTES[:MINUTES_SHOWN] in text and len(text) <= MAX_VIEW


def test_a_long_history_loses_its_oldest_lines_first() -> None:
    from handlers.tg.render_records import _fitted

    history = [f"修改：{n:03d} 改了主题，原因：{'写错了' * 30}" for n in range(1, 61)]
    text = _fitted(["记录编号：X", "审核：已退回", "退回意见：请补充"], history)
    assert len(text) <= MAX_VIEW and "退回意见：请补充" in text
    assert text.endswith(history[-1]) and history[0] not in text
    assert "（更早的" in text and "条修改和审核经过从略）" in text
