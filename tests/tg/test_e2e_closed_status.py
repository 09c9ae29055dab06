"""A branch closed (撤销) within a quarter on the phone: /status of the quarter still lists it for the months it
existed in, marked closed with the date, its later periods ⊘ (not owed); the digest of a month it existed in
names the day it was closed rather than asking for a secretary."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from handlers.services.clock import SHANGHAI, FixedClock
from handlers.services.reminders import Digest, DigestBranch, DigestPeriod
from handlers.tg.render_digest import digest_html
from knowledge.activities import Cadence
from tests.emulator import parse_html
from tests.services.reminder_world import record
from tests.tg.forms_world import ADMIN_ID, ALICE, START, Chat, make_secretary
from tests.tg.test_e2e_review import ADMINS


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)  # 22 November 2026


async def test_status_of_the_quarter_keeps_a_branch_closed_within_it(make_bot, clock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        branch = await make_secretary(harness, harness.user(ALICE, "Alice"))
        await make_secretary(harness, harness.user(810_009, "Dan"), name="第二党支部")
        clock.current = datetime(2026, 12, 2, 15, 0, tzinfo=SHANGHAI)
        assert (await harness.services.branch_admin.close(branch.id)).status == "ok"
        clock.current = datetime(2026, 12, 5, 10, 0, tzinfo=SHANGHAI)

        lines = (await admin.send("/status 本季度")).plain_text.splitlines()
        closed = next(line for line in lines if "第一党支部" in line)
        # November owed and missed (the four monthly kinds overdue), the quarterly and yearly kinds not owed.
        assert closed == "❗❗❗⊘⊘⊘❗⊘  第一党支部 · 已撤销（2026-12-02）", lines
        assert "❗❗❗❌❌❌❗❌  第二党支部" in lines  # open: it owes the quarter and the year
        assert any("⊘支部已撤销" in line for line in lines)
        month = (await admin.send("/status")).plain_text
        assert "第一党支部" not in month and "第二党支部" in month  # December: it owes nothing


async def test_status_of_the_month_keeps_a_branch_closed_within_it_with_its_record(make_bot, clock) -> None:
    """Closed on 10 December after a 主题党日 (waiting for review): /status of December lists it with the record,
    marked closed with the date, its other kinds ⊘, nothing overdue; one closed that day with nothing stays out."""
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        branch = await make_secretary(harness, harness.user(ALICE, "Alice"))
        idle = await make_secretary(harness, harness.user(810_009, "Dan"), name="第二党支部")
        await make_secretary(harness, harness.user(810_010, "Eve"), name="第三党支部")
        await record(harness.services.session_factory, branch.id, "theme_day", date(2026, 12, 3), by=ALICE)
        clock.current = datetime(2026, 12, 10, 15, 0, tzinfo=SHANGHAI)
        for closing in (branch, idle):
            assert (await harness.services.branch_admin.close(closing.id)).status == "ok"
        clock.current = datetime(2027, 1, 5, 10, 0, tzinfo=SHANGHAI)

        lines = (await admin.send("/status 2026-12")).plain_text.splitlines()
        assert "⏳⊘⊘⊘⊘⊘⊘⊘  第一党支部 · 已撤销（2026-12-10）" in lines, lines
        assert not any("第二党支部" in line for line in lines)  # closed with nothing recorded: out
        assert "❗❗❗❗❗❗❗❗  第三党支部" in lines, lines  # open: it owes all of it, and it is late
        # The closed branch's record counts; its ⊘ slots count neither as owed nor as overdue.
        assert "①主题党日：⏳1 ❌1 ❗1" in lines and "合计：⏳1 ❌8 ❗8" in lines, lines


def test_a_digest_names_the_day_a_branch_was_closed_after_the_period() -> None:
    entry = DigestBranch(1, "第一党支部", "某公司", ("theme_day",), (), False, False, closed="2026-12-01")
    period = DigestPeriod(Cadence.MONTHLY, "2026-11", "2026年11月", 2, 1, (entry,))
    digest = Digest("2026-11", (period,), ())
    plain, _ = parse_html(digest_html(Digest.from_json(digest.to_json()), SHANGHAI))  # stored and read back
    assert "• 某公司 · 第一党支部：缺 主题党日（12月1日已撤销）" in plain.splitlines()
    old = digest.to_json()
    del old["periods"][0]["branches"][0][
        "closed"
    ]  # a digest stored before the field: no secretary, as it was
    plain, _ = parse_html(digest_html(Digest.from_json(old), SHANGHAI))
    assert "• 某公司 · 第一党支部：缺 主题党日（尚无书记）" in plain.splitlines()
