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
from handlers.tg import pending
from knowledge.organisation import NO_COMMITTEE
from storage.models import Branch, Invitation
from storage.repositories import BranchRepository
from tests.emulator import SentMessage
from tests.fixtures_bot import BotHarness
from tests.tg.forms_world import (
    ADMIN_ID,
    ALICE,
    BOB,
    CAROL,
    QUESTION,
    START,
    Chat,
    Form,
    branch_row,
    draft,
    hint,
    records,
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


# --------------------------------------------------------------------------------------------------
# /branch and /branches
# --------------------------------------------------------------------------------------------------


async def test_branch_profile_warnings_and_editing(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "组织部"))
        alice = Chat(harness, harness.user(ALICE, "王书记"))
        code, created = await new_branch(admin, org="某小店", name="某小店党支部", form="single", members=2)
        assert "• 正式党员只有2名，不足3名，按讲话要求应采取联合建或挂靠建。" in created.plain_text
        welcome = await redeem(alice, code)
        assert "不足3名" in welcome.plain_text and "✅" not in welcome.plain_text

        profile = await alice.send("/branch")
        assert profile.parse_mode == "HTML"
        assert profile.plain_text.split("\n") == [
            "某小店党支部",
            "单位：某小店",
            "组织形式：单独组建",
            "正式党员：2名",
            "书记：王书记",
            "",
            "⚠️ 对照讲话要求：",
            "• 正式党员只有2名，不足3名，按讲话要求应采取联合建或挂靠建。",
            f"ℹ️ {NO_COMMITTEE}",
        ]
        assert profile.button_texts == ["改单位名称", "改支部名称", "改党员人数", "改组织形式"]

        # The member count: a non-number is refused and the value kept; a number updates it.
        reply = await alice.press(profile, "b:edit:formal_members")
        assert reply.plain_text == "请发送新的正式党员人数（发送 /cancel 取消）："
        hint(await alice.send("好几个"), "正式党员人数请发送一个数字，如 5。")
        assert (await branch_row(harness, 1)).formal_members == 2
        updated = await alice.send("4")
        assert updated.plain_text.startswith("已更新。\n\n某小店党支部")
        assert "正式党员：4名" in updated.plain_text and "✅ 组织设置符合讲话要求。" in updated.plain_text
        assert "下一期" not in updated.plain_text  # 2 or 4: the same activities owed
        assert (await branch_row(harness, 1)).formal_members == 4
        assert (await alice.send(QUESTION)).parse_mode == "HTML"  # nothing owed any more

        # Joint: the units can be edited, and more than five units is flagged.
        menu = await alice.press(updated, "b:form")
        assert menu.plain_text == "请选择组织形式：" and menu.button_texts == list(FORMS.values())
        joint = await alice.press(menu, "b:setform:joint")
        assert "组织形式：联合建" in joint.plain_text and "联合单位数：未填写" in joint.plain_text
        # 4 members over units not yet given: a joint branch's count is all its units', no unit's alone; and
        # not ✅ either: the count is asked at once (helper-86's review).
        assert "单独建立党组织" not in joint.plain_text and "✅" not in joint.plain_text
        assert "ℹ️ 联合单位数还没有填写" in joint.plain_text
        assert joint.plain_text.endswith("这个联合党组织覆盖几个单位？请发送数字（发送 /cancel 取消）：")
        assert not joint.buttons
        updated = await alice.send("6")
        assert "联合单位数：6" in updated.plain_text
        assert "• 联合党组织覆盖单位数不超过5个，现在是6个。\nℹ️ 正式党员不足7名" in updated.plain_text
        assert updated.button_texts[-1] == "改联合单位数"
        await alice.press(updated, "b:edit:formal_members")
        updated = await alice.send("2")
        assert "联合单位数：6" in updated.plain_text
        branch = await branch_row(harness, 1)
        assert (branch.form, branch.formal_members, branch.units) == ("joint", 2, 6)

        # Away from 联合建 and back: the old count is not brought back, it is asked again.
        menu = await alice.press(updated, "b:form")
        single = await alice.press(menu, "b:setform:single")
        assert "联合单位数" not in single.plain_text and single.buttons
        assert (await branch_row(harness, 1)).units is None
        menu = await alice.press(single, "b:form")
        joint = await alice.press(menu, "b:setform:joint")
        assert "联合单位数：未填写" in joint.plain_text and joint.plain_text.endswith(
            "请发送数字（发送 /cancel 取消）："
        )
        updated = await alice.send("3")
        branch = await branch_row(harness, 1)
        assert (branch.form, branch.formal_members, branch.units) == ("joint", 2, 3)

        # 7 formal members: a 支部委员会 and 党小组会 are owed, at once on the day the branch was created (its
        # starting profile: helper-97's review), else from the next period on (tests/tg/test_e2e_profile_changes).
        await alice.press(updated, "b:edit:formal_members")
        grown = await alice.send("7")
        assert "下一期" not in grown.plain_text and NO_COMMITTEE not in grown.plain_text
        assert "ℹ️" not in grown.plain_text

        # /cancel while a value is owed.
        await alice.press(updated, "b:edit:name")
        # A question typed instead is no name (helper-86's review: it became the branch's name).
        hint(await alice.send("主题党日多久开展一次？"), "这看起来是一个问题，不像名称，没有保存。")
        assert (await alice.send("/cancel")).plain_text == "已取消。"
        assert (await branch_row(harness, 1)).name == "某小店党支部"


