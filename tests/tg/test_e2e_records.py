"""Stored records end to end: /records opens, withdraws and amends them, in local time, never another branch's;
a photo over the limit is refused and not stored.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.services.clock import FixedClock
from tests.emulator import SentMessage
from tests.fixtures_bot import BotHarness
from tests.tg.forms_world import (
    ALICE,
    BOB,
    CAROL,
    QUESTION,
    START,
    Chat,
    Form,
    amendments,
    make_secretary,
    open_record,
    png,
    records,
    sha256,
    stored_objects,
)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


# --------------------------------------------------------------------------------------------------
# /records: open (photos re-sent), withdraw within 24 hours, amend with a reason
# --------------------------------------------------------------------------------------------------


async def test_records_open_withdraw_and_amend(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        emu = harness.emulator
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        branch = await make_secretary(harness, chat.user)
        theme = Form(chat, "theme_day", topic="主题党日：参观红色教育基地", photo_seed=1)
        await theme.run("confirm")
        committee = Form(chat, "committee", topic="支委会：研究发展党员", photo_seed=9, use_jpeg=True)
        await committee.run("confirm")
        theme_record, committee_record = await records(harness, branch.id)

        listing = await chat.send("/records")
        assert listing.plain_text == "本支部近12个月的活动记录共 2 条，点击查看："
        assert [b["callback_data"] for b in listing.buttons] == [
            f"r:open:{committee_record.id}",
            f"r:open:{theme_record.id}",
        ]
        assert listing.button_texts[1] == "11-22 主题党日 主题党日：参观红色教育基"
        description = await _two_photos_as_an_album(chat, listing, theme, theme_record.id)
        listing = await _withdrawn_within_a_day(harness, chat, description, branch.id, theme_record.id)
        description = await _one_photo_then_the_topic_amended(
            harness, chat, listing, committee, committee_record.id
        )
        await _not_withdrawn_after_a_day(harness, chat, clock, listing, description, committee_record.id)
        await emu.idle()


async def _two_photos_as_an_album(
    chat: Chat, listing: SentMessage, theme: Form, record_id: int
) -> SentMessage:
    """Two photos come back as an album, with the stored file ids."""
    files, description = await open_record(chat, listing, record_id)
    assert [m.method for m in files] == ["sendMediaGroup", "sendMediaGroup"]
    assert [m.message["photo"][-1]["file_id"] for m in files] == [p["file_id"] for p in theme.photos]
    assert len({m.message["media_group_id"] for m in files}) == 1
    lines = description.plain_text.split("\n")
    assert lines[0] == f"记录编号：JL2026-{record_id:06d}"
    assert lines[1] == "主题党日 · 2026年11月 · 2026-11-22"
    assert f"主题：{theme.topic}" in lines and "照片：2 张" in lines and "  缺席：张三（出差）" in lines
    assert description.button_texts == [
        "撤回这条记录", "修改日期", "修改主题", "修改地点", "修改会议记录", "修改出勤", "补充照片", "重新上传照片",
    ]  # fmt: skip
    return description


async def _withdrawn_within_a_day(
    harness: BotHarness, chat: Chat, description: SentMessage, branch_id: int, record_id: int
) -> SentMessage:
    """Withdraw within 24 hours: asked first, in place of the view."""
    ask = await chat.press_in_place(description, f"r:withdraw:{record_id}")
    assert ask.plain_text.startswith("确定撤回这条记录吗？撤回后不再计入本支部的活动。"), ask.plain_text
    assert ask.button_texts == ["确定撤回", "不撤回"]
    answer = await chat.press_for_answer(description, f"r:wd_yes:{record_id}")
    assert answer.get("text") == "已撤回。"
    assert (await chat.reply()).plain_text == "这条记录已撤回，不再计入本支部的活动。"
    assert (await records(harness, branch_id))[0].status == "withdrawn"
    listing = await chat.send("/records")
    assert listing.button_texts[1].endswith("（已撤回）")
    _, description = await open_record(chat, listing, record_id)
    assert description.plain_text.startswith(f"记录编号：JL2026-{record_id:06d}（已撤回）")
    assert description.buttons == []
    return listing


async def _one_photo_then_the_topic_amended(
    harness: BotHarness, chat: Chat, listing: SentMessage, committee: Form, record_id: int
) -> SentMessage:
    """One photo comes back with sendPhoto; amend the topic with a reason."""
    files, description = await open_record(chat, listing, record_id)
    assert [(m.method, m.message["photo"][-1]["file_id"]) for m in files] == [
        ("sendPhoto", committee.photos[0]["file_id"])
    ]
    reply = await chat.press(description, f"r:amend:{record_id}:topic")
    assert reply.plain_text == "请发送新的主题（发送 /cancel 取消）："
    assert (await chat.send("支委会：研究发展党员和党费收缴")).plain_text.endswith(
        "请简要说明修改原因（如“主题写错了”）："
    )
    assert (await chat.send("主题漏写了党费")).plain_text == "已修改，修改记录已保存。发送 /records 可查看。"
    (amendment,) = await amendments(harness, record_id)
    assert amendment.reason == "主题漏写了党费" and amendment.amended_by == chat.id
    assert amendment.changes == {"topic": [committee.topic, "支委会：研究发展党员和党费收缴"]}
    listing = await chat.send("/records")
    _, description = await open_record(chat, listing, record_id)
    assert "主题：支委会：研究发展党员和党费收缴" in description.plain_text
    assert "改了主题，原因：主题漏写了党费" in description.plain_text
    return description


async def _not_withdrawn_after_a_day(
    harness: BotHarness,
    chat: Chat,
    clock: FixedClock,
    listing: SentMessage,
    description: SentMessage,
    record_id: int,
) -> None:
    """25 hours later: withdrawing is refused, the record stays."""
    clock.advance(timedelta(hours=25))
    answer = await chat.press_for_answer(description, f"r:withdraw:{record_id}")
    assert answer.get("show_alert") is True and "已超过24小时" in answer.get("text", "")
    assert [r.status for r in await records(harness) if r.id == record_id] == ["active"]
    _, description = await open_record(chat, listing, record_id)
    assert "撤回这条记录" not in description.button_texts


async def test_amendment_time_is_shown_in_local_time(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        branch = await make_secretary(harness, chat.user)
        await Form(chat, "committee").run("confirm")
        (record,) = await records(harness, branch.id)
        listing = await chat.send("/records")
        _, description = await open_record(chat, listing, record.id)
        await chat.press(description, f"r:amend:{record.id}:place")
        await chat.send("党员活动室")
        await chat.send("地点写错了")
        _, description = await open_record(chat, listing, record.id)
        assert "修改：2026-11-22 10:00 改了地点，原因：地点写错了" in description.plain_text, (
            description.plain_text
        )


async def test_other_branch_cannot_open_a_record(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        emu = harness.emulator
        alice = Chat(harness, harness.user(ALICE, "王书记"))
        bob = Chat(harness, harness.user(BOB, "李书记"))
        carol = Chat(harness, harness.user(CAROL, "路人"))  # no branch at all
        branch_a = await make_secretary(harness, alice.user, name="甲公司党支部")
        await make_secretary(harness, bob.user, name="乙公司党支部")
        form = Form(alice, "theme_day", topic="甲支部的机密主题")
        await form.run("confirm")
        (record,) = await records(harness, branch_a.id)

        for chat in (bob, carol):
            anchor = await chat.send("/records")  # any bot message to press a forged button on
            calls_before = len(emu.calls)
            for data in (f"r:open:{record.id}", f"r:withdraw:{record.id}", f"r:amend:{record.id}:topic"):
                answer = await chat.press_for_answer(anchor, data, check=False)
                assert answer.get("show_alert") is True and "无权查看" in answer.get("text", ""), answer
            await emu.idle()
            sent = [c for c in emu.calls[calls_before:] if c.method.startswith("send")]
            assert sent == [], [(c.method, c.params) for c in sent]
            # Nothing owed: a following text is not taken as a new topic.
            assert form.topic not in (await chat.send(QUESTION)).plain_text
        (record,) = await records(harness, branch_a.id)
        assert record.status == "active" and record.topic == form.topic
        assert await amendments(harness, record.id) == []


async def test_a_photo_over_the_limit_is_refused_and_not_stored(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        form = Form(chat, "theme_day")
        await form.run("minutes")
        contents = [png(400 + i) for i in range(20)]
        chat.user.send_album(contents[:10], media_group_id="24680")
        chat.user.send_album(contents[10:], media_group_id="24681")
        progress = await chat.reply(timeout=5)
        assert progress.plain_text.startswith("已收到 20 张照片。")
        before = stored_objects(harness)

        chat.user.send_photo(file_id="AgACAgUAAxkBAAIextra", file_unique_id="AQADextra21", content=png(499))
        refused = await chat.reply()
        assert refused.plain_text.startswith("照片最多20张，多出的没有保存。")
        assert len((await chat.data())["photos"]) == 20
        assert stored_objects(harness) == before
        assert sha256(png(499)) not in before
