"""A cell of several periods (helper-87's review): a branch on track reads 已完成 with the periods not yet started
named, not 未开始; a mute stops the reminders only, so the slot stays not done, overdue once closed, with the
secretary's reason in the ledger and the cell's title."""

from __future__ import annotations

from datetime import date

from handlers.services.export_sheets import cell_text
from handlers.services.periods import parse_period
from handlers.services.status import MuteSpan, build_matrix
from handlers.web.pages import cell_title
from storage.models import Branch
from storage.repositories.status import CountRow

BRANCH = Branch(id=1, name="一支部", org_name="甲公司", form="single", formal_members=8)


def test_a_year_on_track_reads_done_with_the_month_to_come():
    counts = [CountRow(1, "theme_day", f"2026-{m:02d}", "passed", 1) for m in range(1, 12)]
    matrix = build_matrix(parse_period("2026"), date(2026, 11, 20), [BRANCH], counts, [])
    cell = matrix.rows[0].cells["theme_day"]
    assert cell.state == "recorded" and cell.counts["upcoming"] == 1
    assert cell.note == "1期未开始" and cell_text(cell) == "已完成 11/12（1期未开始）"
    quarter = build_matrix(parse_period("2026-Q4"), date(2026, 11, 20), [BRANCH], counts, [])
    assert cell_text(quarter.rows[0].cells["theme_day"]) == "已完成 2/3（1期未开始）"
    # Nothing started yet: 未开始.
    january = build_matrix(parse_period("2027-Q1"), date(2026, 12, 20), [BRANCH], [], [])
    assert january.rows[0].cells["theme_day"].state == "upcoming"


def test_a_muted_slot_is_not_done_and_named_with_its_reason():
    mutes = [MuteSpan(1, "lecture", "2026-Q3", "本季度无授课人")]
    matrix = build_matrix(parse_period("2026-Q3"), date(2026, 11, 20), [BRANCH], [], mutes)
    cell = matrix.rows[0].cells["lecture"]
    assert cell.state == "muted" and cell.overdue
    assert cell_text(cell) == "未完成·免提醒（免提醒原因：本季度无授课人）（逾期）"
    assert cell_title(cell) == "未完成·免提醒（免提醒原因：本季度无授课人）"
    assert matrix.rows[0].totals.overdue == 4 * 3 + 3  # the lecture counts among them


def test_a_profile_change_counts_from_the_next_period():
    """helper-89's review: going to 挂靠建 on a year's last evening turned the whole year 无需开展."""
    from handlers.services.profile_history import ProfileChange

    branch = Branch(id=1, name="一支部", org_name="甲公司", form="attached", formal_members=8)
    changes = {1: [ProfileChange(date(2026, 12, 31), "single", 8)]}
    year = build_matrix(parse_period("2026"), date(2027, 1, 2), [branch], [], [], changes=changes)
    assert year.rows[0].cells["review"].state == "missing" and year.rows[0].cells["review"].overdue
    january = build_matrix(parse_period("2027-01"), date(2027, 1, 2), [branch], [], [], changes=changes)
    assert {c.state for c in january.rows[0].cells.values()} == {"exempt"}


def test_a_returned_record_of_a_kind_not_owed_asks_for_nothing():
    small = Branch(id=1, name="小支部", org_name="甲公司", form="single", formal_members=5)
    counts = [CountRow(1, "committee", "2026-10", "returned", 1)]
    matrix = build_matrix(parse_period("2026-10"), date(2026, 11, 20), [small], counts, [])
    cell = matrix.rows[0].cells["committee"]
    assert cell.state == "exempt" and not cell.overdue
