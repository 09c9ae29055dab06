"""Branches end to end: /newbranch (admins), invitations (/start <code>, /invite), /branch, /branches.

The real application polls the Bot API emulator, with a fixed clock and a SQLite database in ``tmp_path``;
the helpers come from ``forms_world.py``.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from handlers.services.clock import FixedClock
from knowledge.organisation import NO_COMMITTEE
from storage.models import Branch, Invitation
from tests.emulator import SentMessage
from tests.fixtures_bot import BotHarness
from tests.tg.forms_world import (
    ADMIN_ID,
    ALICE,
    BOB,
    QUESTION,
    START,
    Chat,
    branch_row,
    hint,
    sha256,
)

ADMINS = {"BRANCHBOT_ADMIN_IDS": str(ADMIN_ID)}
BOT_USERNAME = "branchbot_test_bot"
USED = "这个邀请链接已经被使用过了。如需更换书记，请联系上级党委管理员生成新的邀请链接。"
ALREADY = (
    "这个邀请链接已经被使用过了。您已经是“{name}”的书记，无需再次打开链接。\n"
    "发送 /submit 登记活动记录，/records 查看记录，/branch 查看或修改支部信息。"
)
EXPIRED = "这个邀请链接已过期（有效期7天）。请联系上级党委管理员重新生成。"
REVOKED = "这个邀请链接已作废（上级党委管理员已生成新的链接）。请使用最新的链接。"
INVALID = "邀请码无效。请核对链接是否完整，或联系上级党委管理员重新生成。"
NOT_JOINED = "您还没有加入党支部。请联系上级党委管理员获取邀请链接。"
FORMS = {"single": "单独组建", "joint": "联合建", "attached": "挂靠建"}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def all_branches(harness: BotHarness) -> list[Branch]:
    async with harness.services.session_factory() as session:
        return list(await session.scalars(select(Branch).order_by(Branch.id)))


async def invitations(harness: BotHarness, branch_id: int) -> list[Invitation]:
    stmt = select(Invitation).where(Invitation.branch_id == branch_id).order_by(Invitation.id)
    async with harness.services.session_factory() as session:
        return list(await session.scalars(stmt))


def invitation_code(message: SentMessage) -> str:
    """The code of an invitation message, checked against its deep link."""
    text = message.plain_text or ""
    match = re.search(r"邀请码：(\S+)", text)
    assert match, text
    code = match.group(1)
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,64}", code), code
    assert f"邀请链接（7天内有效，仅限一次）：https://t.me/{BOT_USERNAME}?start={code}" in text, text
    assert any(e["type"] == "code" for e in message.message.get("entities", []))  # tap to copy
    return code


async def new_branch(
    admin: Chat, *, org: str, name: str, form: str, members: int, units: int | None = None
) -> tuple[str, SentMessage]:
    """/newbranch step by step; returns the invitation code and message."""
    reply = await admin.send("/newbranch")
    assert (
        reply.plain_text == "新建支部（1/4）：请发送单位（企业或社会组织）名称：\n（随时发送 /cancel 取消）"
    )
    reply = await admin.send(org)
    assert reply.plain_text == "新建支部（2/4）：请发送党支部名称："
    reply = await admin.send(name)
    assert reply.plain_text == "新建支部（3/4）：请选择组织形式："
    assert reply.button_texts == list(FORMS.values())
    reply = await admin.press(reply, f"nb:form:{form}")
    assert reply.plain_text == "新建支部（4/4）：正式党员有多少名？请发送数字："
    reply = await admin.send(str(members))
    if form == "joint":
        assert reply.plain_text == "这个联合党组织覆盖几个单位？请发送数字："
        reply = await admin.send(str(units))
    assert reply.plain_text.startswith("请核对要新建的支部：") and f"单位：{org}" in reply.plain_text
    assert reply.button_texts == ["确认创建", "修改", "取消"]
    summary = reply
    reply = await admin.press(reply, "nb:ok")
    assert reply.plain_text.startswith(f"已创建：{name}（编号 "), reply.plain_text
    # The speeches' rules are shown before 确认创建 as after it (helper-86's review: only after).
    warned = [line for line in reply.plain_text.splitlines() if line.startswith("• ")]
    assert warned == [line for line in summary.plain_text.splitlines() if line.startswith("• ")]
    return invitation_code(reply), reply


async def redeem(chat: Chat, code: str) -> SentMessage:
    return await chat.send(f"/start {code}")


def welcome_lines(name: str, org: str, form: str, members: int, secretary: str) -> list[str]:
    return [
        f"欢迎！您已成为“{name}”的书记。",
        "",
        name,
        f"单位：{org}",
        f"组织形式：{FORMS[form]}",
        f"正式党员：{members}名",
        f"书记：{secretary}",
        "",
        "✅ 组织设置符合讲话要求。",
        *([f"ℹ️ {NO_COMMITTEE}"] if members < 7 else []),
        "",
        "发送 /submit 登记活动记录，/records 查看记录，/branch 查看或修改支部信息。",
    ]


# --------------------------------------------------------------------------------------------------
# /newbranch
# --------------------------------------------------------------------------------------------------


async def test_admin_creates_a_single_branch_step_by_step(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "组织部"))
        await admin.send("/newbranch")
        hint(await admin.send("某"), "单位名称应为2到100个字")
        await admin.send("某某科技有限公司")
        menu = await admin.send("某某科技有限公司党支部")
        reply = await admin.send("单独")  # typed instead of pressed, and not a form's name
        assert reply.plain_text == "请点击上面的按钮选择组织形式。" and reply.button_texts == list(
            FORMS.values()
        )
        reply = await admin.send("单独组建")  # a form's name typed chooses it (helper-86's review: refused)
        assert reply.plain_text == "新建支部（4/4）：正式党员有多少名？请发送数字："
        answer = await admin.press_for_answer(menu, "nb:form:single", check=False)  # the step is past
        assert answer.get("show_alert"), answer
        hint(await admin.send("好几名"), "正式党员人数请发送一个数字，如 5。")
        summary = await admin.send("5")
        assert summary.plain_text.split("\n") == [
            "请核对要新建的支部：",
            "单位：某某科技有限公司",
            "党支部：某某科技有限公司党支部",
            "组织形式：单独组建",
            "正式党员：5名",
            "",
            "无误请点“确认创建”；点“修改”从头重新填写。",
        ]
        assert await all_branches(harness) == []  # nothing is created before the confirmation
        assert (
            await admin.send("主题党日多久开展一次？")
        ).plain_text == "请点击上面的按钮：确认创建、修改或取消。"
        created = await admin.press(summary, "nb:ok")
        code = invitation_code(created)
        lines = created.plain_text.split("\n")
        assert lines[0] == "已创建：某某科技有限公司党支部（编号 1）"
        assert lines[-1] == "请把链接发给该支部书记，点击即可绑定。"  # no warnings: 5 members, single
        (branch,) = await all_branches(harness)
        assert (branch.org_name, branch.name, branch.form, branch.formal_members, branch.units) == (
            "某某科技有限公司",
            "某某科技有限公司党支部",
            "single",
            5,
            None,
        )
        assert branch.secretary_user_id is None
        (invitation,) = await invitations(harness, branch.id)
        assert (
            invitation.code_hash == sha256(code.encode()) and invitation.created_by == ADMIN_ID
        )  # hash only
        assert invitation.expires_at == clock.now() + timedelta(days=7)

        # /cancel in the middle: nothing is created, free text is a question again.
        await admin.send("/newbranch")
        assert (await admin.send("/cancel")).plain_text == "已取消。"
        assert (await admin.send(QUESTION)).parse_mode == "HTML"
        assert len(await all_branches(harness)) == 1


async def test_a_question_typed_mid_wizard_is_no_name_and_the_summary_can_be_redone_or_cancelled(
    make_bot, clock: FixedClock
) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "组织部"))
        await admin.send("/newbranch")
        hint(await admin.send("主题党日多久开展一次？"), "这看起来是一个问题，不像名称")
        await admin.send("某某科技有限公司")
        menu = await admin.send("第一党支部")
        await admin.press(menu, "nb:form:single")
        summary = await admin.send("5")
        again = await admin.press(summary, "nb:redo")  # 修改: from the first step, nothing created
        assert again.plain_text == "新建支部（1/4）：请发送单位（企业或社会组织）名称："
        await admin.send("某某物流公司")
        await admin.press(await admin.send("物流党支部"), "nb:form:single")
        summary = await admin.send("3")
        assert "单位：某某物流公司" in summary.plain_text
        assert (await admin.press(summary, "nb:no")).plain_text == "已取消，没有新建支部。"
        answer = await admin.press_for_answer(summary, "nb:ok", check=False)  # the spent summary
        assert answer.get("text") == "这个按钮已失效。"
        assert await all_branches(harness) == []
        assert (await admin.send(QUESTION)).parse_mode == "HTML"  # a question again


async def test_admin_creates_a_joint_branch_and_is_asked_for_units(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "组织部"))
        _, created = await new_branch(
            admin, org="创业园区", name="创业园区联合党支部", form="joint", members=2, units=6
        )
        assert created.plain_text.split("\n")[-2:] == [
            "⚠️ 对照讲话要求：",
            "• 联合党组织覆盖单位数不超过5个，现在是6个。",
        ]
        (branch,) = await all_branches(harness)
        assert (branch.form, branch.formal_members, branch.units) == ("joint", 2, 6)

        # An attached branch is not asked for units.
        _, created = await new_branch(
            admin, org="小微企业", name="小微企业党小组", form="attached", members=1
        )
        assert "⚠️" not in created.plain_text
        assert [(b.form, b.units) for b in await all_branches(harness)] == [("joint", 6), ("attached", None)]


async def test_non_admin_is_refused(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        user = Chat(harness, harness.user(ALICE, "王书记"))
        assert (await user.send("/newbranch")).plain_text == "只有上级党委管理员可以新建支部。"
        assert (await user.send("/invite 1")).plain_text == "只有上级党委管理员可以生成邀请链接。"
        assert (await user.send("/branches")).plain_text == "只有上级党委管理员可以查看全部支部。"
        # A forged button of the /newbranch form does nothing either.
        answer = await user.press_for_answer(await user.send("/help"), "nb:form:single", check=False)
        assert answer.get("text") == "这个按钮已失效。"
        assert (await user.send("某某科技有限公司")).parse_mode == "HTML"  # a question, not an org name
        assert await all_branches(harness) == []


# --------------------------------------------------------------------------------------------------
# Invitations
# --------------------------------------------------------------------------------------------------


async def test_invitation_codes(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "组织部"))
        alice = Chat(harness, harness.user(ALICE, "王书记"))
        bob = Chat(harness, harness.user(BOB, "李书记"))
        code, _ = await new_branch(
            admin, org="某某科技有限公司", name="某某科技有限公司党支部", form="single", members=5
        )

        welcome = await redeem(alice, code)
        assert welcome.parse_mode == "HTML"
        assert welcome.plain_text.split("\n") == welcome_lines(
            "某某科技有限公司党支部", "某某科技有限公司", "single", 5, "王书记"
        )
        (branch,) = await all_branches(harness)
        assert (branch.secretary_user_id, branch.secretary_name) == (ALICE, "王书记")
        (invitation,) = await invitations(harness, branch.id)
        assert invitation.used_by == ALICE and invitation.used_at == clock.now()

        # Used once: nobody else (nor the same user) can use it again.
        assert (await redeem(bob, code)).plain_text == USED
        assert (await redeem(alice, code)).plain_text == ALREADY.format(name="某某科技有限公司党支部")
        assert (await branch_row(harness, branch.id)).secretary_user_id == ALICE

        # Forged and malformed codes.
        assert (await redeem(bob, "A" * 22)).plain_text == INVALID
        assert (await redeem(bob, "abc.def!")).plain_text == INVALID
        assert (await redeem(bob, code[:-1])).plain_text == INVALID

        # Expired: a week and a day later.
        second, _ = await new_branch(
            admin, org="某某物流公司", name="某某物流公司党支部", form="single", members=3
        )
        clock.advance(timedelta(days=8))
        assert (await redeem(bob, second)).plain_text == EXPIRED
        assert [b.secretary_user_id for b in await all_branches(harness)] == [ALICE, None]
        assert (await bob.send("/submit")).plain_text.startswith("您还没有加入党支部，暂时不能提交活动记录。")


async def test_a_new_invitation_revokes_the_old_one_and_replaces_the_secretary(
    make_bot, clock: FixedClock
) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "组织部"))
        alice = Chat(harness, harness.user(ALICE, "王书记"))
        bob = Chat(harness, harness.user(BOB, "李书记"))
        code, _ = await new_branch(admin, org="某某科技有限公司", name="科技党支部", form="single", members=5)
        await redeem(alice, code)
        assert (await alice.send("/submit")).plain_text == "请选择要登记的活动类型："
        await alice.send("/cancel")

        assert (await admin.send("/invite")).plain_text == "用法：/invite 支部编号（编号见 /branches）"
        assert (
            await admin.send("/invite 99")
        ).plain_text == "没有这个编号的支部。发送 /branches 查看全部支部。"
        old = invitation_code(await admin.send("/invite 1"))
        new = invitation_code(await admin.send("/invite 1"))
        assert old != new
        assert (await redeem(bob, old)).plain_text == REVOKED
        welcome = await redeem(bob, new)
        assert welcome.plain_text.startswith("欢迎！您已成为“科技党支部”的书记。")
        assert "书记：李书记" in welcome.plain_text
        told = await alice.reply()  # the replaced secretary is told at once
        assert told.plain_text.startswith("您已不再是“科技党支部”的书记：李书记"), told.plain_text

        branch = await branch_row(harness, 1)
        assert (branch.secretary_user_id, branch.secretary_name) == (BOB, "李书记")
        rows = await invitations(harness, 1)
        assert [(i.used_by, i.revoked_at is not None) for i in rows] == [
            (ALICE, False),
            (None, True),
            (BOB, False),
        ]

        # The old secretary has lost the branch; the new one can submit.
        reply = await alice.send("/submit")
        assert reply.plain_text.startswith("您还没有加入党支部，暂时不能提交活动记录。")
        assert "邀请链接" in reply.plain_text
        assert (await alice.send("/branch")).plain_text == NOT_JOINED
        assert (await bob.send("/submit")).plain_text == "请选择要登记的活动类型："
