"""The administrators' branch corrections on SQLite and PostgreSQL: unbinding a secretary stops the reminders to
their chat and keeps the branch; a closed branch owes nothing from the period it closed in (no reminder, no digest
line, not in the matrix) but keeps the periods before, and takes no invitation; renaming warns of the same name."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from handlers.services.branch_admin import BranchAdminService, name_key
from handlers.services.branches import BranchClosedError, BranchService, branch_line
from handlers.services.clock import FixedClock
from handlers.services.reminders import Audience, ReminderPlanner
from handlers.services.status import StatusService
from knowledge.activities import Cadence, period_of
from storage.repositories import BranchRepository, ReminderRepository
from tests.services.reminder_world import FakeMessenger, FakeTime, add_branch, make_sender, sh

JUNE_1 = sh(2026, 6, 1, 9)
ADMIN = 900


async def test_unbinding_keeps_the_branch_and_stops_the_reminders_to_the_old_chat(session_factory):
    a = await add_branch(session_factory, "甲支部", 1001)
    b = await add_branch(session_factory, "乙支部", 1002)
    planned = await ReminderPlanner(session_factory, FixedClock(JUNE_1)).plan(JUNE_1)
    assert {d.chat_id for d in planned} == {1001, 1002}  # planned before the secretary left
    clock = FixedClock(JUNE_1 + timedelta(minutes=1))
    admin = BranchAdminService(session_factory, clock)

    assert (await admin.unbind(b, 9999)).status == "changed"  # not the secretary confirmed: nothing done
    assert (await admin.unbind(4242, 1001)).status == "unknown"
    result = await admin.unbind(a, 1001)
    assert (result.status, result.secretary, result.draft) == ("ok", (1001, "书记1001"), False)
    assert (result.branch.secretary_user_id, result.branch.name) == (None, "甲支部")
    assert (await admin.unbind(a, 1001)).status == "no_secretary"
    async with session_factory() as session:
        branches = BranchRepository(session)
        assert (await branches.get(b)).secretary_user_id == 1002
        assert await branches.by_secretary(1001) is None
        assert await branches.secretary_names([1001]) == {1001: "书记1001"}  # the ledgers still name them

    messenger, time = FakeMessenger(), FakeTime()
    await make_sender(session_factory, messenger, time, clock=clock).send_due(clock.now())
    assert set(messenger.per_chat()) == {1002}  # the rows planned for the old chat were skipped
    later = await ReminderPlanner(session_factory, clock).plan(sh(2026, 6, 22, 9))
    assert {d.chat_id for d in later} == {1002}
    assert "尚无书记" in branch_line(result.branch)


async def test_a_closed_branch_owes_nothing_from_its_period_and_keeps_the_past(session_factory):
    a = await add_branch(session_factory, "甲支部", 1001)
    b = await add_branch(session_factory, "乙支部", 1002)
    clock = FixedClock(sh(2026, 6, 10, 15))
    invitations = BranchService(session_factory, clock)
    link = await invitations.invite(a, created_by=ADMIN)
    admin = BranchAdminService(session_factory, clock)

    assert (await admin.close(4242)).status == "unknown"
    closed = await admin.close(a)
    assert (closed.status, closed.secretary, closed.revoked) == ("ok", (1001, "书记1001"), 1)
    assert closed.branch.secretary_user_id is None and closed.branch.closed_at == clock.now()
    assert (await admin.close(a)).status == "already"
    assert "已撤销（2026-06-10）" in branch_line(closed.branch, clock.tz)

    async with session_factory() as session:
        assert [x.id for x in await ReminderRepository(session).branches()] == [b]
        assert [x.id for x in await ReminderRepository(session).branches([a, b])] == [b]
    planner = ReminderPlanner(session_factory, clock, admin_ids=frozenset({ADMIN}))
    reminded = await planner.plan(sh(2026, 6, 22, 9))
    assert {d.branch_id for d in reminded if d.audience is Audience.BRANCH} == {b}
    digest = next(d for d in await planner.plan(sh(2026, 7, 1, 9)) if d.audience is Audience.ADMIN).digest
    june = next(p for p in digest.periods if p.period == "2026-06")
    assert june.total == 1 and {x.branch_id for x in june.branches} == {b}

    status = StatusService(session_factory, clock, frozenset({ADMIN}))
    june_view = await status.matrix_for(None, period_of(Cadence.MONTHLY, date(2026, 6, 1)))
    assert [row.branch_id for row in june_view.rows] == [b]
    may = await status.matrix_for(None, period_of(Cadence.MONTHLY, date(2026, 5, 1)))
    assert [row.branch_id for row in may.rows] == [a, b]  # the periods before it closed keep what it owed

    assert (await invitations.redeem(link.code, user_id=1003, name="新人")).status == "closed"
    with pytest.raises(BranchClosedError):
        await invitations.invite(a, created_by=ADMIN)

    assert (await admin.reopen(b)).status == "already"
    reopened = await admin.reopen(a)
    assert reopened.status == "ok" and reopened.branch.closed_at is None
    assert reopened.branch.secretary_user_id is None  # a new invitation makes the secretary
    async with session_factory() as session:
        assert [x.id for x in await ReminderRepository(session).branches()] == [a, b]
    assert (await invitations.invite(a, created_by=ADMIN)) is not None


async def test_renaming_warns_of_another_branch_of_the_same_name(session_factory):
    a = await add_branch(session_factory, "第一党支部", 1001)
    b = await add_branch(session_factory, "第二党支部", 1002)
    admin = BranchAdminService(session_factory, FixedClock(JUNE_1))
    assert name_key(" 第２ 党支部") == name_key("第2党支部")

    renamed = await admin.rename(a, "第二 党支部")
    assert (renamed.status, renamed.old, renamed.branch.name) == ("ok", "第一党支部", "第二 党支部")
    assert [x.id for x in renamed.same_name] == [b]
    assert [x.id for x in await admin.same_name("第二党支部")] == [a, b]
    assert [x.id for x in await admin.same_name("第二党支部", besides=b)] == [a]
    assert (await admin.rename(a, "第二 党支部")).status == "same"
    assert (await admin.rename(4242, "第三党支部")).status == "unknown"
    with pytest.raises(ValueError, match="不像名称"):
        await admin.rename(a, "主题党日多久开展一次？")
    with pytest.raises(ValueError, match="支部名称应为"):
        await admin.rename(a, "党")
    lonely = await admin.rename(b, "第三党支部")
    assert lonely.same_name == ()
    unit = await admin.rename(b, "第二 党支部", "org_name")  # a unit's name is compared with nothing
    assert (unit.status, unit.old, unit.branch.org_name, unit.same_name) == (
        "ok",
        "某科技有限公司",
        "第二 党支部",
        (),
    )
