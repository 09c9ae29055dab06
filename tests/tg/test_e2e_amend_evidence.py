"""A record returned for its photos or its attendance can be fixed from the notice (or /records), also after the
24 hours of 撤回: photos added or all sent again, the attendance re-entered; each with a reason, kept in the
history, and the record goes back to review."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from handlers.services.clock import FixedClock
from storage.models import RecordEvent
from tests.emulator import SentMessage
from tests.fixtures_bot import BotHarness
from tests.tg.forms_world import (
    ADMIN_ID,
    ALICE,
    START,
    Chat,
    Form,
    amendments,
    make_secretary,
    png,
    record_files,
    records,
    sha256,
    stored_objects,
)

ADMINS = {"BRANCHBOT_ADMIN_IDS": str(ADMIN_ID)}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def events(harness, record_id: int) -> list[RecordEvent]:
    stmt = select(RecordEvent).where(RecordEvent.record_id == record_id).order_by(RecordEvent.id)
    async with harness.services.session_factory() as session:
        return list(await session.scalars(stmt))


async def returned(admin: Chat, alice: Chat, record_id: int, comment: str, notice=None):
    """The administrator returns the record (from ``notice``, or the next message); the secretary's notice."""
    notice = notice or await admin.reply()
    await admin.press(notice, f"rv:ret:{record_id}")
    await admin.send(comment)
    told = await alice.reply()
    assert told.plain_text.startswith("↩️ 您提交的活动记录被退回"), told.plain_text
    return told


async def test_photos_of_a_returned_record_are_added_then_replaced(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "孙书记"))
        await make_secretary(harness, alice.user)
        form = Form(alice, "theme_day", photo_seed=41)
        await form.run("confirm")
        (record,) = await records(harness)
        told = await returned(admin, alice, record.id, "照片不是现场照片，请补充现场照片")
        assert told.button_texts == [
            "修改日期", "修改主题", "修改地点", "修改会议记录", "修改出勤", "补充照片", "重新上传照片", "查看记录",
        ]  # fmt: skip
        clock.advance(timedelta(days=2))  # 撤回 is long gone
        again = await _photos_added(harness, admin, alice, told, record.id, form)
        await _photos_replaced(harness, admin, alice, again, record.id, form)


async def _photos_added(
    harness: BotHarness, admin: Chat, alice: Chat, told: SentMessage, record_id: int, form: Form
) -> SentMessage:
    """补充照片: a picture already there is refused; the reviewer sees the photos, not only the count."""
    same, other = form.photos[0]["content"], form.photos[1]["content"]
    ask = await alice.press(told, f"r:photos:{record_id}:add")
    assert ask.plain_text.startswith("请发送要补充的现场照片（可一次选多张），发完后点击“完成”。现有 2 张")
    assert ask.button_texts == ["完成"]
    answer = await alice.press_for_answer(ask, f"r:pdone:{record_id}")
    assert answer.get("show_alert") and "还没有收到新照片" in answer["text"]
    _, refused = await alice.photo(same)  # the same picture again: refused, not kept
    assert refused.plain_text.startswith("这张照片和已有的照片是同一张，没有保存。"), refused.plain_text
    _, counted = await alice.photo(png(43))
    assert counted.plain_text.startswith("已收到 1 张新照片。"), counted.plain_text
    reason = await alice.press(counted, f"r:pdone:{record_id}")
    assert reason.plain_text == (
        f"已收到 1 张新照片。正在修改记录 JL2026-{record_id:06d}（11-22 主题党日）的照片。"
        "请简要说明修改原因（如“主题写错了”）："
    ), reason.plain_text
    done = await alice.send("补充现场照片")
    assert done.plain_text == "已修改，并已重新提交审核，审核人会收到通知。发送 /records 可查看。"
    again = await admin.reply()
    assert again.plain_text.startswith("🔁 退回的记录已修改，请再次审核"), again.plain_text
    before = len(harness.emulator.messages(ADMIN_ID))
    detail = await admin.press(
        again, f"rv:open:{record_id}"
    )  # the reviewer sees the photos, not only the count
    sent = harness.emulator.messages(ADMIN_ID)[before:]
    shown = [m.message["photo"][-1]["file_id"] for m in sent if m.kind == "photo"]
    assert (
        len(shown) == 3 and detail.plain_text.startswith("记录编号：") and "照片：3 张" in detail.plain_text
    )

    files = [f for f in await record_files(harness, record_id) if f.role == "photo"]
    assert [f.sha256 for f in files] == [sha256(same), sha256(other), sha256(png(43))]
    assert (await records(harness))[0].review_state == "pending_review"
    assert [e.action for e in await events(harness, record_id)] == ["returned", "amended"]
    (amendment,) = await amendments(harness, record_id)
    assert amendment.reason == "补充现场照片"
    assert amendment.changes["photos"][1] == [f.sha256 for f in files]
    return again


