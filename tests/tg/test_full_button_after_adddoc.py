"""A 查看原文 button made before a document was added still opens its own passage (passage ids are positions in
the corpus: a document that sorts before the others renumbers every passage after it)."""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from tests.tg.forms_world import ADMIN_ID, ALICE, START, Chat
from tests.tg.test_e2e_review import ADMINS

# Longer than an answer's quote, so the answer offers 查看原文.
DOC_B = (
    "楼宇党建联络员工作办法\n\n楼宇党建联络员负责摸排楼宇内企业党员情况，每月走访一次入驻企业，收集党员诉求。"
    + "".join(
        f"第{n}项，联络员要把走访情况登记在册，按时向街道党工委报告，发现问题及时协调解决。"
        for n in "一二三四五六七八"
    )
    + "\n"
).encode()
DOC_A = ("园区党群服务中心开放办法\n\n一是园区党群服务中心要每周开放不少于五天，安排专人值守。\n").encode()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def _add(admin: Chat, name: str, content: bytes) -> None:
    admin.user.send_document(name, "text/plain", content=content, caption="/adddoc")
    assert (await admin.reply()).plain_text.startswith("已收到")
    added = await admin.reply(timeout=120)
    assert added.plain_text.startswith("已添加知识库文档"), added.plain_text


async def test_an_old_full_text_button_opens_its_own_passage(make_bot, clock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        await _add(admin, "b楼宇.txt", DOC_B)
        answer = await alice.send("楼宇党建联络员负责什么")
        assert "楼宇党建联络员" in answer.plain_text
        button = next(
            b["callback_data"]
            for row in answer.message["reply_markup"]["inline_keyboard"]
            for b in row
            if b["text"] == "查看原文"
        )
        await _add(admin, "a园区.txt", DOC_A)  # sorts first: every passage id after it moves
        full = await alice.press(answer, button)
        assert "楼宇党建联络员负责摸排" in full.plain_text, full.plain_text
        assert "园区党群服务中心" not in full.plain_text
