"""Administrators' branch corrections end to end: /unbind (asked first; the secretary is told, best effort),
/closebranch (asked first; the branch leaves /status and its links stop working) and /reopenbranch, /renamebranch
and /newbranch warning of a branch of the same name; the menu and /help name them."""

from __future__ import annotations

import pytest

from bot.commands import ADMIN_COMMANDS, COMMANDS
from handlers.services.clock import FixedClock
from handlers.tg.branch_admin import ADMINS_ONLY, CANCELLED, UNKNOWN, USAGE
from handlers.tg.callbacks import BranchAdminButton, decode_branch_admin, encode_branch_admin
from handlers.tg.common import HELP, SECRETARY_HELP
from handlers.tg.guards import NO_BRANCH
from handlers.tg.invitations import REPLACED_DRAFT
from tests.tg.forms_world import ADMIN_ID, ALICE, BOB, START, Chat, branch_row, draft, make_secretary
from tests.tg.test_e2e_branches import ADMINS

CLOSED_LINK = "这个邀请链接已作废：该支部已被上级党委撤销。如有疑问，请联系上级党委管理员。"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def test_unbind_asks_then_frees_the_branch_and_tells_the_secretary(make_bot, clock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        branch = await make_secretary(harness, alice.user)

        assert (await alice.send(f"/unbind {branch.id}")).plain_text == ADMINS_ONLY
        assert (await admin.send("/unbind")).plain_text == USAGE["unbind"]
        assert (await admin.send("/unbind 99")).plain_text == UNKNOWN
        full_width = "".join(chr(ord(c) + 0xFEE0) for c in str(branch.id))  # １ typed on a Chinese keyboard
        question = await admin.send(f"/unbind {full_width}")
        assert question.plain_text.startswith(f"确定解除Alice担任的“第一党支部”（编号 {branch.id}）书记吗？")
        assert question.button_texts == ["确认解除", "取消"]
        kept = await admin.press_in_place(question, "ba:no")
        assert kept.plain_text == CANCELLED
        assert (await branch_row(harness, branch.id)).secretary_user_id == ALICE

        menu = await alice.send("/submit")  # a draft begun: it can no longer be submitted, and she is told so
        assert (await draft(harness, ALICE)) is not None
        question = await admin.send(f"/unbind {branch.id}")
        done = await admin.press_in_place(question, f"ba:unbind:{branch.id}:{ALICE}")
        assert done.plain_text.startswith(f"已解除Alice担任的“第一党支部”（编号 {branch.id}）书记")
        assert f"下一步：发送 /invite {branch.id}" in done.plain_text
        told = await alice.reply()
        assert told.plain_text.startswith("上级党委管理员已解除您担任的“第一党支部”书记")
        assert REPLACED_DRAFT in told.plain_text
        row = await branch_row(harness, branch.id)
        assert (row.secretary_user_id, row.name, row.formal_members) == (None, "第一党支部", 8)
        assert (await alice.send("/branch")).plain_text == NO_BRANCH  # the secretary's commands are gone
        late = await alice.press(menu, menu.message["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
        assert "出了点问题" not in late.plain_text and harness.take_errors() == []  # the old draft's button
        assert (await admin.send(f"/unbind {branch.id}")).plain_text.endswith(
            f"目前没有书记，无需解除。可发送 /invite {branch.id} 生成邀请链接。"
        )

        # A new invitation makes Bob the secretary; the old question's button no longer unbinds anyone.
        await make_secretary_again(harness, branch.id, BOB)
        admin.user.press(question, f"ba:unbind:{branch.id}:{ALICE}", check=False)  # pressed again, later
        stale = await harness.emulator.wait_for_message(ADMIN_ID, lambda m: m.kind == "edit_text")
        assert "书记已有变动（现为Bob）" in stale.plain_text
        assert (await branch_row(harness, branch.id)).secretary_user_id == BOB


async def make_secretary_again(harness, branch_id: int, user_id: int) -> None:
    created = await harness.services.branches.invite(branch_id, created_by=ADMIN_ID)
    result = await harness.services.branches.redeem(created.code, user_id=user_id, name="Bob")
    assert result.status == "ok"


async def test_unbind_still_done_when_the_secretary_blocked_the_bot(make_bot, clock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = harness.user(ALICE, "Alice")
        branch = await make_secretary(harness, alice)
        alice.block()
        question = await admin.send(f"/unbind {branch.id}")
        done = await admin.press_in_place(question, f"ba:unbind:{branch.id}:{ALICE}")
        assert done.plain_text.startswith("已解除Alice担任的")
        assert (await branch_row(harness, branch.id)).secretary_user_id is None
        assert harness.take_errors() == []


async def test_close_asks_then_the_branch_leaves_status_and_its_link_dies(make_bot, clock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        bob = Chat(harness, harness.user(BOB, "Bob"))
        branch = await make_secretary(harness, alice.user)
        await make_secretary(harness, harness.user(810_009, "Dan"), name="第二党支部")
        link = await harness.services.branches.invite(branch.id, created_by=ADMIN_ID)  # for a successor
        assert "第一党支部" in (await admin.send("/status")).plain_text

        question = await admin.send(f"/closebranch {branch.id}")
        assert question.plain_text.startswith(
            f"确定撤销某某科技有限公司 · “第一党支部”（编号 {branch.id}）吗？"
        )
        assert (
            "已登记的活动记录保留" in question.plain_text and "书记Alice将被解除绑定" in question.plain_text
        )
        assert question.button_texts == ["确认撤销", "取消"]
        assert (await branch_row(harness, branch.id)).closed_at is None  # nothing before the button
        done = await admin.press_in_place(question, f"ba:close:{branch.id}")
        assert done.plain_text.startswith(f"已撤销“第一党支部”（编号 {branch.id}）。已登记的活动记录仍保留")
        assert "原书记Alice已解除绑定" in done.plain_text and "尚未使用的邀请链接已作废" in done.plain_text
        assert (await alice.reply()).plain_text.startswith("上级党委管理员已撤销“第一党支部”")

        status = await admin.send("/status")
        assert "第一党支部" not in status.plain_text and "第二党支部" in status.plain_text
        listed = await admin.send("/branches")
        assert (
            f"{branch.id}. 某某科技有限公司 · 第一党支部（单独组建，8名正式党员）：已撤销（2026-11-22）"
            in (listed.plain_text)
        )
        assert (await bob.send(f"/start {link.code}")).plain_text == CLOSED_LINK
        refused = await admin.send(f"/invite {branch.id}")
        assert refused.plain_text.startswith(f"“第一党支部”（编号 {branch.id}）已撤销，不能生成邀请链接。")
        again = await admin.send(f"/closebranch {branch.id}")
        assert again.plain_text.startswith(f"“第一党支部”（编号 {branch.id}）已于 2026-11-22 撤销。")
        assert again.button_texts == []

        reopened = await admin.send(f"/reopenbranch {branch.id}")
        assert reopened.plain_text.startswith(f"已恢复“第一党支部”（编号 {branch.id}）")
        assert f"/invite {branch.id}" in reopened.plain_text
        assert "第一党支部" in (await admin.send("/status")).plain_text
        assert (await admin.send(f"/invite {branch.id}")).plain_text.startswith("已生成新的邀请链接")
        assert (await admin.send(f"/reopenbranch {branch.id}")).plain_text.endswith("没有撤销，无需恢复。")


async def test_close_cancelled_and_refused_to_others(make_bot, clock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        branch = await make_secretary(harness, alice.user)
        assert (await alice.send(f"/closebranch {branch.id}")).plain_text == ADMINS_ONLY
        assert (await admin.send("/closebranch abc")).plain_text == USAGE["closebranch"]
        question = await admin.send(f"/closebranch {branch.id}")
        # A forged press by someone else (the question shown to a non-administrator) closes nothing.
        update = alice.user.press(question, f"ba:close:{branch.id}", check=False, chat_id=ADMIN_ID)
        call = await harness.emulator.wait_for_call(
            "answerCallbackQuery",
            lambda c: c.params.get("callback_query_id") == update["callback_query"]["id"],
        )
        assert call.params.get("text") == ADMINS_ONLY
        assert (await admin.press_in_place(question, "ba:no")).plain_text == CANCELLED
        row = await branch_row(harness, branch.id)
        assert (row.closed_at, row.secretary_user_id) == (None, ALICE)


async def test_rename_and_newbranch_warn_of_the_same_name(make_bot, clock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        first = await make_secretary(harness, alice.user)
        second = await make_secretary(
            harness, harness.user(BOB, "Bob"), name="第二党支部", org="某某物流有限公司"
        )

        assert (await admin.send(f"/renamebranch {first.id}")).plain_text == USAGE["renamebranch"]
        bad = await admin.send(f"/renamebranch {first.id} 主题党日多久开展一次？")
        assert bad.plain_text.startswith("⚠️ 这看起来是一个问题，不像名称")
        renamed = await admin.send(f"/renamebranch {first.id} 第二党支部")
        lines = renamed.plain_text.splitlines()
        assert lines[0] == f"已将支部 {first.id} 的名称由“第一党支部”改为“第二党支部”。"
        assert "⚠️ 已有同名的支部：" in lines
        assert f"• {second.id}. 某某物流有限公司 · 第二党支部（单独组建，8名正式党员）：书记 Bob" in lines
        assert (await branch_row(harness, first.id)).name == "第二党支部"  # a warning, not a refusal
        told = await alice.reply()
        assert told.plain_text.startswith("上级党委管理员已将本支部名称由“第一党支部”更正为“第二党支部”")
        same = await admin.send(f"/renamebranch {first.id} 第二党支部")
        assert same.plain_text == f"支部 {first.id} 的名称已经是“第二党支部”，没有改动。"
        plain = await admin.send(f"/renamebranch {first.id} 第一党支部")
        assert plain.plain_text == f"已将支部 {first.id} 的名称由“第二党支部”改为“第一党支部”。"
        await alice.reply()

        # The unit's name is corrected the same way, and compared with nothing.
        assert (await admin.send(f"/renamebranch {first.id} 单位")).plain_text == USAGE["renamebranch"]
        unit = await admin.send(f"/renamebranch {first.id} 单位：某某新材料有限公司")
        assert (
            unit.plain_text == f"已将支部 {first.id} 的单位名称由“某某科技有限公司”改为“某某新材料有限公司”。"
        )
        assert (await branch_row(harness, first.id)).org_name == "某某新材料有限公司"
        assert (
            "本支部单位名称由“某某科技有限公司”更正为“某某新材料有限公司”" in (await alice.reply()).plain_text
        )

        # /newbranch warns in the summary, before 确认创建 (and still creates on 确认创建).
        summary = await newbranch_summary(admin, "第二党支部")
        assert "⚠️ 已有同名的支部：" in summary.plain_text and "请点“取消”，不要重复新建" in summary.plain_text
        assert f"• {second.id}. 某某物流有限公司 · 第二党支部" in summary.plain_text
        assert (await admin.press(summary, "nb:ok")).plain_text.startswith("已创建：第二党支部")
        fresh = await newbranch_summary(admin, "第三党支部")
        assert "同名" not in fresh.plain_text


async def newbranch_summary(admin: Chat, name: str):
    """/newbranch up to its summary (a 单独组建 branch of 8 members)."""
    await admin.send("/newbranch")
    await admin.send("某某物流有限公司")
    form = await admin.send(name)
    await admin.press(form, "nb:form:single")
    return await admin.send("8")


def test_the_menu_and_help_name_the_commands() -> None:
    admin_menu = {c.command: c.description for c in ADMIN_COMMANDS}
    for name in ("unbind", "renamebranch", "closebranch", "reopenbranch"):
        assert "管理员" in admin_menu[name]
        assert f"/{name} " in HELP and f"/{name}" not in SECRETARY_HELP
        assert name not in {c.command for c in COMMANDS}


def test_the_buttons_data_is_checked() -> None:
    for button in (
        BranchAdminButton("no"),
        BranchAdminButton("close", 7),
        BranchAdminButton("unbind", 7, 7_123_456_789),  # user ids beyond 2^31 exist
    ):
        assert decode_branch_admin(encode_branch_admin(button)) == button
    for forged in (
        "ba:close",
        "ba:close:0",
        "ba:close:7:1",
        "ba:unbind:7",
        "ba:unbind:7:x",
        "ba:no:1",
        "ba:drop:7",
    ):
        assert decode_branch_admin(forged) is None, forged
    assert decode_branch_admin(f"ba:unbind:7:{2**53}") is None