async def test_branches_lists_every_branch_for_admins(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "组织部"))
        alice = Chat(harness, harness.user(ALICE, "王书记"))
        assert (await admin.send("/branches")).plain_text == "还没有支部。发送 /newbranch 新建。"
        code, _ = await new_branch(admin, org="甲公司", name="甲公司党支部", form="single", members=5)
        await new_branch(admin, org="乙园区", name="乙园区联合党支部", form="joint", members=2, units=3)
        await redeem(alice, code)
        listing = await admin.send("/branches")
        assert listing.plain_text.split("\n") == [
            "1. 甲公司 · 甲公司党支部（单独组建，5名正式党员）：书记 王书记",
            "2. 乙园区 · 乙园区联合党支部（联合建，2名正式党员）：尚无书记",
        ]


async def test_branches_lists_all_of_many_branches_over_several_messages(make_bot, clock: FixedClock) -> None:
    """120 branches: the list was cut at 4,000 characters, mid-name, after 77 lines (review 82)."""
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "组织部"))
        async with harness.services.session_factory() as session, session.begin():
            for i in range(120):
                await BranchRepository(session).add(
                    org_name=f"某某科技有限公司{i:03d}",
                    name=f"某某科技第{i:03d}党支部",
                    form="single",
                    formal_members=5,
                    at=START,
                )
        admin.user.send_text("/branches")
        lines = (await admin.reply()).plain_text.split("\n")
        while not lines[-1].startswith("120. "):
            lines += (await admin.reply()).plain_text.split("\n")
        assert len(lines) == 120
        assert all(
            line.startswith(f"{i + 1}. 某某科技有限公司{i:03d} · 某某科技第{i:03d}党支部（")
            for i, line in enumerate(lines)
        )


async def test_user_without_a_branch(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        carol = Chat(harness, harness.user(CAROL, "赵同志"))
        reply = await carol.send("/submit")
        assert reply.plain_text.split("\n") == [
            "您还没有加入党支部，暂时不能提交活动记录。",
            "请联系上级党委管理员为您的支部生成邀请链接，点击链接即可成为支部书记。",
            "（提问不受影响，直接输入问题即可。）",
        ]
        assert await draft(harness, CAROL) is None
        assert (await carol.send("/records")).plain_text == NOT_JOINED
        assert (await carol.send("/branch")).plain_text == NOT_JOINED
        assert (await carol.send("/skip")).plain_text.startswith("现在没有可以跳过的内容。")
        answer = await carol.send(QUESTION)
        assert answer.parse_mode == "HTML" and "出处" in answer.plain_text


# --------------------------------------------------------------------------------------------------
# Once bugs, now guarded against
# --------------------------------------------------------------------------------------------------


async def test_welcome_escapes_the_branch_name(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "组织部"))
        alice = Chat(harness, harness.user(ALICE, "王书记"))
        code, _ = await new_branch(admin, org="研发<一>部", name="研发<一>部党支部", form="single", members=5)
        welcome = await redeem(alice, code)
        assert welcome.plain_text.startswith("欢迎！您已成为“研发<一>部党支部”的书记。"), welcome.plain_text


