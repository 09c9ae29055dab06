"""One rule set for a new branch, added alone (``branchbot branch add``) or many at once (``branch import``).

Names as the chat checks them (:func:`handlers.services.branches.parse_branch_value`), counts from 0 to
``MAX_COUNT``, a unit count for a 联合建 branch and only for it, and a duplicate (same organisation and branch
name, compared as :func:`handlers.services.branch_admin.name_key` compares names) refused.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.branch_admin import name_key
from handlers.services.branches import MAX_COUNT, parse_branch_value
from knowledge.organisation import OrgForm
from storage.repositories import BranchImportRepository

UNITS_MISSING = "联合建的支部请给出覆盖的单位数（CSV 的 units 栏，或 branch add 的 --units）。"
UNITS_NOT_JOINT = "只有联合建的支部填写联合单位数（units），请留空。"
MEMBERS_RANGE = f"正式党员人数应为 0 到 {MAX_COUNT} 之间的整数（不能为负数）。"
UNITS_RANGE = f"联合单位数应为 0 到 {MAX_COUNT} 之间的整数（不能为负数）。"

BranchKey = tuple[str, str]


def name_errors(org_name: str, name: str) -> list[str]:
    """What is wrong with a new branch's organisation and branch names (Chinese sentences)."""
    errors = []
    for field, value in (("org_name", org_name), ("name", name)):
        try:
            parse_branch_value(field, value)
        except ValueError as exc:
            errors.append(str(exc))
    return errors


def profile_errors(form: OrgForm, formal_members: int, units: int | None) -> list[str]:
    """What is wrong with a new branch's counts for its form (Chinese sentences)."""
    errors = []
    if not 0 <= formal_members <= MAX_COUNT:
        errors.append(MEMBERS_RANGE)
    if units is not None and not 0 <= units <= MAX_COUNT:
        errors.append(UNITS_RANGE)
    elif units is None and form is OrgForm.JOINT:
        errors.append(UNITS_MISSING)
    elif units is not None and form is not OrgForm.JOINT:
        errors.append(UNITS_NOT_JOINT)
    return errors


def branch_errors(
    org_name: str, name: str, form: OrgForm, formal_members: int, units: int | None
) -> list[str]:
    """What is wrong with a new branch's values (Chinese sentences); empty if nothing."""
    return name_errors(org_name, name) + profile_errors(form, formal_members, units)


def branch_key(org_name: str, name: str) -> BranchKey:
    """A branch as compared for duplicates: its organisation and its name, each as :func:`name_key` has it."""
    return (name_key(org_name), name_key(name))


def duplicate_message(branch_id: int) -> str:
    return f"已有同名支部（编号 {branch_id}）。"


async def existing_branches(session: AsyncSession) -> dict[BranchKey, int]:
    """:func:`branch_key` -> id of every branch in the database (open or closed; the lowest id if several)."""
    names = await BranchImportRepository(session).names()
    keys: dict[BranchKey, int] = {}
    for (org_name, name), branch_id in sorted(names.items(), key=lambda item: item[1]):
        keys.setdefault(branch_key(org_name, name), branch_id)
    return keys


async def duplicate_of(
    session_factory: async_sessionmaker[AsyncSession], org_name: str, name: str
) -> int | None:
    """The id of a branch already in the database with this organisation and name, else None."""
    async with session_factory() as session:
        return (await existing_branches(session)).get(branch_key(org_name, name))
