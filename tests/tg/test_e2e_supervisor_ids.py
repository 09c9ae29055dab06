"""Supervisors without a numeric id nobody shows: /myid, names in the administrator's replies, /dashboard with
no public address in plain Chinese, and /records for a supervisor (review 12, defect 3)."""

from __future__ import annotations

import logging

import pytest

from handlers.services.clock import FixedClock
from handlers.tg.common import HELP
from handlers.tg.supervision import NO_URL, NO_URL_ADMIN, RECORDS_SUPERVISOR
from storage.repositories import BranchRepository
from storage.repositories.supervisors import SupervisorRepository
from tests.tg.forms_world import ADMIN_ID, ALICE, BOB, CAROL, START, Chat, make_secretary
from tests.tg.test_e2e_review import ADMINS

SUPERVISOR = 810_160


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def test_myid_names_and_the_usage(make_bot, clock, monkeypatch) -> None:
    monkeypatch.delenv("BRANCHBOT_PUBLIC_URL", raising=False)
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        branch = await make_secretary(harness, alice.user)
        sup = Chat(harness, harness.user(SUPERVISOR, "王督导", username="wangdd"))

        assert "/myid" in (await admin.send("/supervisor")).plain_text
        assert "/myid" in HELP
        mine = await sup.send("/myid")
        assert f"您的用户编号：{SUPERVISOR}" in mine.plain_text
        assert f"<code>{SUPERVISOR}</code>" in mine.text

        granted = await admin.send(f"/supervisor {SUPERVISOR} {branch.id}")
        assert granted.plain_text.startswith(f"王督导 @wangdd（用户 {SUPERVISOR}）现在是片区督导员")
        told = await sup.reply()  # the supervisor is told too (helper-86's review: never was)
        assert (
            told.plain_text
            == f"上级党委管理员已将您设为片区督导员，负责支部（编号）：{branch.id}。这些支部提交的活动记录会发给您审核；"
            "发送 /status 查看各支部的完成情况，/dashboard 在网页上查看。"
        )
        assert "不认识" not in granted.plain_text
        listed = await admin.send("/supervisors")
        assert f"王督导 @wangdd（用户 {SUPERVISOR}）：第一党支部（{branch.id}）" in listed.plain_text

        # A secretary is known by the name stored when they joined; a stranger by the id, with a warning.
        second = await make_secretary(harness, harness.user(BOB, "Bob"), name="第二党支部")
        bob = await admin.send(
            f"/supervisor {BOB} {branch.id}"
        )  # not his own branch: refused since helper-96
        assert bob.plain_text.startswith(f"Bob（用户 {BOB}）现在是片区督导员")
        stranger = await admin.send(f"/supervisor {CAROL} {second.id}")
        assert stranger.plain_text.startswith(f"用户 {CAROL} 现在是片区督导员")
        assert "/myid" in stranger.plain_text and "不认识" in stranger.plain_text
        gone = await admin.send(f"/supervisor remove {CAROL}")
        assert gone.plain_text == f"已取消用户 {CAROL} 的片区督导员身份。"  # as before, for an unknown user
        removed = await admin.send(f"/supervisor remove {SUPERVISOR}")
        assert removed.plain_text == f"已取消王督导 @wangdd（用户 {SUPERVISOR}）的片区督导员身份。"
        assert (await sup.reply()).plain_text == "您的片区督导员身份已被上级党委管理员取消。"
        again = await admin.send(f"/supervisor remove {SUPERVISOR}")  # nothing left to remove: said so
        assert again.plain_text.startswith(f"王督导 @wangdd（用户 {SUPERVISOR}）不是片区督导员，无需取消。")


async def test_dashboard_without_address_and_records_of_a_supervisor(make_bot, clock, monkeypatch, caplog):
    monkeypatch.delenv("BRANCHBOT_PUBLIC_URL", raising=False)
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        branch = await make_secretary(harness, alice.user)
        sup = Chat(harness, harness.user(SUPERVISOR, "王督导"))
        await admin.send(f"/supervisor {SUPERVISOR} {branch.id}")
        await sup.reply()  # told of the role

        with caplog.at_level(logging.WARNING):
            told = await sup.send("/dashboard")
        assert told.plain_text == NO_URL and "BRANCHBOT" not in told.plain_text
        assert "BRANCHBOT_PUBLIC_URL" in caplog.text
        assert (await admin.send("/dashboard")).plain_text == NO_URL_ADMIN

        records = await sup.send("/records")
        assert records.plain_text == RECORDS_SUPERVISOR and "/status" in records.plain_text
        await harness.emulator.expect_no_message(SUPERVISOR)  # /records' own reply does not follow
        assert (
            "近12个月还没有活动记录" in (await alice.send("/records")).plain_text
        )  # a secretary's is unchanged
        assert "/status" in (await admin.send("/records")).plain_text


