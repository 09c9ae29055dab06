"""/status with a period typed the way people (and the bot itself) write it (helper-96's review): every word is
read (``/status 2026 Q4`` showed the year), the bot's own labels and short forms are taken, and junk is refused
with examples. Also /status in the middle of /newbranch."""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from handlers.tg.status import NO_BRANCHES_ADMIN, NO_BRANCHES_CREATING
from tests.tg.forms_world import ADMIN_ID, ALICE, START, Chat, make_secretary
from tests.tg.test_e2e_review import ADMINS

HEAD = "活动完成情况 · "


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)  # 22 November 2026


async def test_status_reads_every_word_and_the_bots_own_wording(make_bot, clock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        await make_secretary(harness, harness.user(ALICE, "Alice"))
        for typed, shown in [
            ("2026 Q4", "2026年第四季度"),  # was 2026年度: only the first word was read
            ("2026年10月", "2026年10月"),
            ("2026年第四季度", "2026年第四季度"),
            ("2026 年 10 月", "2026年10月"),
            ("２０２６年１０月", "2026年10月"),
            ("上月", "2026年10月"),
            ("本季度", "2026年第四季度"),
            ("10月", "2026年10月"),
            ("去年", "2025年度"),
        ]:
            told = await admin.send(f"/status {typed}")
            assert told.plain_text.startswith(HEAD + shown), (typed, told.plain_text)


async def test_status_refuses_junk_with_examples_and_never_shows_another_period(make_bot, clock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        await make_secretary(harness, harness.user(ALICE, "Alice"))
        told = await admin.send("/status 2026 第五季度")
        assert told.plain_text.startswith("看不懂期间“2026 第五季度”"), told.plain_text
        assert (
            "2026-11" in told.plain_text and "2026年第四季度" in told.plain_text and "上月" in told.plain_text
        )


async def test_status_in_the_middle_of_newbranch_does_not_send_the_administrator_to_newbranch(
    make_bot, clock
):
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        assert (await admin.send("/status")).plain_text == NO_BRANCHES_ADMIN
        await admin.send("/newbranch")
        assert (await admin.send("某某科技有限公司")).plain_text.startswith("新建支部（2/4）")
        told = await admin.send("/status")
        assert told.plain_text == NO_BRANCHES_CREATING and "发送 /newbranch" not in told.plain_text
        # the wizard goes on where it was
        assert (await admin.send("科技党支部")).plain_text == "新建支部（3/4）：请选择组织形式："