async def _photos_replaced(
    harness: BotHarness, admin: Chat, alice: Chat, again: SentMessage, record_id: int, form: Form
) -> None:
    """Returned again: all photos sent again as an album replace the old ones."""
    same = form.photos[0]["content"]
    told = await returned(admin, alice, record_id, "请删掉重复的照片", again)
    ask = await alice.press(told, f"r:photos:{record_id}:replace")
    assert "原有的 3 张照片将被替换" in ask.plain_text, ask.plain_text
    alice.user.send_album([png(50), png(51), png(50)])
    counted = await alice.reply()
    assert counted.plain_text.startswith("这张照片和已有的照片是同一张"), counted.plain_text
    counted = await alice.reply()
    assert counted.plain_text.startswith("已收到 2 张新照片。"), counted.plain_text
    await alice.press(counted, f"r:pdone:{record_id}")
    assert (await alice.send("换成两张不同的现场照片")).plain_text.startswith("已修改，并已重新提交审核")
    files = [f for f in await record_files(harness, record_id) if f.role == "photo"]
    assert [(f.sha256, f.position) for f in files] == [(sha256(png(50)), 0), (sha256(png(51)), 1)]
    assert sha256(same) in stored_objects(harness)  # the replaced evidence stays in the store
    view = await alice.press(told, f"r:open:{record_id}")
    assert "照片：2 张" in view.plain_text and "改了照片，原因：换成两张不同的现场照片" in view.plain_text
    assert "补充照片" in view.button_texts and "修改出勤" in view.button_texts


async def test_attendance_of_a_returned_record_is_amended(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "孙书记"))
        await make_secretary(harness, alice.user)
        form = Form(alice, "committee")
        await form.run("place")
        form.prompt = await alice.send("/skip")  # no attendance
        form.done += ["attendance", "absentees"]
        await form.run("confirm")
        (record,) = await records(harness)
        assert record.expected is None
        told = await returned(admin, alice, record.id, "出勤人数未填")
        clock.advance(timedelta(days=2))

        ask = await alice.press(told, f"r:amend:{record.id}:attendance")
        assert ask.plain_text == "请发送应到和实到人数，如“应到8人，实到7人”或“8 7”（发送 /cancel 取消）："
        assert "请发送两个数字" in (await alice.send("很多人")).plain_text
        absent = await alice.send("应到5人，实到4人")
        assert absent.plain_text.startswith("新的出勤：应到5人，实到4人。有 1 人缺席。请发送缺席人员和原因")
        assert (await alice.send("王五 病假")).plain_text.endswith("请简要说明修改原因（如“主题写错了”）：")
        done = await alice.send("补填出勤")
        assert done.plain_text.startswith("已修改，并已重新提交审核"), done.plain_text
        assert (await admin.reply()).plain_text.startswith("🔁 退回的记录已修改")

        (record,) = await records(harness)
        assert (record.expected, record.actual, record.absentees) == (
            5,
            4,
            [{"name": "王五", "reason": "病假"}],
        )
        assert record.review_state == "pending_review"
        (amendment,) = await amendments(harness, record.id)
        assert amendment.changes == {
            "expected": [None, 5],
            "actual": [None, 4],
            "absentees": [[], [{"name": "王五", "reason": "病假"}]],
        }
        view = await alice.press(told, f"r:open:{record.id}")
        assert "出勤：应到5人，实到4人" in view.plain_text
        assert "改了出勤，原因：补填出勤" in view.plain_text, view.plain_text


async def test_an_unchanged_attendance_is_said_before_the_reason(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        alice = Chat(harness, harness.user(ALICE, "孙书记"))
        await make_secretary(harness, alice.user)
        form = Form(alice, "committee")
        await form.run("place")
        form.prompt = await alice.send("应到6人，实到6人")  # everyone came: no one absent to ask about
        form.done += ["attendance", "absentees"]
        await form.run("confirm")
        (record,) = await records(harness)
        assert (record.expected, record.actual) == (6, 6)
        listing = await alice.send("/records")
        view = await alice.press(listing, f"r:open:{record.id}")
        ask = await alice.press(view, f"r:amend:{record.id}:attendance")
        assert ask.plain_text.startswith("请发送应到和实到人数")
        same = await alice.send(f"应到{record.expected}人，实到{record.actual}人")
        assert same.plain_text.startswith("新内容和原来一样。"), (
            same.plain_text
        )  # review finding: not after the reason
        assert (await records(harness))[0].expected == record.expected


async def test_amended_absentees_read_as_the_form_reads_them(make_bot, clock: FixedClock) -> None:
    """The amend flow shares the form's words for nobody (暂无。) and its count check (review: it kept a shorter
    list, so 暂无。 was stored as an absentee named 暂无。, and three names for one absence were taken)."""
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "孙书记"))
        await make_secretary(harness, alice.user)
        form = Form(alice, "committee")
        await form.run("place")
        form.prompt = await alice.send("/skip")
        form.done += ["attendance", "absentees"]
        await form.run("confirm")
        (record,) = await records(harness)
        told = await returned(admin, alice, record.id, "出勤人数未填")

        await alice.press(told, f"r:amend:{record.id}:attendance")
        assert (await alice.send("应到5人，实到4人")).plain_text.startswith(
            "新的出勤：应到5人，实到4人。有 1 人缺席"
        )
        asked = await alice.send("缺席的人需要写原因吗？")  # a question is no person (helper-81's review)
        assert asked.plain_text.startswith("这句像是提问，没有记作缺席人员。"), asked.plain_text
        refused = await alice.send("王五 病假\n赵六 出差\n钱七 事假")
        assert refused.plain_text.startswith("缺席的是 1 人（应到5人，实到4人），您写了 3 人。"), (
            refused.plain_text
        )
        assert (await alice.send("暂无。")).plain_text.endswith("请简要说明修改原因（如“主题写错了”）：")
        assert (await alice.send("补填出勤")).plain_text.startswith("已修改，并已重新提交审核")
        (record,) = await records(harness)
        assert (record.expected, record.actual, record.absentees) == (5, 4, [])
