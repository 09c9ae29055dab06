"""What a closed (撤销) branch owes, on SQLite and PostgreSQL: a quarter or a year it was closed in still shows it
for the months it existed in, marked closed, owing nothing that ends after the closure; reopening keeps the closure,
so the periods that lay within it stay not owed (no overdue, no digest line); a branch closed on the 1st before the
digest went is in the digest of the month it existed in (the rule itself: ``test_closures.py``)."""

from __future__ import annotations

from datetime import date, datetime

from openpyxl import load_workbook
from sqlalchemy import update

from handlers.services.branch_admin import BranchAdminService
from handlers.services.clock import FixedClock
from handlers.services.export import LedgerExporter
from handlers.services.reminders import Audience, ReminderPlanner
from handlers.services.status import StatusService
from storage.files import LocalFileStore
from storage.models import ActivityRecord
from tests.services.reminder_world import add_branch, record, sh

ADMIN = 900


async def _close(factory, branch: int, at: datetime) -> None:
    assert (await BranchAdminService(factory, FixedClock(at)).close(branch)).status == "ok"


async def _reopen(factory, branch: int, at: datetime) -> None:
    assert (await BranchAdminService(factory, FixedClock(at)).reopen(branch)).status == "ok"


def _states(matrix, branch: int, kind: str) -> list[str]:
    row = next(r for r in matrix.rows if r.branch_id == branch)
    return [s.state for s in row.cells[kind].slots]


def _overdue(matrix, branch: int, kind: str) -> list[bool]:
    row = next(r for r in matrix.rows if r.branch_id == branch)
    return [s.overdue for s in row.cells[kind].slots]


async def test_a_quarter_and_a_year_keep_a_branch_closed_within_them(session_factory, tmp_path):
    a = await add_branch(session_factory, "甲支部", 1001)
    b = await add_branch(session_factory, "乙支部", 1002)
    await record(session_factory, a, "theme_day", date(2026, 4, 8))
    await _close(session_factory, a, sh(2026, 6, 10, 15))
    clock = FixedClock(sh(2026, 7, 5, 10))
    status = StatusService(session_factory, clock, frozenset({ADMIN}))

    quarter = await status.matrix_for(None, "2026-Q2")
    assert [r.branch_id for r in quarter.rows] == [a, b]  # April and May: it existed
    assert quarter.rows[0].closed == ((date(2026, 6, 10), None),) and quarter.rows[1].closed == ()
    assert _states(quarter, a, "theme_day") == ["waiting", "missing", "closed"]
    assert _overdue(quarter, a, "theme_day") == [False, True, False]  # May was owed, June was not
    assert _states(quarter, a, "assembly") == ["closed"] and _states(quarter, a, "review") == ["closed"]
    assert quarter.rows[0].totals.overdue == 3 + 4  # April's missing kinds (its 主题党日 waits), all of May's
    assert quarter.rows[1].totals.overdue == 4 * 3 + 3  # the open branch owes all of it
    year = await status.matrix_for(None, "2026")
    assert _states(year, a, "committee") == ["missing"] * 5 + ["closed"] * 7
    assert _states(year, a, "assembly") == ["missing", "closed", "closed", "closed"]
    assert year.rows[0].cells["committee"].owed == 5 and year.rows[0].closed == ((date(2026, 6, 10), None),)
    june = await status.matrix_for(None, "2026-06")
    assert [r.branch_id for r in june.rows] == [b]  # it owes nothing in June

    exporter = LedgerExporter(session_factory, clock, LocalFileStore(tmp_path / "files"), status)
    await exporter.export_ledger("2026-Q2", None, tmp_path / "q2.xlsx")
    summary = load_workbook(tmp_path / "q2.xlsx")["汇总"]
    first = [c.value for c in next(summary.iter_rows(min_row=4, max_row=4))]
    assert first[:3] == ["甲支部 · 已撤销（2026-06-10）", "某科技有限公司", "未完成 0/2（1期待审核）（逾期）"]
    assert "已撤销" in first[6] and "“已撤销”指该期结束时支部已撤销" in summary["A2"].value