async def test_a_supervisor_is_not_sent_for_an_invitation(make_bot, clock) -> None:
    """/submit, /reminders and /branch from a supervisor told them to get an invitation from their branch; now
    they are told what a supervisor can do (/status, /dashboard, review). The same for an administrator, except
    /reminders, which shows an administrator the failed deliveries."""
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        branch = await make_secretary(harness, alice.user)
        sup = Chat(harness, harness.user(SUPERVISOR, "王督导"))
        await admin.send(f"/supervisor {SUPERVISOR} {branch.id}")
        await sup.reply()  # told of the role

        for name in ("submit", "reminders", "branch"):
            told = (await sup.send(f"/{name}")).plain_text
            assert told.startswith(f"/{name} 是支部书记") and "片区督导员" in told, told
            assert "/status" in told and "/dashboard" in told and "审核" in told and "邀请" not in told
            await harness.emulator.expect_no_message(SUPERVISOR)  # the command's own reply does not follow
            by_admin = (await admin.send(f"/{name}")).plain_text
            if name == "reminders":
                assert "没有发送失败的提醒" in by_admin
            else:
                assert "管理员" in by_admin and "/status" in by_admin and "邀请" not in by_admin
        assert "第一党支部" in (await alice.send("/branch")).plain_text  # a secretary's is unchanged


async def test_dashboard_keeps_the_supervisors_name_for_the_web(make_bot, clock) -> None:
    """A supervisor who never reviews in chat still gets a login link there: its name is kept for the web."""
    async with make_bot(clock=clock, **ADMINS) as harness:
        harness.application.bot_data["public_url"] = "https://dash.example.org"
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        branch = await make_secretary(harness, harness.user(ALICE, "Alice"))
        sup = Chat(harness, harness.user(SUPERVISOR, "孙督导"))
        await admin.send(f"/supervisor {SUPERVISOR} {branch.id}")
        await sup.reply()  # told of the role
        assert SUPERVISOR not in await harness.services.supervision.known_names([SUPERVISOR])
        assert "网页看板登录链接" in (await sup.send("/dashboard")).plain_text
        assert await harness.services.supervision.known_names([SUPERVISOR]) == {SUPERVISOR: "孙督导"}


async def test_supervisors_lists_every_branch_over_several_messages(make_bot, clock) -> None:
    """300 branches named A&B…: the list was cut at 4,000 characters after escaping, inside an &amp; (Telegram
    refused the message), and without an & it silently stopped (review 82). Now whole lines, several messages."""
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        async with harness.services.session_factory() as session, session.begin():
            branches = BranchRepository(session)
            ids = [
                (
                    await branches.add(
                        org_name="某公司", name=f"A&B第{i:03d}支部", form="single", formal_members=5, at=START
                    )
                ).id
                for i in range(300)
            ]
            await SupervisorRepository(session).grant(SUPERVISOR, ids, by=ADMIN_ID, at=START)
        admin.user.send_text("/supervisors")
        texts = [(await admin.reply()).plain_text]
        while f"A&B第299支部（{ids[-1]}）" not in texts[-1]:
            texts.append((await admin.reply()).plain_text)
        assert len(texts) > 1 and all(len(text) <= 4096 for text in texts)
        listed = "\n".join(texts)
        assert all(f"A&B第{i:03d}支部（{branch_id}）" in listed for i, branch_id in enumerate(ids))
        assert harness.take_errors() == []


