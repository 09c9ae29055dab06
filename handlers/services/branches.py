"""Branches, invitations and the profile checks the speeches imply."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.clock import Clock
from handlers.services.text import clean_text
from knowledge.organisation import OrgForm, org_form_label
from storage.models import Branch
from storage.repositories import BranchRepository, InvitationRepository

INVITATION_TTL = timedelta(days=7)
FIELD_LABELS = {
    "org_name": "单位名称",
    "name": "支部名称",
    "formal_members": "正式党员人数",
    "units": "联合单位数",
}
NUMBER_FIELDS = frozenset({"formal_members", "units"})
MAX_COUNT = 100000
NAME_LENGTH = (2, 100)


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def new_code() -> str:
    """22 URL-safe characters (128 bits): fits a /start deep-link payload, cannot be guessed."""
    return secrets.token_urlsafe(16)


def parse_branch_value(field: str, text: str) -> str | int:
    """A profile field's value from what the user typed; ``ValueError`` with a Chinese message if unfit."""
    text = text.strip()
    if field in NUMBER_FIELDS:
        if not re.fullmatch(r"[0-9]{1,6}", text) or int(text) > MAX_COUNT:
            raise ValueError(f"{FIELD_LABELS[field]}请发送一个数字，如 5。")
        return int(text)
    low, high = NAME_LENGTH
    if not low <= len(text) <= high:
        raise ValueError(f"{FIELD_LABELS[field]}应为{low}到{high}个字。")
    return text


def branch_line(branch: Branch) -> str:
    """One line of a branch list, the same in chat and in the terminal."""
    secretary = (
        f"书记 {branch.secretary_name or branch.secretary_user_id}"
        if branch.secretary_user_id
        else "尚无书记"
    )
    if branch.secretary_user_id and branch.secretary_unreachable_at is not None:
        secretary += "（⚠️ 无法联系：提醒已暂停，待其重新发送 /start）"
    return (
        f"{branch.id}. {branch.org_name} · {branch.name}"
        f"（{org_form_label(branch.form)}，{branch.formal_members}名党员）：{secretary}"
    )


@dataclass(frozen=True, slots=True)
class NewInvitation:
    branch: Branch
    code: str


@dataclass(frozen=True, slots=True)
class Redeemed:
    status: str  # ok | unknown | used | expired | revoked | malformed
    branch: Branch | None = None


class BranchService:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self.session_factory = session_factory
        self.clock = clock

    async def create(
        self,
        *,
        org_name: str,
        name: str,
        form: str,
        formal_members: int,
        units: int | None,
        created_by: int | None,
    ) -> NewInvitation:
        if OrgForm.parse(form) is None:
            raise ValueError(f"unknown form {form!r}")
        form = OrgForm.parse(form).value
        now = self.clock.now()
        async with self.session_factory() as session, session.begin():
            branch = await BranchRepository(session).add(
                org_name=org_name.strip(),
                name=name.strip(),
                form=form,
                formal_members=formal_members,
                units=units,
                at=now,
            )
            code = await self._invite(session, branch.id, created_by)
        return NewInvitation(branch, code)

    async def invite(self, branch_id: int, *, created_by: int | None) -> NewInvitation | None:
        async with self.session_factory() as session, session.begin():
            branch = await BranchRepository(session).get(branch_id)
            if branch is None:
                return None
            code = await self._invite(session, branch_id, created_by)
        return NewInvitation(branch, code)

    async def _invite(self, session: AsyncSession, branch_id: int, created_by: int | None) -> str:
        now = self.clock.now()
        code = new_code()
        await InvitationRepository(session).create(
            branch_id=branch_id,
            code_hash=hash_code(code),
            created_by=created_by,
            at=now,
            expires_at=now + INVITATION_TTL,
        )
        return code

    async def redeem(self, code: str, *, user_id: int, name: str | None) -> Redeemed:
        if not code or len(code) > 64 or not all(c.isalnum() or c in "-_" for c in code):
            return Redeemed("malformed")
        name = clean_text(name, NAME_LENGTH[1]) or None
        async with self.session_factory() as session, session.begin():
            status = await InvitationRepository(session).redeem(
                hash_code(code), user_id=user_id, name=name, at=self.clock.now()
            )
            branch = await BranchRepository(session).by_secretary(user_id) if str(status) == "ok" else None
        return Redeemed(str(status), branch)

    async def of_user(self, user_id: int) -> Branch | None:
        async with self.session_factory() as session:
            return await BranchRepository(session).by_secretary(user_id)

    async def list_all(self) -> list[Branch]:
        async with self.session_factory() as session:
            return await BranchRepository(session).list_all()

    async def update(self, branch_id: int, **fields: object) -> Branch:
        async with self.session_factory() as session, session.begin():
            return await BranchRepository(session).update(branch_id, at=self.clock.now(), **fields)