async def test_reopening_does_not_owe_the_periods_within_the_closure(session_factory):
    a = await add_branch(session_factory, "甲支部", 1001)
    b = await add_branch(session_factory, "乙支部", 1002)
    await _close(session_factory, a, sh(2026, 6, 1, 8))  # closed on 1 June: it owed May
    await _reopen(session_factory, a, sh(2026, 9, 1, 8))  # reopened three months later, before the digest
    clock = FixedClock(sh(2026, 9, 5, 10))
    status = StatusService(session_factory, clock, frozenset({ADMIN}))

    july = await status.matrix_for(None, "2026-07")
    assert [r.branch_id for r in july.rows] == [b]  # July lay within the closure
    q3 = await status.matrix_for(None, "2026-Q3")
    assert _states(q3, a, "committee") == ["closed", "closed", "missing"]  # September is owed again
    assert _overdue(q3, a, "committee") == [False, False, False]
    year = await status.matrix_for(None, "2026")
    assert _states(year, a, "committee")[4:9] == ["missing", "closed", "closed", "closed", "missing"]
    assert _overdue(year, a, "committee")[4:9] == [True, False, False, False, False]
    assert _states(year, a, "assembly") == ["missing", "closed", "missing", "upcoming"]
    assert year.rows[0].closed == ((date(2026, 6, 1), date(2026, 9, 1)),)
    assert year.rows[0].totals.overdue == 5 * 4 + 3  # January to May, and the first quarter

    planner = ReminderPlanner(session_factory, clock, admin_ids=frozenset({ADMIN}))
    digest = next(d for d in await planner.plan(sh(2026, 9, 1, 9)) if d.audience is Audience.ADMIN).digest
    august = next(p for p in digest.periods if p.period == "2026-08")
    assert august.total == 1 and [x.branch_id for x in august.branches] == [b]  # not a month it owed


async def test_a_branch_closed_on_the_first_before_the_digest_is_in_the_month_before(session_factory):
    a = await add_branch(session_factory, "甲支部", 1001)
    b = await add_branch(session_factory, "乙支部", 1002)
    c = await add_branch(session_factory, "丙支部", 1003)
    await _close(session_factory, a, sh(2026, 12, 1, 8, 30))  # before the 09:00 digest of November
    await _close(session_factory, c, sh(2026, 11, 30, 18))  # closed in November: owes nothing for it
    planner = ReminderPlanner(session_factory, FixedClock(sh(2026, 12, 1, 9)), admin_ids=frozenset({ADMIN}))
    digest = next(d for d in await planner.plan(sh(2026, 12, 1, 9)) if d.audience is Audience.ADMIN).digest
    november = next(p for p in digest.periods if p.period == "2026-11")
    assert november.total == 2 and [x.branch_id for x in november.branches] == [a, b]
    assert [(x.closed, x.has_secretary) for x in november.branches] == [("2026-12-01", False), (None, True)]
    assert digest.unreachable == ()


async def test_a_view_keeps_a_branch_closed_within_it_with_what_it_recorded(session_factory, tmp_path):
    """Closed on 10 June after its 主题党日 (passed) and a 支委会 (waiting): June shows the two, marked closed, owing
    nothing; a branch closed the same day with nothing stays out, and so does one closed before June with a record
    of the second quarter; April's closure with an April record keeps its branch in the quarter."""
    a = await add_branch(session_factory, "甲支部", 1001)
    b = await add_branch(session_factory, "乙支部", 1002)
    c = await add_branch(session_factory, "丙支部", 1003)
    d = await add_branch(session_factory, "丁支部", 1004)
    passed = await record(session_factory, a, "theme_day", date(2026, 6, 8))
    await record(session_factory, a, "committee", date(2026, 6, 9))
    await record(session_factory, d, "observation", date(2026, 4, 8))  # the second quarter's 观摩交流
    async with session_factory() as session, session.begin():
        await session.execute(
            update(ActivityRecord).where(ActivityRecord.id == passed).values(review_state="passed")
        )
    for branch in (a, c):
        await _close(session_factory, branch, sh(2026, 6, 10, 15))
    await _close(session_factory, d, sh(2026, 4, 10, 15))
    status = StatusService(session_factory, FixedClock(sh(2026, 7, 5, 10)), frozenset({ADMIN}))

    june = await status.matrix_for(None, "2026-06")
    assert [r.branch_id for r in june.rows] == [a, b]
    row = june.rows[0]
    assert row.closed == ((date(2026, 6, 10), None),)
    assert _states(june, a, "theme_day") == ["recorded"] and _states(june, a, "committee") == ["waiting"]
    assert _states(june, a, "group_meeting") == ["closed"] and _states(june, a, "review") == ["closed"]
    assert row.totals.overdue == 0 and (row.totals.passed, row.totals.pending) == (1, 1)
    assert june.totals.overdue == june.rows[1].totals.overdue  # only the open branch is late

    quarter = await status.matrix_for(None, "2026-Q2")
    assert [r.branch_id for r in quarter.rows] == [a, b, c, d]  # a, c owed April and May; d has its record
    assert _states(quarter, d, "observation") == ["waiting"] and quarter.rows[3].totals.overdue == 0
    may = await status.matrix_for(None, "2026-05")
    assert [r.branch_id for r in may.rows] == [a, b, c]  # d closed in April: out of May, record or not

    exporter = LedgerExporter(session_factory, status.clock, LocalFileStore(tmp_path / "files"), status)
    await exporter.export_ledger("2026-06", None, tmp_path / "june.xlsx")
    summary = load_workbook(tmp_path / "june.xlsx")["汇总"]
    names = [r[0] for r in summary.iter_rows(min_row=4, max_row=5, values_only=True)]
    assert names == ["甲支部 · 已撤销（2026-06-10）", "乙支部"]
