"""Branches, invitations and the profile checks the speeches imply."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.clock import Clock
from storage.models import Branch
from storage.repositories import BranchRepository, InvitationRepository

INVITATION_TTL = timedelta(days=7)
FORMS = {"single": "单独组建", "joint": "联合建", "attached": "挂靠建"}
FORM_CODES = {label: code for code, label in FORMS.items()}
MAX_JOINT_UNITS = 5
MIN_OWN_BRANCH = 3


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def new_code() -> str:
    """22 URL-safe characters (128 bits): fits a /start deep-link payload, cannot be guessed."""
    return secrets.token_urlsafe(16)


def deep_link(bot_username: str | None, code: str) -> str | None:
    return f"https://t.me/{bot_username}?start={code}" if bot_username else None


def profile_warnings(form: str, formal_members: int, units: int | None) -> list[str]:
    """What the speeches say about this profile (empty when it conforms)."""
    warnings = []
    if formal_members >= MIN_OWN_BRANCH and form != "single":
        warnings.append(f"已有{formal_members}名正式党员（3名以上），按讲话要求应单独建立党组织。")
    if 0 < formal_members < MIN_OWN_BRANCH and form == "single":
        warnings.append(f"正式党员只有{formal_members}名，不足3名，按讲话要求应采取联合建或挂靠建。")
    if formal_members == 0:
        warnings.append("没有正式党员，按讲话要求应由党建工作指导员开展党的工作。")
    if form == "joint" and units is not None and units > MAX_JOINT_UNITS:
        warnings.append(f"联合党组织覆盖单位数不超过{MAX_JOINT_UNITS}个，现在是{units}个。")
    return warnings


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
        if form not in FORMS:
            raise ValueError(f"unknown form {form!r}")
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
