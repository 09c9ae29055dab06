"""The activity-record form end to end: the real application polling the Bot API emulator, a fixed clock,
a SQLite database and a file store in ``tmp_path``.

Every scenario drives the bot the way a secretary does (commands, buttons, photos, documents) and checks
both what the user sees and what the database and the file store hold: every kind's happy path, every step's
hints, albums, redelivered and edited updates. Drafts, restarts and summaries: ``test_e2e_form_drafts``; the
stored records: ``test_e2e_records``. The helpers: ``forms_world``.
"""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from knowledge.activities import CATALOGUE, period_of
from tests.emulator import SentMessage
from tests.fixtures_bot import BotHarness
from tests.tg.forms_world import (
    ALICE,
    PDF,
    START,
    TODAY,
    Chat,
    Form,
    check_record,
    docx,
    draft,
    hint,
    jpeg,
    make_secretary,
    png,
    record_files,
    records,
    sha256,
    stored_objects,
    stored_path,
    summary_lines,
)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


# --------------------------------------------------------------------------------------------------
# The happy path, for every kind of the catalogue
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [ak.code for ak in CATALOGUE])
async def test_happy_path_for_every_kind(make_bot, clock: FixedClock, code: str) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        branch = await make_secretary(harness, chat.user)
        form = Form(chat, code, use_jpeg=code in ("committee", "review"))
        summary = await form.run("summary")
        assert summary.plain_text.split("\n") == summary_lines(form)
        edit_labels = [t for t in summary.button_texts if t.startswith("改")]
        assert edit_labels[:4] == ["改日期", "改主题", "改地点", "改出勤"]
        assert edit_labels[-2:] == ["改会议记录", "改照片"]

        receipt = await form.run("confirm")
        record = await check_record(harness, form, branch.id)
        ak = form.ak
        assert receipt.plain_text.split("\n")[:4] == [
            "✅ 提交成功，等待审核。",
            f"记录编号：JL2026-{record.id:06d}",
            f"{ak.name} · {period_of(ak.cadence, TODAY).label} · 2026-11-22",
            f"主题：{form.topic}",
        ]
        assert record.minutes_text == form.minutes
        assert await draft(harness, chat.id) is None  # the draft is gone once submitted
        assert harness.emulator.unknown_calls == []


# --------------------------------------------------------------------------------------------------
# Validation: every hint keeps the step
# --------------------------------------------------------------------------------------------------


