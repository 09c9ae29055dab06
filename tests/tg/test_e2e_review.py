"""The review loop in chat (issue 10): a stored record reaches the administrator with 通过 / 退回; a return
with a comment reaches the secretary, who amends from that message; the administrator is told again and passes.
"""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from tests.fixtures_bot import BotHarness
from tests.tg.test_e2e_forms import ADMIN_ID, ALICE, BOB, START, Chat, Form, make_secretary, records

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

        # 通过 on a returned record is stale until the secretary amends it
        answer = await admin.press_for_answer(notice, f"rv:pass:{record_id}")
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
        answer = await admin.press_for_answer(notice, f"rv:pass:{record_id}")
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
