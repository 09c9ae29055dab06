"""Reminders end to end: the real application polling the Bot API emulator, a fixed clock, SQLite and PostgreSQL.

The JobQueue is not waited for: each test calls the job's work itself (``ReminderRunner.run_once``), at moments
the fixed clock is moved to. 1 June 2026 is a Monday: June's opening note and the second quarter's nudge (15 May)
are due at 09:00; the 20th is a Saturday, so June's nudge comes on Monday the 22nd.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from handlers.services.clock import SHANGHAI, FixedClock
from handlers.tg.reminders import RUNNER_KEY, ReminderRunner
from storage.models import Branch, ReminderDelivery
from tests.emulator import SentMessage
from tests.fixtures_bot import BotHarness
from tests.tg.forms_world import Chat, Form, records

JUNE_1 = datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI)
JUNE_22 = datetime(2026, 6, 22, 9, 0, tzinfo=SHANGHAI)
JULY_1 = datetime(2026, 7, 1, 9, 0, tzinfo=SHANGHAI)
ADMIN = 900_001
ALICE, BOB, CAROL = 820_001, 820_002, 820_003
MONTHLY = ("主题党日", "支部委员会", "党小组会", "党组织与管理层集体学习")
QUARTERLY = ("党员大会", "党课", "观摩交流")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(JUNE_1)


def bot_options(clock: FixedClock, db_url: str | None = None, *, admin: bool = False, **extra) -> dict:
    """The job on; with ``admin``, ADMIN gets the digests (May's is due on 1 June already)."""
    options = {
        "clock": clock,
        "BRANCHBOT_REMINDERS": "on",
        "BRANCHBOT_ADMIN_IDS": str(ADMIN) if admin else "",
    }
    options.update(extra)
    if db_url is not None:
        options["database_url"] = db_url
    return options


def runner(bot: BotHarness) -> ReminderRunner:
    return bot.application.bot_data[RUNNER_KEY]


async def tick(bot: BotHarness, at: datetime | None = None):
    """What the minute job does, at ``at`` (the fixed clock is moved there first)."""
    if at is not None:
        bot.services.clock.current = at
    return await runner(bot).run_once()


async def join(bot: BotHarness, user_id: int, name: str = "第一党支部", first_name: str = "书记") -> Chat:
    """A branch whose secretary ``user_id`` joined with the invitation link, as a secretary does."""
    chat = Chat(bot, bot.user(user_id, first_name))
    created = await bot.services.branches.create(
        org_name="某某科技有限公司", name=name, form="single", formal_members=8, units=None, created_by=ADMIN
    )
    welcome = await chat.send(f"/start {created.code}")
    assert "您已成为" in welcome.plain_text, welcome.plain_text
    return chat


def kinds_listed(message: SentMessage) -> list[str]:
    return [line[2:] for line in message.plain_text.splitlines() if line.startswith("• ")]


async def reminder(chat: Chat, needle: str) -> SentMessage:
    return await chat.emu.wait_for_message(chat.id, lambda m: m.kind == "send" and needle in m.plain_text)


async def deliveries(bot: BotHarness) -> list[ReminderDelivery]:
    async with bot.services.session_factory() as session:
        return list(await session.scalars(select(ReminderDelivery).order_by(ReminderDelivery.id)))


async def test_opening_note_button_form_and_nudge(make_bot, clock, db_url) -> None:
    async with make_bot(**bot_options(clock, db_url)) as bot:
        alice = await join(bot, ALICE)
        report = await tick(bot)
        assert (report.sent, report.failed) == (2, 0)
        opening = await reminder(alice, "2026年6月待完成")
        assert opening.plain_text.startswith("📋 2026年6月待完成（第一党支部）")
        assert "请在6月30日前开展并登记" in opening.plain_text
        assert kinds_listed(opening) == list(MONTHLY)
        quote = next(line for line in opening.plain_text.splitlines() if line.startswith("📖"))
        assert "每月开展一次“主题党日”活动" in quote and "《" in quote  # the rule and where it stands
        assert [b["callback_data"] for b in opening.buttons][:2] == [
            "rm:new:theme_day:2026-06",
            "rm:new:committee:2026-06",
        ]
        nudge = await reminder(alice, "2026年第二季度")
        assert nudge.plain_text.startswith("⏰ 2026年第二季度还有活动未登记")
        assert kinds_listed(nudge) == list(QUARTERLY)

        # The kind's button opens the form with that kind chosen; the record goes in.
        prompt = await alice.press(opening, "rm:new:committee:2026-06")
        assert prompt.plain_text.startswith("【支部委员会】活动是哪天开展的？")
        form = Form(alice, "committee", prompt=prompt, done=["kind"])
        await form.run("confirm")

        assert (await tick(bot)).sent == 0  # never twice
        report = await tick(bot, JUNE_22)
        assert report.sent == 1  # June's nudge; the quarter's last call is on the 23rd
        june_nudge = await reminder(alice, "2026年6月还有活动未登记")
        assert kinds_listed(june_nudge) == ["主题党日", "党小组会", "党组织与管理层集体学习"]
        assert "rm:new:committee:2026-06" not in [b["callback_data"] for b in june_nudge.buttons]


async def committee_submitted(bot: BotHarness) -> tuple[Chat, Chat, int]:
    """Alice's branch joined, June's reminders sent and read, and its 支部委员会 record submitted for review."""
    alice = await join(bot, ALICE)
    admin = Chat(bot, bot.user(ADMIN, "管理员"))
    await tick(bot)
    bot.emulator.skip_messages(alice.id)
    bot.emulator.skip_messages(admin.id)
    await Form(alice, "committee").run("confirm")
    return alice, admin, (await records(bot))[-1].id


async def return_record(alice: Chat, admin: Chat, rid: int) -> None:
    """The administrator returns the record from its notice; Alice is told."""
    notice = await admin.emu.wait_for_message(admin.id, lambda m: "待审核" in m.plain_text)
    await admin.press(notice, f"rv:ret:{rid}")
    await admin.send("照片不清楚，请补充")
    await alice.emu.wait_for_message(alice.id, lambda m: "退回" in m.plain_text)


async def test_a_returned_record_is_named_where_its_kind_is_owed(make_bot, clock, db_url) -> None:
    """Returned for correction, the record's kind is still owed and reminded, but /reminders and the nudge say
    it was returned, and the nudge's button opens that record (as /records does), not a blank form."""
    async with make_bot(**bot_options(clock, db_url, admin=True)) as bot:
        alice, admin, rid = await committee_submitted(bot)
        waiting = (await alice.send("/reminders")).plain_text.splitlines()  # as /status: ⏳, not ✅
        assert "⏳ 支部委员会（已提交，待审核）" in waiting and "✅ 支部委员会" not in waiting
        await return_record(alice, admin, rid)

        status = await alice.send("/reminders")
        assert "↩️ 支部委员会（已退回，待修改）" in status.plain_text.splitlines()
        assert f"r:open:{rid}" in [b["callback_data"] for b in status.buttons]
        assert (await tick(bot, JUNE_22)).sent == 1  # still owed: June's nudge lists it
        nudge = await reminder(alice, "2026年6月还有活动未登记")
        assert "支部委员会（已退回，请修改后重新提交）" in kinds_listed(nudge)
        data = [b["callback_data"] for b in nudge.buttons]
        assert f"r:open:{rid}" in data and "rm:new:committee:2026-06" not in data
        alice.user.press(nudge, f"r:open:{rid}")
        returned = "退回意见：照片不清楚，请补充"  # the record's view, after its photos
        view = await alice.emu.wait_for_message(alice.id, lambda m: returned in (m.plain_text or ""))
        assert any(b["callback_data"].startswith(f"r:amend:{rid}:") for b in view.buttons)


async def test_mute_hour_and_status(make_bot, clock, db_url) -> None:
    async with make_bot(**bot_options(clock, db_url)) as bot:
        alice = await join(bot, ALICE)
        status = await alice.send("/reminders")
        assert status.plain_text.startswith("⏰ 待办与提醒 · 第一党支部")
        assert "提醒时间：每次提醒在 09:00 发送（默认）" in status.plain_text
        assert "⬜ 党小组会" in status.plain_text and "2026年第二季度" in status.plain_text

        asked = await alice.press_in_place(status, "rm:mute:group_meeting")
        assert "免提醒：党小组会" in asked.plain_text
        question = await alice.press(asked, "rm:mute:group_meeting:p")
        assert "请发送免提醒的原因" in question.plain_text
        too_short = await alice.send("无")
        assert too_short.plain_text.startswith("⚠️")
        done = await alice.send("与<某单位>党支部联合开展")
        assert done.plain_text.startswith("🔕 已免提醒：党小组会（仅2026年6月）")
        assert "与<某单位>党支部联合开展" in done.plain_text  # escaped in HTML, shown as typed

        status = await alice.send("/reminders")
        assert "🔕 党小组会（免提醒：与<某单位>党支部联合开展；仅本期）" in status.plain_text
        hours = await alice.press_in_place(status, "rm:hours")
        assert "✓ 09:00" in hours.button_texts and "20:00" in hours.button_texts[-2]
        answer = await alice.press_for_answer(hours, "rm:hour:10")
        assert answer.get("text") == "提醒时间已改为 10:00"

        assert (await tick(bot)).sent == 1  # 09:00: only the quarter's nudge (15 May, 10:00) is due
        report = await tick(bot, JUNE_1.replace(hour=10))
        assert report.sent == 1
        opening = await reminder(alice, "2026年6月待完成")
        assert "党小组会" not in kinds_listed(opening)

        status = await alice.send("/reminders")
        answer = await alice.press_for_answer(status, "rm:unmute:group_meeting")
        assert answer.get("text") == "已恢复提醒。"


async def test_blocked_and_unknown_chats_are_unreachable_until_start(make_bot, clock, db_url) -> None:
    async with make_bot(**bot_options(clock, db_url, admin=True)) as bot:
        admin = Chat(bot, bot.user(ADMIN, "管理员"))
        await join(bot, ALICE)
        bob = await join(bot, BOB, "第二党支部")
        # Carol became secretary without ever writing to the bot: Telegram answers "chat not found".
        created = await bot.services.branches.create(
            org_name="某某物流公司",
            name="第三党支部",
            form="single",
            formal_members=4,
            units=None,
            created_by=ADMIN,
        )
        await bot.services.branches.redeem(created.code, user_id=CAROL, name="丙")
        bob.user.block()
        report = await tick(bot)
        # Alice's two; Bob and Carol. No digest of May: the branches were added on 1 June (review 13).
        assert (report.sent, report.failed) == (2, 2)
        async with bot.services.session_factory() as session:
            flagged = {b.name: b.secretary_unreachable_at for b in await session.scalars(select(Branch))}
        assert flagged["第一党支部"] is None
        assert flagged["第二党支部"] is not None and flagged["第三党支部"] is not None
        assert (await tick(bot)).sent == 0  # nothing more is tried for them

        listing = (await admin.send("/branches")).plain_text.splitlines()
        assert "无法联系" not in listing[0] and "无法联系" in listing[1] and "无法联系" in listing[2]

        bob.user.unblock()
        resumed = await bob.send("/start")
        assert resumed.plain_text.startswith("之前的提醒没能送达，现已恢复")
        assert "您好" in (await bob.reply()).plain_text  # the welcome still follows
        listing = (await admin.send("/branches")).plain_text.splitlines()
        assert "无法联系" not in listing[1]
        await tick(bot, JUNE_22)
        assert "2026年6月还有活动未登记" in (await reminder(bob, "2026年6月")).plain_text


async def test_429_pauses_the_broadcast_and_resumes(make_bot, clock) -> None:
    async with make_bot(**bot_options(clock)) as bot:
        alice = await join(bot, ALICE)
        bot.emulator.fail_next("sendMessage", status=429, retry_after=1)
        report = await tick(bot)
        assert (report.sent, report.failed) == (2, 0) and report.paused_seconds >= 1
        calls = [c for c in bot.emulator.calls_to("sendMessage") if c.params.get("chat_id") == alice.id][-3:]
        assert [c.status for c in calls] == [429, 200, 200]
        assert calls[1].started - calls[0].started >= 1.0  # waited out retry_after, no tight loop
        assert calls[0].params["text"] == calls[1].params["text"]  # the same reminder, not dropped
        reminders = [m for m in bot.emulator.messages(alice.id) if "📋" in (m.plain_text or "")]
        assert len(reminders) == 1


async def test_restart_mid_broadcast_sends_nothing_twice(make_bot, clock, db_url) -> None:
    secretaries = list(range(830_001, 830_031))
    options = bot_options(clock, db_url, BRANCHBOT_PUSH_RATE="15")
    async with make_bot(**options) as bot:
        for n, user_id in enumerate(secretaries):
            created = await bot.services.branches.create(
                org_name="某某集团",
                name=f"第{n + 1}党支部",
                form="single",
                formal_members=3,
                units=None,
                created_by=ADMIN,
            )
            bot.user(user_id)
            await bot.services.branches.redeem(created.code, user_id=user_id, name=f"书记{n}")
        assert runner(bot).wake() and not runner(bot).wake()  # a tick while one runs is skipped
        await bot.emulator.wait_for_call(
            "sendMessage", lambda c: c.ok and len(sent_to(bot, secretaries)) >= 20, 10
        )
    # The application stopped mid-broadcast (post_stop): what went out is recorded, the rest waits.
    left = Counter(d.status for d in await deliveries(bot))
    assert left["sent"] >= 20 and left["pending"] > 0 and left["sending"] == 0
    async with make_bot(**options) as bot:
        report = await tick(bot)
        assert report.sent == left["pending"]
    per_chat = Counter(c.params["chat_id"] for c in sent_to(bot, secretaries))
    assert per_chat == Counter({user_id: 2 for user_id in secretaries})  # once each, none missed


def sent_to(bot: BotHarness, chats: list[int]) -> list:
    wanted = set(chats)
    return [c for c in bot.emulator.calls_to("sendMessage") if c.ok and c.params.get("chat_id") in wanted]


async def test_replies_do_not_wait_behind_a_broadcast(make_bot, clock) -> None:
    secretaries = list(range(840_001, 840_021))
    async with make_bot(**bot_options(clock, BRANCHBOT_PUSH_RATE="10")) as bot:
        for n, user_id in enumerate(secretaries):
            created = await bot.services.branches.create(
                org_name="某某集团",
                name=f"第{n + 1}党支部",
                form="single",
                formal_members=3,
                units=None,
                created_by=ADMIN,
            )
            bot.user(user_id)
            await bot.services.branches.redeem(created.code, user_id=user_id, name=f"书记{n}")
        runner(bot).wake()
        await bot.emulator.wait_for_call("sendMessage", lambda c: c.params.get("chat_id") in secretaries)
        asker = Chat(bot, bot.user(850_001, "提问者"))
        loop = asyncio.get_running_loop()
        for _ in range(3):
            started = loop.time()
            assert "可用命令" in (await asker.send("/help")).plain_text
            assert loop.time() - started < 0.5
        assert runner(bot).running  # the broadcast (40 messages at 10 a second) is still going
        await runner(bot).task
    assert bot.application.bot.rate_limiter.window.waited == 0.0


async def test_digest_after_the_month_closes(make_bot, clock, db_url) -> None:
    async with make_bot(**bot_options(clock, db_url, admin=True)) as bot:
        admin = Chat(bot, bot.user(ADMIN, "管理员"))
        alice = await join(bot, ALICE)
        bob = await join(bot, BOB, "第二党支部")
        status = await alice.send("/reminders")
        asked = await alice.press_in_place(status, "rm:mute:group_meeting")
        await alice.press(asked, "rm:mute:group_meeting:u")
        await alice.send("与楼宇联合党支部一起开展")
        bob.user.block()
        await tick(bot)
        await tick(bot, JULY_1)
        digest = await reminder(admin, "2026年6月活动情况汇总")
        text = digest.plain_text
        assert text.startswith("📊 2026年6月活动情况汇总")
        assert "2026年6月（月度活动）：共 2 个支部，0 个全部完成，2 个未完成：" in text
        assert "2026年第二季度（季度活动）" in text
        assert "• 某某科技有限公司 · 第一党支部：缺 主题党日、支部委员会、党小组会" in text
        assert "（🔕 免提醒 党小组会：与楼宇联合党支部一起开展）" in text
        assert "第二党支部：缺" in text and "（书记无法联系）" in text
        assert "无法联系的书记（1 人" in text
        assert (await tick(bot)).sent == 0  # one digest per administrator and month


async def test_the_job_wakes_the_runner_every_minute_unless_off(make_bot, clock) -> None:
    async with make_bot(**bot_options(clock)) as bot:
        (job,) = bot.application.job_queue.get_jobs_by_name("reminders")
        assert job.trigger.interval.total_seconds() == 60
        alice = await join(bot, ALICE)
        await job.callback(SimpleNamespace(bot_data=bot.application.bot_data))  # what the JobQueue calls
        assert await runner(bot).task is not None
        assert len([m for m in bot.emulator.messages(alice.id) if "📋" in (m.plain_text or "")]) == 1
    async with make_bot(clock=clock) as bot:  # BRANCHBOT_REMINDERS=off (tests/tg/conftest.py)
        assert bot.application.job_queue.get_jobs_by_name("reminders") == ()
        assert RUNNER_KEY not in bot.application.bot_data


async def test_buttons_of_someone_who_is_no_secretary(make_bot, clock) -> None:
    async with make_bot(**bot_options(clock)) as bot:
        stranger = Chat(bot, bot.user(860_001, "路人"))
        reply = await stranger.send("/reminders")
        assert reply.plain_text == "您还没有加入党支部。请联系上级党委管理员获取邀请链接。"
        for data in (
            "rm:menu",
            "rm:settings",
            "rm:hours",
            "rm:hour:9",
            "rm:mute:lecture",
            "rm:unmute:lecture",
        ):
            answer = await stranger.press_for_answer(reply, data, check=False)
            assert answer.get("text", "").startswith("您还没有加入党支部") and answer.get("show_alert"), data
        for forged in ("rm:hour:99", "rm:new:nothing", "rm:mute:lecture:z", "rm:"):
            answer = await stranger.press_for_answer(reply, forged, check=False)
            assert answer.get("text") == "这个按钮已失效。", forged
        stranger.user.press(reply, "rm:new:lecture", check=False)
        assert "还没有加入党支部" in (await stranger.reply()).plain_text  # the form says so itself


async def test_administrators_see_the_dead_deliveries(make_bot, clock) -> None:
    from storage.repositories import DeliveryRepository

    async with make_bot(**bot_options(clock, admin=True)) as bot:
        admin = Chat(bot, bot.user(ADMIN, "管理员"))
        assert "没有发送失败的提醒" in (await admin.send("/reminders")).plain_text
        row = {"audience": "branch", "target_id": 5, "branch_id": None, "chat_id": 42, "cadence": "monthly"}
        row |= {"period": "2026-06", "stage": "open", "kinds": ["theme_day"]}
        async with bot.services.session_factory() as session, session.begin():
            repo = DeliveryRepository(session)
            await repo.insert_new([row], at=JUNE_1, next_attempt_at=JUNE_1)
            (claimed,) = await repo.claim(now=JUNE_1, limit=1, worker="w", lease=JULY_1 - JUNE_1)
            await repo.finish([claimed.id], "dead", at=JUNE_1, error="timeout")
        text = (await admin.send("/reminders")).plain_text
        assert text.startswith("📮 发送失败的提醒（最近 1 条，重试已用完）：")
        assert (
            "• 书记 42 · 2026年6月首次提醒（主题党日）：尝试 1 次，最后一次 6月1日 09:00（连接 Telegram 超时）"
            in text
        )
