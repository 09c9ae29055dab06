"""What the speeches say about a branch's profile (knowledge/organisation.py profile_warnings)."""

from __future__ import annotations

import pytest

from knowledge.organisation import OrgForm, profile_warnings


@pytest.mark.parametrize(
    ("members", "units", "warned"),
    [
        (3, 3, False),  # one member in each of three units: every unit is below the 3-member line
        (6, 3, False),  # two in each: still none has 3
        (7, 3, True),  # seven in three units: one unit has at least 3
        (4, None, False),  # units not given: nothing can be said of any unit
    ],
)
def test_a_joint_branch_counts_members_over_its_units(members, units, warned):
    said = any("单独建立党组织" in w for w in profile_warnings(OrgForm.JOINT, members, units))
    assert said is warned


def test_an_attached_branch_with_three_members_should_form_its_own():
    assert any("单独建立党组织" in w for w in profile_warnings(OrgForm.ATTACHED, 3, None))
