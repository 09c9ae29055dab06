"""What a profile-change notice says and whom it reaches (``handlers.services.profile_notice``), without Telegram."""

from __future__ import annotations

from datetime import date, datetime

from handlers.services.clock import SHANGHAI
from handlers.services.profile_history import ProfileChange, ProfileHistory
from handlers.services.profile_notice import DutyChange, Profile, duty_change, field_changes, recipients
from storage.models import Branch

TODAY = date(2027, 1, 4)


def history(created: date, form: str, members: int, was: tuple[str, int]) -> ProfileHistory:
    at = datetime(created.year, created.month, created.day, 9, 0, tzinfo=SHANGHAI)
    branch = Branch(id=1, name="一支部", org_name="甲公司", form=form, formal_members=members, created_at=at)
    return ProfileHistory.of(branch, [ProfileChange(TODAY, *was)], SHANGHAI)


def test_a_correction_on_the_creation_day_counts_from_the_current_periods():
    corrected = history(TODAY, "single", 8, ("attached", 8))
    change = duty_change(Profile("attached", 8, None), Profile("single", 8, None), corrected, TODAY)
    assert change == DutyChange(("2027年1月", "2027年第一季度", "2027年度"), True, False, False)


def test_a_later_change_counts_from_the_next_periods_and_only_where_duties_change():
    later = history(date(2026, 6, 1), "single", 5, ("single", 8))
    change = duty_change(Profile("single", 8, None), Profile("single", 5, None), later, TODAY)
    assert change == DutyChange(("2027年2月",), False, True, True)
    same = history(date(2026, 6, 1), "single", 9, ("single", 8))
    assert duty_change(Profile("single", 8, None), Profile("single", 9, None), same, TODAY) is None


def test_what_is_reported():
    assert field_changes(Profile("single", 8, None), Profile("single", 8, None)) == ()
    assert [c.field for c in field_changes(Profile("joint", 2, 3), Profile("joint", 2, 4))] == []  # conforms
    assert [(c.old, c.new) for c in field_changes(Profile("joint", 2, 5), Profile("joint", 2, 6))] == [
        ("5", "6")
    ]
    assert [c.field for c in field_changes(Profile("joint", 2, 3), Profile("single", 2, None))] == ["form"]


def test_each_recipient_once_administrators_first_never_the_author():
    assert recipients({5, 1}, [7, 5, 3], by=3) == (1, 5, 7)
    assert recipients({3}, [], by=3) == ()
