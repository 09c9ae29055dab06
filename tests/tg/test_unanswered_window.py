"""/unanswered looks at the last 90 days unless told otherwise, and says when each group was last asked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.services.clock import FixedClock
from handlers.tg.curation import UNANSWERED_USAGE, window_days
from tests.tg.forms_world import ADMIN_ID, ALICE, START, Chat
from tests.tg.test_e2e_review import ADMINS

OLD = "公司食堂的菜单怎么定"  # off topic: refused, logged unanswered
NEW = "年终奖怎么发放"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.mark.parametrize(
    ("args", "days"),
    [
        ([], 90),
        (["30"], 30),
        (["３０"], 30),
        (["30天"], 30),
        (["近", "7", "天"], 7),
        (["全部"], None),
        (["ALL"], None),
    ],
)
def test_window_days_reads_what_an_administrator_types(args, days) -> None:
    assert window_days(args) == days


@pytest.mark.parametrize("args", [["0"], ["-5"], ["昨天"], ["99999"], ["30", "全部"]])
def test_window_days_refuses_anything_else(args) -> None:
    with pytest.raises(ValueError):
        window_days(args)


async def test_old_questions_leave_the_default_list_and_stay_under_all(make_bot, clock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        await alice.send(OLD)
        clock.advance(timedelta(days=100))
        await alice.send(NEW)

        listed = (await admin.send("/unanswered")).plain_text
        assert listed.startswith("未能回答或把握不大的问题（近90天，共 1 组"), listed
        assert NEW in listed and OLD not in listed
        assert "最近一次3月2日" in listed, listed  # 22 November + 100 days, in the next year: no year shown
        assert "更早的问题：/unanswered 全部" in listed

        everything = (await admin.send("/unanswered 全部")).plain_text
        assert everything.startswith("未能回答或把握不大的问题（全部时间，共 2 组"), everything
        assert OLD in everything and "最近一次2026年11月22日" in everything, everything
        assert "/unanswered 全部" not in everything

        clock.advance(timedelta(days=40))
        assert (await admin.send("/unanswered 30")).plain_text == (
            "近30天没有未能回答的问题。更早的问题可发送 /unanswered 全部 查看。"
        )
        assert (await admin.send("/unanswered 昨天")).plain_text == UNANSWERED_USAGE
