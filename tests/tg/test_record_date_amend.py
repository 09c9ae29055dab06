"""修改日期: a submitted record's day is amended within its month (a wrong day typed, 今天 pressed for yesterday's
meeting), with a reason, like a text; a day in another month or ahead is refused, said why, and nothing changes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from handlers.services.clock import FixedClock
from tests.tg.forms_world import (
    ALICE,
    START,
    Chat,
    Form,
    amendments,
    make_secretary,
    open_record,
    records,
)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def test_the_day_is_amended_within_its_month(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        branch = await make_secretary(harness, chat.user)
        await Form(chat, "theme_day").run("confirm")  # held 今天, 2026-11-22
        (record,) = await records(harness, branch.id)
        clock.advance(timedelta(days=2))  # past the 24 hours of 撤回: amending is the only way left
        listing = await chat.send("/records")
        _, view = await open_record(chat, listing, record.id)
        assert "修改日期" in view.button_texts
        prompt = await chat.press(view, f"r:amend:{record.id}:held_on")
        assert prompt.plain_text.startswith("请发送新的活动日期"), prompt.plain_text

        other_month = await chat.send("上个月30号")
        assert other_month.plain_text.startswith("日期只能在原来的月份（2026年11月）之内修改。"), (
            other_month.plain_text
        )
        ahead = await chat.send("明天")
        assert ahead.plain_text.startswith("活动日期不能晚于今天。"), ahead.plain_text
        same = await chat.send("11月22日")
        assert same.plain_text.startswith("新日期和原来一样"), same.plain_text
        assert (await records(harness, branch.id))[0].held_on == date(2026, 11, 22)

        reason = await chat.send("20号")
        assert "修改原因" in reason.plain_text, reason.plain_text
        done = await chat.send("实际是周五开的，当时点成了今天")
        assert done.plain_text.startswith("已修改"), done.plain_text
        (row,) = await records(harness, branch.id)
        assert (row.held_on, row.period) == (date(2026, 11, 20), record.period)
        (amendment,) = await amendments(harness, record.id)
        assert amendment.changes == {"held_on": ["2026-11-22", "2026-11-20"]}
        listing = await chat.send("/records")
        _, view = await open_record(chat, listing, record.id)
        assert "主题党日 · 2026年11月 · 2026-11-20" in view.plain_text, view.plain_text
        assert "改了日期" in view.plain_text, view.plain_text