async def test_an_administrator_takes_single_branches_out_of_a_scope(make_bot, clock) -> None:
    """helper-96's review: `/supervisor remove 用户 支部` answered with the usage text; the only way was to remove
    the supervisor entirely (and tell them their role was cancelled) and grant the rest again."""
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        first = await make_secretary(harness, harness.user(ALICE, "Alice"))
        second = await make_secretary(harness, harness.user(BOB, "Bob"), name="第二党支部")
        sup = Chat(harness, harness.user(SUPERVISOR, "王督导"))
        assert "/supervisor remove 用户编号 支部编号" in (await admin.send("/supervisor")).plain_text
        await sup.send("/myid")  # the bot learns the name
        await admin.send(f"/supervisor {SUPERVISOR} {first.id} {second.id}")
        await sup.reply()  # told of the role

        reply = await admin.send(f"/supervisor remove {SUPERVISOR} {first.id}")
        assert (
            reply.plain_text
            == f"已将支部 {first.id} 移出王督导（用户 {SUPERVISOR}）的督导范围，对方仍负责支部：{second.id}。"
        )
        told = await sup.reply()
        assert (
            told.plain_text
            == f"上级党委管理员已将支部 {first.id} 移出您的督导范围。您现在负责支部：{second.id}。"
        )
        assert (await harness.services.supervision.viewer(SUPERVISOR)).supervised == {second.id}
        seen = await sup.send("/status")
        assert "第二党支部" in seen.plain_text and "第一党支部" not in seen.plain_text

        again = await admin.send(f"/supervisor remove {SUPERVISOR} {first.id}")
        assert again.plain_text.startswith(f"王督导（用户 {SUPERVISOR}）并不负责支部 {first.id}，无需移出。")
        await harness.emulator.expect_no_message(SUPERVISOR)
        # a branch that does not exist is named so (helper-104's re-review: "并不负责支部 99")
        missing = await admin.send(f"/supervisor remove {SUPERVISOR} 99")
        assert missing.plain_text == "没有这些支部：99。发送 /branches 查看支部编号。"
        await harness.emulator.expect_no_message(SUPERVISOR)

        last = await admin.send(
            f"/supervisor remove {SUPERVISOR} ２"
        )  # full-width, as a Chinese keyboard types
        assert last.plain_text.endswith("对方已不再负责任何支部，片区督导员身份随之取消。"), last.plain_text
        assert (await sup.reply()).plain_text.endswith("您已不再负责任何支部，片区督导员身份随之取消。")
        assert "只有" in (await sup.send("/status")).plain_text


async def test_a_secretary_is_not_made_supervisor_of_their_own_branch(make_bot, clock) -> None:
    """helper-96's review: `/supervisor <Alice> <Alice's branch>` was confirmed without a word; she could never
    review her branch's records. It is refused with the reason; with other branches, those are granted."""
    async with make_bot(clock=clock, **ADMINS) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        first = await make_secretary(harness, alice.user)
        second = await make_secretary(harness, harness.user(BOB, "Bob"), name="第二党支部")

        refused = await admin.send(f"/supervisor {ALICE} {first.id}")
        assert refused.plain_text.startswith(
            f"未设置：Alice（用户 {ALICE}）是支部 {first.id}（第一党支部）的书记，不能督导自己的支部"
        ), refused.plain_text
        await harness.emulator.expect_no_message(ALICE)
        assert (await harness.services.supervision.viewer(ALICE)).supervised == frozenset()

        granted = await admin.send(f"/supervisor {ALICE} {first.id} {second.id}")
        lines = granted.plain_text.splitlines()
        assert (
            lines[0]
            == f"Alice（用户 {ALICE}）现在是片区督导员，负责支部：{second.id}。对方发送 /status 或 /dashboard 即可使用。"
        )
        assert lines[1].startswith(f"注意：未包括支部 {first.id}，对方是支部 {first.id}（第一党支部）的书记")
        assert (await alice.reply()).plain_text.startswith(
            f"上级党委管理员已将您设为片区督导员，负责支部（编号）：{second.id}。"
        )
        assert (await harness.services.supervision.viewer(ALICE)).supervised == {second.id}


async def test_a_supervisor_who_joins_a_branch_as_its_secretary_no_longer_supervises_it(
    make_bot, clock
) -> None:
    """helper-104's re-review: /supervisor refuses a secretary's own branch, but a supervisor who became its
    secretary through an invitation kept it in their scope (and would have been asked to review their own
    records). It leaves their scope on joining, and the welcome says so; their other branches stay."""
    async with make_bot(clock=clock, **ADMINS) as harness:
        alice = Chat(harness, harness.user(ALICE, "陈书记"))
        created = await harness.services.branches.create(
            org_name="甲公司", name="甲支部", form="single", formal_members=5, units=None, created_by=ADMIN_ID
        )
        other = await harness.services.branches.create(
            org_name="乙公司", name="乙支部", form="single", formal_members=5, units=None, created_by=ADMIN_ID
        )
        granted = await harness.services.supervision.grant(
            ADMIN_ID, ALICE, [created.branch.id, other.branch.id]
        )
        assert granted.status == "ok"
        welcome = await alice.send(f"/start {created.code}")
        assert "您已成为“甲支部”的书记" in welcome.plain_text
        assert "成为书记后不再督导本支部" in welcome.plain_text
        viewer = await harness.services.supervision.viewer(ALICE)
        assert viewer.supervised == frozenset({other.branch.id})