async def test_every_hint_keeps_the_step(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        branch = await make_secretary(harness, chat.user)
        form = Form(chat, "theme_day")  # monthly, at least 2 photos, a multi and an optional text field
        await _date_hints(chat, form, await form.run("kind"))
        prompt = await _text_hints(chat, form)
        await _field_hints(chat, form, prompt)
        await _photo_hints(chat, form, await _minutes_hints(chat, form))
        await _saved_as_answered(harness, form, branch.id)


async def rejected(chat: Chat, reply: SentMessage, step: str, *needles: str) -> None:
    """A hint that keeps the form at ``step``."""
    hint(reply, *needles)
    assert await chat.step() == step


async def _date_hints(chat: Chat, form: Form, prompt: SentMessage) -> None:
    """The date: a sticker, a file, /skip, a day not understood, in the future, too early, or that does not exist."""
    chat.user.send_sticker()
    reply = await chat.reply()
    assert reply.plain_text.startswith("这一步不需要发送贴纸。")
    assert prompt.plain_text in reply.plain_text and reply.button_texts[:2] == ["今天", "昨天"]
    assert await chat.step() == "date"
    _, reply = await chat.photo(png(90))
    assert reply.plain_text.startswith("这一步不需要发送文件。") and await chat.step() == "date"
    await rejected(chat, await chat.send("/skip"), "date", "必填")
    await rejected(chat, await chat.send("明天"), "date")  # not understood (only 今天/昨天/前天 are)
    await rejected(chat, await chat.send("2026-12-01"), "date", "不能晚于今天")
    await rejected(chat, await chat.send("2026-09-30"), "date", "只能补录上月和本月的活动（2026-10-01 以后）")
    await rejected(chat, await chat.send("上个月月底"), "date", "没看懂这个日期")
    await rejected(chat, await chat.send("2026-02-30"), "date", "这个日期不存在")
    reply = await chat.send("2026年10月1日")  # the first day of the previous period is allowed
    assert reply.plain_text == f"{form.head}活动主题是什么？"
    assert (await chat.data())["held_on"] == "2026-10-01"


async def _text_hints(chat: Chat, form: Form) -> SentMessage:
    """Topic, place, attendance, absentees; the prompt of the kind's first field."""
    await rejected(chat, await chat.send("/skip"), "topic", "必填")
    await rejected(chat, await chat.send("学"), "topic", "主题太短了")
    await rejected(chat, await chat.send("学" * 201), "topic", "主题太长了（201字）")
    chat.user.send_voice()
    reply = await chat.reply()
    assert reply.plain_text.startswith("这一步不需要发送语音。") and await chat.step() == "topic"
    await chat.send(form.topic)
    await rejected(chat, await chat.send("/skip"), "place", "必填")
    await chat.send(form.place)
    await rejected(
        chat, await chat.send("应到8人，实到9人"), "attendance", "实到人数（9）不能多于应到人数（8）"
    )
    await rejected(chat, await chat.send("来了六个人"), "attendance", "请发送两个数字")
    await chat.send("应到8人，实到7人")
    form.done += ["date", "topic", "place", "attendance"]  # answered by hand above
    prompt = await chat.send("张三 出差")
    form.done.append("absentees")
    return prompt


async def _field_hints(chat: Chat, form: Form, prompt: SentMessage) -> None:
    """The kind's fields: a multi (at least one), an optional text (/skip)."""
    emu = chat.emu
    assert prompt.plain_text == f"{form.head}{form.ak.fields[0].prompt}"
    await rejected(
        chat, await chat.press(prompt, "f:done:field:six_items"), "field:six_items", "请至少选择一项"
    )
    await rejected(chat, await chat.send("学习讨论"), "field:six_items", "请点击下面的按钮选择")
    menu = emu.messages(chat.id)[-1]  # a hint repeats the option buttons: toggle on it
    edited = await chat.press_in_place(menu, "f:opt:six_items:0_on")
    assert "✅ 学习讨论" in edited.button_texts
    # The second tap of a double tap carries the button as it was: it chooses once more, never drops it
    # (helper-70's review: the second tap dropped 学习讨论).
    await chat.press_for_answer(menu, "f:opt:six_items:0_on", check=False)
    await emu.idle()
    assert (await chat.data())["details"]["six_items"] == ["学习讨论"]
    edited = emu.messages(chat.id)[-1]
    assert "✅ 学习讨论" in edited.button_texts
    edited = await chat.press_in_place(menu, "f:opt:six_items:0_off")  # its button now drops it
    assert "学习讨论" in edited.button_texts and not any(t.startswith("✅") for t in edited.button_texts)
    await chat.press_in_place(menu, "f:opt:six_items:1_on")
    reply = await chat.press(menu, "f:done:field:six_items")
    assert reply.plain_text == f"{form.head}{form.ak.fields[1].prompt}\n不填写可发送 /skip。"
    reply = await chat.send("/skip")  # optional
    assert reply.plain_text.startswith(f"{form.head}请发送会议记录")
    assert (await chat.data())["details"] == {"six_items": ["现场教学"]}


async def _minutes_hints(chat: Chat, form: Form) -> SentMessage:
    """The minutes, a real .docx; the photos' prompt."""
    await rejected(chat, await chat.send("/skip"), "minutes", "必填")
    await rejected(chat, await chat.send("开了会"), "minutes", "会议记录太短了")
    chat.user.send_document("会议记录.docx", "application/octet-stream", content=docx())
    reply = await chat.reply()
    assert reply.plain_text.startswith("已收到会议记录文件。")
    assert f"{form.head}请发送活动照片，至少2张" in reply.plain_text
    photos_prompt = reply
    return photos_prompt


async def _photo_hints(chat: Chat, form: Form, photos_prompt: SentMessage) -> None:
    """The photos: text, /skip, too few, too large, not an image, a document once the photos have begun."""
    emu = chat.emu
    await rejected(chat, await chat.send("照片等会儿发"), "photos", "这一步请发送活动照片（至少2张）")
    await rejected(chat, await chat.send("/skip"), "photos", "照片是必需的")
    await rejected(
        chat, await chat.press(photos_prompt, "f:done:photos"), "photos", "至少需要2张照片，现在有0张"
    )

    big = chat.user.send_document("现场照片.jpg", "image/jpeg", file_size=30 * 1024 * 1024)
    reply = await chat.reply()
    assert "超过 20MB" in reply.plain_text and await chat.step() == "photos"
    big_id = big["message"]["document"]["file_id"]
    assert [c for c in emu.calls_to("getFile") if c.params.get("file_id") == big_id] == []

    chat.user.send_document("现场照片.jpg", "image/jpeg", content="这其实是一段文字，不是照片。".encode())
    reply = await chat.reply()
    assert reply.plain_text.startswith("不支持这种文件。") and await chat.step() == "photos"

    reply = await form.add_photo(png(1))
    assert reply.plain_text.startswith("已收到 1 张照片。至少还需要 1 张。")
    # Once the photos have begun, a document is not one more minutes file (right after the minutes it is:
    # test_form_minutes_files.py)
    chat.user.send_document("议程.pdf", "application/pdf", content=PDF)
    refused = await chat.reply()
    assert (
        refused.plain_text.startswith("这一步请发送活动照片（图片），这份文件没有保存。")
        and await chat.step() == "photos"
    )
    assert (
        "在核对页点“改会议记录”添加" in refused.plain_text
    )  # the minutes step is behind: how to add it still
    await rejected(chat, await chat.press(reply, "f:done:photos"), "photos", "至少需要2张照片，现在有1张")
    reply = await form.add_photo(jpeg(2))
    assert reply.plain_text.startswith("已收到 2 张照片。还有就继续发")
    form.prompt = reply
    form.done.append("photos")


async def _saved_as_answered(harness: BotHarness, form: Form, branch_id: int) -> None:
    """The summary and the record: the answers given between the hints, and only the accepted files stored."""
    summary = await form.run("summary")
    assert "会议记录：已上传文件" in summary.plain_text and "“X”自选活动：未填写" in summary.plain_text
    assert "日期：2026-10-01（2026年10月）" in summary.plain_text
    receipt = await form.run("confirm")
    (record,) = await records(harness, branch_id)
    assert f"记录编号：JL2026-{record.id:06d}" in receipt.plain_text
    assert (record.held_on.isoformat(), record.period, record.minutes_text) == (
        "2026-10-01",
        "2026-10",
        None,
    )
    files = await record_files(harness, record.id)
    minutes = [f for f in files if f.role == "minutes"]
    assert len(minutes) == 1 and minutes[0].sha256 == sha256(docx())
    assert minutes[0].mime == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert sorted(f.mime for f in files if f.role == "photo") == ["image/jpeg", "image/png"]
    # Only accepted files reach the store: the rejected text, PDF and oversized files do not.
    assert stored_objects(harness) == {sha256(docx()), sha256(png(1)), sha256(jpeg(2))}


# --------------------------------------------------------------------------------------------------
# Albums, duplicates, repeated updates
# --------------------------------------------------------------------------------------------------


async def test_album_in_shuffled_order_and_duplicates(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        emu = harness.emulator
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        branch = await make_secretary(harness, chat.user)
        form = Form(chat, "theme_day")
        await form.run("minutes")

        contents = [png(200 + i) for i in range(5)]
        updates = chat.user.send_album(contents, media_group_id="13579", order=[3, 0, 4, 1, 2])
        # Nothing per photo: one progress message once the album stopped coming (quiet period 1.2 s).
        await emu.expect_no_message(chat.id, within=0.9)
        progress = await chat.reply(timeout=3)
        assert progress.plain_text.startswith("已收到 5 张照片。还有就继续发")
        await emu.expect_no_message(chat.id, within=1.5)
        unique_ids = [u["message"]["photo"][-1]["file_unique_id"] for u in updates]
        assert sorted(p["unique_id"] for p in (await chat.data())["photos"]) == sorted(unique_ids)

        # The same photo again (a new file_id, the same file_unique_id) and a repeated update: no new photo.
        chat.user.send_photo(
            file_id="AgACAgUAAxkBAAIresent", file_unique_id=unique_ids[0], content=contents[0]
        )
        emu.redeliver(updates[2])
        progress = await chat.reply(timeout=4)
        assert progress.plain_text.startswith("已收到 5 张照片。")
        assert len((await chat.data())["photos"]) == 5

        form.prompt = progress
        form.done.append("photos")
        by_unique = {u["message"]["photo"][-1]["file_unique_id"]: u for u in updates}
        summary = await form.run("summary")
        assert "照片：5张" in summary.plain_text
        await form.run("confirm")
        (record,) = await records(harness, branch.id)
        files = await record_files(harness, record.id)
        assert sorted(f.telegram_file_unique_id for f in files) == sorted(unique_ids)
        for f in files:
            content = contents[updates.index(by_unique[f.telegram_file_unique_id])]
            assert f.sha256 == sha256(content) and stored_path(harness, f.sha256).read_bytes() == content
        assert stored_objects(harness) == {sha256(c) for c in contents}


async def test_redelivered_text_update_is_not_processed_twice(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        emu = harness.emulator
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        form = Form(chat, "committee")
        await form.run("date")
        update = chat.user.send_text(form.topic)
        assert (await chat.reply()).plain_text == f"{form.head}活动地点在哪里？"
        await emu.idle()
        emu.redeliver(update)  # e.g. the bot crashed before confirming it
        await emu.idle()
        await emu.expect_no_message(chat.id, within=0.5)
        data = await chat.data()
        assert await chat.step() == "place" and "place" not in data, data


async def test_editing_an_earlier_message_is_not_a_new_answer(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        form = Form(chat, "committee")
        await form.run("date")
        update = chat.user.send_text("支委会：研究发展党员工作")
        assert (await chat.reply()).plain_text == f"{form.head}活动地点在哪里？"
        chat.user.edit_text(update["message"], "支委会：研究发展党员和党费工作")
        # The user is told the edit changes nothing, once per message (helper-67's review: silence).
        told = await chat.reply()
        assert told.plain_text.startswith("提示：修改已发送的消息不会改动正在填写的表单。"), told.plain_text
        chat.user.edit_text(update["message"], "支委会：研究发展党员和党费等工作")
        await harness.emulator.idle()
        await harness.emulator.expect_no_message(chat.id, within=0.3)
        data = await chat.data()
        assert "place" not in data and await chat.step() == "place", data
        assert data["topic"] == "支委会：研究发展党员工作"


async def test_superscript_digit_gets_the_number_hint(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        await Form(chat, "joint_study").run("absentees")
        prompt = await chat.send("学习《中华人民共和国民营经济促进法》")
        assert "管理层有几人参加" in prompt.plain_text
        reply = await chat.send("²")
        assert await chat.step() == "field:managers"
        hint(reply, "请发送一个数字")
