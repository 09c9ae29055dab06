"""Review round 14: administrators find the branch commands (D5); groups are told to ask in private (D6)."""

from __future__ import annotations

from bot.app import ADMIN_COMMANDS
from handlers.tg.common import ADMIN_WELCOME, HELP, NEWCOMER_WELCOME, ask_privately, use_privately, welcome

ADMIN = 7_330_001
USER = 7_330_002
MEMBER = 7_330_003
GROUP = {"id": -1_009_733_000_001, "type": "supergroup", "title": "党建群"}


def test_help_and_menu_name_the_branch_commands():
    for name in ("/newbranch", "/branches", "/invite"):
        assert name in HELP
    assert {"newbranch", "branches", "invite"} <= {c.command for c in ADMIN_COMMANDS}
    assert all(
        "管理员" in c.description for c in ADMIN_COMMANDS if c.command in ("newbranch", "branches", "invite")
    )


async def test_an_administrator_s_start_says_how_to_create_a_branch(make_bot):
    async with make_bot(admin_ids=str(ADMIN)) as harness:
        admin, user = harness.user(ADMIN), harness.user(USER)
        admin.send_text("/start")
        reply = await harness.emulator.wait_for_message(admin.id)
        assert reply.plain_text == welcome(ADMIN_WELCOME) and "/newbranch" in reply.plain_text
        user.send_text("/start")
        assert (await harness.emulator.wait_for_message(user.id)).plain_text == NEWCOMER_WELCOME


async def test_in_a_group_start_and_help_send_questions_to_the_private_chat(make_bot):
    async with make_bot() as harness:
        emulator = harness.emulator
        emulator.register_chat(GROUP)
        member = harness.user(MEMBER)
        name = emulator.bot_username
        emulator.post(GROUP["id"], {"text": f"/start@{name}"}, sender=member)
        welcome = await emulator.wait_for_message(GROUP["id"])
        assert "直接输入您的问题即可" not in welcome.plain_text and not welcome.buttons
        assert welcome.plain_text.endswith(ask_privately(name)) and f"@{name}" in welcome.plain_text
        emulator.post(GROUP["id"], {"text": f"/help@{name}"}, sender=member)
        help_reply = await emulator.wait_for_message(GROUP["id"])
        assert "直接发送文字即可提问" not in help_reply.plain_text and f"@{name}" in help_reply.plain_text
        # A question in the group: unaddressed it is left alone; addressed to the bot it is sent to private.
        emulator.post(GROUP["id"], {"text": "主题党日多久开展一次"}, sender=member)
        await emulator.expect_no_message(GROUP["id"])
        emulator.post(GROUP["id"], {"text": f"@{name} 主题党日多久开展一次"}, sender=member)
        assert (await emulator.wait_for_message(GROUP["id"])).plain_text == ask_privately(name)
        replied = emulator.current_message(GROUP["id"], help_reply.message_id)
        emulator.post(GROUP["id"], {"text": "那联合建呢？", "reply_to_message": replied}, sender=member)
        assert (await emulator.wait_for_message(GROUP["id"])).plain_text == ask_privately(name)
        await emulator.expect_no_message(GROUP["id"])


async def test_a_secretary_s_commands_in_a_group_are_sent_to_the_private_chat(make_bot):
    """helper-70's review: /status, /records and /submit worked in a group, showing the branch's matrix and
    records to everyone and starting a form there that the secretary then continued in private."""
    from tests.tg.forms_world import make_secretary

    async with make_bot() as harness:
        emulator = harness.emulator
        emulator.register_chat(GROUP)
        secretary = harness.user(USER, "王书记")
        await make_secretary(harness, secretary)
        emulator.skip_messages(USER)
        name = emulator.bot_username
        for text in (
            "/status",
            f"/records@{name}",
            "/submit",
            "/reminders",
            "/branch",
            "/dashboard",
            "/topics",
        ):
            emulator.post(GROUP["id"], {"text": text}, sender=secretary)
            reply = await emulator.wait_for_message(GROUP["id"])
            command = text.split("@")[0]  # named, and told where to use it (helper-95's review)
            assert reply.plain_text == use_privately(name, command), (text, reply.plain_text)
            assert f"{command} 只能在私聊中使用" in reply.plain_text
            assert not reply.buttons, text
        await emulator.idle()
        await emulator.expect_no_message(USER, within=0.3)  # nothing started in private either
        emulator.post(GROUP["id"], {"text": "/status@another_bot"}, sender=secretary)  # not ours
        await emulator.expect_no_message(GROUP["id"])
        emulator.post(GROUP["id"], {"text": f"/myid@{name}"}, sender=secretary)
        assert str(USER) in (await emulator.wait_for_message(GROUP["id"])).plain_text


async def test_start_tells_a_secretary_their_branch(make_bot):
    """helper-86's review: a second /start repeated the generic welcome, without whose secretary the user is."""
    from tests.tg.forms_world import make_secretary

    async with make_bot() as harness:
        user = harness.user(USER)
        await make_secretary(harness, user)
        user.send_text("/start")
        reply = await harness.emulator.wait_for_message(user.id)
        assert reply.plain_text == welcome("您是“第一党支部”的书记。\n\n"), reply.plain_text


async def test_a_secretarys_help_does_not_list_the_administrators_commands(make_bot):
    """helper-97's review: every /help listed eight administrator/supervisor commands and described
    /status as 各支部活动完成情况; now each role gets its own commands (the administrator everything)."""
    from handlers.tg.common import SECRETARY_HELP, STRANGER_HELP
    from tests.tg.forms_world import make_secretary

    async with make_bot(admin_ids=str(ADMIN)) as harness:
        emulator = harness.emulator
        secretary, stranger, admin = harness.user(USER, "王书记"), harness.user(MEMBER), harness.user(ADMIN)
        await make_secretary(harness, secretary)
        emulator.skip_messages(USER)
        for user, expected in ((secretary, SECRETARY_HELP), (stranger, STRANGER_HELP), (admin, HELP)):
            user.send_text("/help")
            assert (await emulator.wait_for_message(user.id)).text == expected
        for admin_only in ("/newbranch", "/adddoc", "/supervisor", "/unanswered", "/dashboard", "各支部"):
            assert admin_only not in SECRETARY_HELP and admin_only not in STRANGER_HELP, admin_only
        assert "/submit" in SECRETARY_HELP and "/status 查看本支部" in SECRETARY_HELP
        assert "设置、调整或取消片区督导员（单独发送可查看用法）" in HELP


async def test_a_supervisors_help_names_their_status_and_dashboard(make_bot):
    async with make_bot(admin_ids=str(ADMIN)) as harness:
        emulator = harness.emulator
        branch = await harness.services.branches.create(
            org_name="某某科技有限公司",
            name="第一党支部",
            form="single",
            formal_members=8,
            units=None,
            created_by=ADMIN,
        )
        await harness.services.supervision.grant(ADMIN, MEMBER, [branch.branch.id])
        supervisor = harness.user(MEMBER)
        supervisor.send_text("/help")
        text = (await emulator.wait_for_message(supervisor.id)).plain_text
        assert "/status 查看所督导支部" in text and "/dashboard" in text and "审核" in text, text
        for other in ("/newbranch", "/adddoc", "/supervisor", "/submit", "/branch "):
            assert other not in text, (other, text)
