"""The activity kind typed at the form's menu (支部委员会, 支委会, 主题党日（每月）) chooses it, as its button does."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.services.form.model import Input, InputError, Outcome, Step
from handlers.services.form.steps import apply_input
from knowledge.activities import CATALOGUE, activity_by_name

TODAY = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("支部委员会", "committee"),
        ("主题党日", "theme_day"),
        (" 主题党日。", "theme_day"),
        ("支委会", "committee"),
        ("党课（每季度）", "lecture"),
        ("集体学习", "joint_study"),
        ("党小组会议", "group_meeting"),
    ],
)
def test_a_typed_kind_name_chooses_it(text: str, code: str) -> None:
    result = apply_input(Step.KIND, {}, Input(text=text), TODAY)
    assert result.outcome is Outcome.ADVANCE and result.data["kind"] == code


@pytest.mark.parametrize("text", ["支部委员会怎么开？", "我要登记", "委员会", "主题党日多久开展一次"])
def test_other_text_at_the_menu_is_still_refused(text: str) -> None:
    with pytest.raises(InputError, match="请点击下面的按钮"):
        apply_input(Step.KIND, {}, Input(text=text), TODAY)


def test_every_name_names_one_kind() -> None:
    names = [name for k in CATALOGUE for name in (k.name, *k.short_names)]
    assert len(names) == len(set(names))
    assert all(activity_by_name(k.name) is k for k in CATALOGUE)


def test_every_kind_button_fits_half_a_phone_screen_and_typed_chooses_its_kind() -> None:
    """A two-column button of more than about 11 characters is cut on a phone (党组织与管理层集体学习（每月）
    lost its cadence: helper-109's copy review)."""
    from handlers.services.form.prompts import kind_buttons

    labels = [(label, action.arg) for row in kind_buttons() for label, action in row]
    assert len(labels) == len(CATALOGUE)
    for label, code in labels:
        assert len(label) <= 11, label
        assert apply_input(Step.KIND, {}, Input(text=label), TODAY).data["kind"] == code
