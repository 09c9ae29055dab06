"""Which periods a closed (撤销) branch owes (pure): those it was open at the end of, reading each closure a
reopening ended and the current one; a closure undone the same day never happened."""

from __future__ import annotations

from datetime import date

from handlers.services.closures import Closures, closure_label
from storage.models import Branch, BranchClosure
from tests.services.reminder_world import SH, sh


def test_a_branch_owes_the_periods_it_was_open_at_the_end_of():
    branch = Branch(id=1, closed_at=sh(2026, 10, 1, 8))
    past = [BranchClosure(branch_id=1, closed_at=sh(2026, 6, 10, 15), reopened_at=sh(2026, 9, 20, 10))]
    same_day = BranchClosure(branch_id=1, closed_at=sh(2026, 3, 2, 9), reopened_at=sh(2026, 3, 2, 11))
    closures = Closures.of(branch, [*past, same_day], SH)
    assert closures.spans == ((date(2026, 6, 10), date(2026, 9, 20)), (date(2026, 10, 1), None))
    owed = {day: closures.owes(day) for day in (date(2026, 3, 31), date(2026, 5, 31), date(2026, 6, 30))}
    assert owed == {date(2026, 3, 31): True, date(2026, 5, 31): True, date(2026, 6, 30): False}
    assert not closures.owes(date(2026, 8, 31)) and closures.owes(
        date(2026, 9, 30)
    )  # reopened on 20 September
    assert not closures.owes(date(2026, 10, 1)) and not closures.owes(date(2026, 12, 31))  # closed again
    assert closures.within(date(2026, 7, 1), date(2026, 9, 30)) == ((date(2026, 6, 10), date(2026, 9, 20)),)
    assert closure_label(closures.within(date(2026, 1, 1), date(2026, 12, 31))) == (
        "已撤销（2026-06-10，2026-09-20恢复）；已撤销（2026-10-01）"
    )