async def test_an_abandoned_profile_edit_does_not_swallow_form_input(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "组织部"))
        alice = Chat(harness, harness.user(ALICE, "王书记"))
        code, _ = await new_branch(admin, org="某某科技有限公司", name="科技党支部", form="single", members=5)
        await redeem(alice, code)
        profile = await alice.send("/branch")
        await alice.press(profile, "b:edit:org_name")  # ... and then she does something else
        note = await alice.send("/submit")  # the change she left is said to be dropped
        assert note.plain_text == "支部信息的修改还没有填写，已取消。", note.plain_text
        await alice.reply()  # the menu
        form = Form(alice, "committee")
        await form.run("date")
        reply = await alice.send(form.topic)
        assert (await branch_row(harness, 1)).org_name == "某某科技有限公司"
        assert reply.plain_text == "【支部委员会】活动地点在哪里？", reply.plain_text


async def test_a_replaced_secretary_cannot_submit_the_old_draft(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "组织部"))
        alice = Chat(harness, harness.user(ALICE, "王书记"))
        bob = Chat(harness, harness.user(BOB, "李书记"))
        code, _ = await new_branch(admin, org="某某科技有限公司", name="科技党支部", form="single", members=5)
        await redeem(alice, code)
        summary = await Form(alice, "committee").run("summary")
        await redeem(bob, invitation_code(await admin.send("/invite 1")))
        assert (await alice.reply()).plain_text.startswith("您已不再是“科技党支部”的书记")
        assert (await alice.send("/branch")).plain_text == NOT_JOINED
        alice.user.press(summary, "f:confirm")
        await harness.emulator.idle()
        assert await records(harness, 1) == []


async def test_a_replaced_secretary_cannot_finish_a_profile_edit(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "组织部"))
        alice = Chat(harness, harness.user(ALICE, "王书记"))
        bob = Chat(harness, harness.user(BOB, "李书记"))
        code, _ = await new_branch(admin, org="某某科技有限公司", name="科技党支部", form="single", members=5)
        await redeem(alice, code)
        await alice.press(await alice.send("/branch"), "b:edit:name")
        await redeem(bob, invitation_code(await admin.send("/invite 1")))
        alice.user.send_text("王书记说了算党支部")
        await harness.emulator.idle()
        assert (await branch_row(harness, 1)).name == "科技党支部"


async def test_a_value_asked_for_long_ago_is_not_taken_and_the_user_is_told(
    make_bot, clock: FixedClock
) -> None:
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "组织部"))
        alice = Chat(harness, harness.user(ALICE, "王书记"))
        code, _ = await new_branch(admin, org="某某科技有限公司", name="科技党支部", form="single", members=5)
        await redeem(alice, code)
        await alice.press(await alice.send("/branch"), "b:edit:name")  # ... and she leaves it for an hour
        clock.advance(pending.PENDING_TIMEOUT + timedelta(minutes=1))
        reply = await alice.send("科技联合党支部")
        assert (await branch_row(harness, 1)).name == "科技党支部"
        assert reply.plain_text == pending.EXPIRED  # said, not taken and not silently dropped
        reply = await alice.send("党员不足三人的企业怎样建立党组织")
        assert "联合" in reply.plain_text  # the next text is a question again
        # Within the time, the answer is taken as before.
        await alice.press(await alice.send("/branch"), "b:edit:name")
        clock.advance(pending.PENDING_TIMEOUT - timedelta(minutes=1))
        await alice.send("科技联合党支部")
        assert (await branch_row(harness, 1)).name == "科技联合党支部"
