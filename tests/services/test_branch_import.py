"""Importing branches from a CSV: all rows checked first, nothing added if one is wrong, line numbers."""

from __future__ import annotations

from handlers.services.branches import BranchService
from handlers.services.clock import FixedClock
from handlers.services.reminders import BranchImporter, parse_branch_csv
from storage.repositories import BranchRepository
from tests.services.reminder_world import sh

GOOD = """org,name,form,members,units
某科技有限公司,第一支部,单独组建,5,
某商会,联合党支部,联合建,2,6
某律师事务所,挂靠党支部,attached,1
"""


def importer(session_factory) -> BranchImporter:
    return BranchImporter(session_factory, FixedClock(sh(2026, 6, 1, 10)))


async def count(session_factory) -> int:
    async with session_factory() as session:
        return len(await BranchRepository(session).list_all())


async def test_import_adds_every_branch_with_an_invitation(session_factory):
    result = await importer(session_factory).import_csv("\ufeff" + GOOD, created_by=7)
    assert result.ok and result.errors == ()
    assert [(b.line, b.name) for b in result.branches] == [
        (2, "第一支部"),
        (3, "联合党支部"),
        (4, "挂靠党支部"),
    ]
    assert len({b.code for b in result.branches}) == 3 and all(len(b.code) == 22 for b in result.branches)
    # The joint organisation of 6 units is a warning (the speeches say at most 5), not an error.
    assert [(w.line, "5个" in w.message) for w in result.warnings] == [(3, True)]
    async with session_factory() as session:
        branches = await BranchRepository(session).list_all()
    assert [(b.form, b.formal_members, b.units) for b in branches] == [
        ("single", 5, None),
        ("joint", 2, 6),
        ("attached", 1, None),
    ]
    # Each code is a working invitation: the user who redeems it becomes the secretary.
    branches_service = BranchService(session_factory, FixedClock(sh(2026, 6, 2, 10)))
    redeemed = await branches_service.redeem(result.branches[1].code, user_id=555, name="王书记")
    assert (redeemed.status, redeemed.branch.id) == ("ok", result.branches[1].id)
    # Importing the same file again adds nothing: every row is already there.
    again = await importer(session_factory).import_csv(GOOD)
    assert not again.ok and [e.line for e in again.errors] == [2, 3, 4]
    assert "已有同名支部" in again.errors[0].message and await count(session_factory) == 3


async def test_one_wrong_row_adds_nothing_and_every_error_has_its_line(session_factory):
    text = """org,name,form,members,units
某科技有限公司,第一支部,单独组建,5,
某公司,第二支部,合并建,3,
某公司,第三支部,单独组建,-1,
某公司,第四支部,单独组建,3,2
某公司,X,联合建,2,3
某科技有限公司,第一支部,单独组建,4,
某公司,第七支部,联合建,2,3,多余
"""
    result = await importer(session_factory).import_csv(text)
    assert not result.ok and result.branches == ()
    messages = {e.line: e.message for e in result.errors}
    assert sorted(messages) == [3, 4, 5, 6, 7, 8]
    assert "组织形式" in messages[3] and "单独组建、联合建、挂靠建" in messages[3]
    assert "正式党员人数" in messages[4]
    assert "只有联合建" in messages[5]
    assert "支部名称" in messages[6]
    assert "与第2行重复" in messages[7]
    assert "栏数" in messages[8]
    assert str(result.errors[0]).startswith("第3行：")
    assert await count(session_factory) == 0


async def test_header_and_empty_files(session_factory):
    for text, expected in [
        ("", "文件是空的"),
        ("org,name,members\n某公司,第一支部,3\n", "表头"),
        ("org,name,form,members,units,extra\n", "表头"),
        ("org,name,form,members\n", "没有支部"),
    ]:
        result = await importer(session_factory).import_csv(text)
        assert not result.ok and expected in result.errors[0].message and result.errors[0].line == 1
    assert await count(session_factory) == 0


async def test_rows_as_mappings_and_quoted_multiline_fields(session_factory):
    rows, problems = parse_branch_csv(
        'org,name,form,members\n"某公司\n（分公司）",第一支部,single,3\n某公司,第二支部,joint,2\n'
    )
    assert problems == [] and [r.line for r in rows] == [2, 4]
    result = await importer(session_factory).import_branches(
        [
            {"org": "某公司", "name": "第一支部", "form": "单独组建", "members": "3"},
            {"org": "某公司", "name": "第二支部", "form": "x", "members": "3"},
        ]
    )
    assert [(e.line, "组织形式" in e.message) for e in result.errors] == [(3, True)]


async def test_the_rules_branch_add_applies_duplicates_as_names_compare_and_units_for_joint(session_factory):
    """Operator review item 8: one rule set (handlers.services.branch_rules) for `branch add` and the import."""
    first = await importer(session_factory).import_csv(
        "org,name,form,members\n甲公司,甲公司党支部,单独组建,5\n"
    )
    assert first.ok
    text = "org,name,form,members,units\n甲公司,甲公司 党支部,单独组建,5,\nC公司,C公司党支部,联合建,4,\n"
    result = await importer(session_factory).import_csv(text)
    messages = {e.line: e.message for e in result.errors}
    assert "已有同名支部（编号 1）" in messages[2]
    assert "units" in messages[3] and "联合建" in messages[3]
    assert await count(session_factory) == 1
