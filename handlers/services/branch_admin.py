"""What an administrator does to a branch besides creating it and inviting its secretary: unbind the secretary (they
left), rename it (a correction), close it (撤销: the organisation no longer exists) and reopen it; and the other
branches of the same name, which a new or renamed branch is warned about (not refused: two companies may well
each have a 第一党支部).

Closing keeps every record: the branch owes nothing for the period it was closed in and after (``closures``: the
status matrix and the digest), is never reminded (``ReminderRepository.branches`` reads open branches only), has no
secretary, and its open invitations are revoked (a closed branch takes no new one: ``BranchService.invite``,
``BranchService.redeem``). Reopening keeps the closure it ends (``branch_closures``), so the periods that ended
while the branch was closed stay not owed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.branches import parse_branch_value
from handlers.services.clock import Clock
from storage.models import Branch
from storage.repositories import BranchRepository, DraftRepository, InvitationRepository

Secretary = tuple[int, str | None]  # (user id, name)


@dataclass(frozen=True, slots=True)
class Unbound:
    """``status``: ok | unknown (no such branch) | closed | no_secretary | changed (the secretary is no longer the
    one the administrator confirmed: nothing done). ``secretary``: who lost the post (ok) or holds it; ``draft``:
    they had an unfinished draft for the branch, which can no longer be submitted."""

    status: str
    branch: Branch | None = None
    secretary: Secretary | None = None
    draft: bool = False


@dataclass(frozen=True, slots=True)
class Closed:
    """``status``: ok | unknown | already (closed before: ``branch.closed_at``). ``secretary``: who lost the post
    (ok); ``draft`` as for :class:`Unbound`; ``revoked``: how many unused invitations were made void."""

    status: str
    branch: Branch | None = None
    secretary: Secretary | None = None
    draft: bool = False
    revoked: int = 0


@dataclass(frozen=True, slots=True)
class Renamed:
    """``status``: ok | unknown | same (the name it already has). ``old``: the name it had; ``same_name``: the other
    branches now of that name."""

    status: str
    branch: Branch | None = None
    old: str = ""
    same_name: tuple[Branch, ...] = ()


def name_key(name: str) -> str:
    """A branch name as compared for duplicates: full-width letters and digits as ASCII, no spaces, any case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or "")).casefold()


def _secretary(branch: Branch) -> Secretary | None:
    if branch.secretary_user_id is None:
        return None
    return (branch.secretary_user_id, branch.secretary_name)


class BranchAdminService:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self.session_factory = session_factory
        self.clock = clock

    async def get(self, branch_id: int) -> Branch | None:
        async with self.session_factory() as session:
            return await BranchRepository(session).get(branch_id)

    async def same_name(self, name: str, *, besides: int | None = None) -> list[Branch]:
        """The branches (open or closed) whose name is ``name`` as :func:`name_key` compares, but ``besides``."""
        key = name_key(name)
        async with self.session_factory() as session:
            rows = await BranchRepository(session).list_all()
        return [b for b in rows if b.id != besides and name_key(b.name) == key]

    async def unbind(self, branch_id: int, secretary_id: int) -> Unbound:
        """The branch's secretary ``secretary_id`` (as the administrator confirmed it) loses the post; the branch
        keeps its profile and records and has no secretary until a new invitation is used."""
        async with self.session_factory() as session, session.begin():
            branches = BranchRepository(session)
            branch = await branches.get(branch_id)
            if branch is None:
                return Unbound("unknown")
            if branch.closed_at is not None:
                return Unbound("closed", branch)
            before = _secretary(branch)
            if before is None:
                return Unbound("no_secretary", branch)
            if before[0] != secretary_id:
                return Unbound("changed", branch, before)
            draft = await _has_draft(session, before[0], branch.id)
            branch = await branches.unbind(branch.id, self.clock.now())
        return Unbound("ok", branch, before, draft)

    async def close(self, branch_id: int) -> Closed:
        """Close the branch now: its secretary is unbound and its open invitations revoked; records are kept."""
        now = self.clock.now()
        async with self.session_factory() as session, session.begin():
            branches = BranchRepository(session)
            branch = await branches.get(branch_id)
            if branch is None:
                return Closed("unknown")
            if branch.closed_at is not None:
                return Closed("already", branch)
            before = _secretary(branch)
            draft = before is not None and await _has_draft(session, before[0], branch.id)
            if before is not None:
                await branches.unbind(branch.id, now)
            revoked = await InvitationRepository(session).revoke_open(branch.id, now)
            branch = await branches.set_closed(branch.id, now, now)
        return Closed("ok", branch, before, draft, revoked)

    async def reopen(self, branch_id: int) -> Closed:
        """Reopen a closed branch (without a secretary: it needs a new invitation). ``status``: ok | unknown |
        already (it is open)."""
        async with self.session_factory() as session, session.begin():
            branches = BranchRepository(session)
            branch = await branches.get(branch_id)
            if branch is None:
                return Closed("unknown")
            if branch.closed_at is None:
                return Closed("already", branch)
            branch = await branches.set_closed(branch.id, None, self.clock.now())
        return Closed("ok", branch)

    async def rename(self, branch_id: int, text: str, field: str = "name") -> Renamed:
        """A new name (``field`` name) or unit name (org_name) for the branch; ``ValueError`` with a Chinese message
        when the text is no name. Only a branch name is compared with the other branches'."""
        if field not in ("name", "org_name"):
            raise ValueError(f"cannot rename {field!r}")
        name = str(parse_branch_value(field, text))
        async with self.session_factory() as session, session.begin():
            branches = BranchRepository(session)
            branch = await branches.get(branch_id)
            if branch is None:
                return Renamed("unknown")
            old = getattr(branch, field)
            if old == name:
                return Renamed("same", branch, old)
            branch = await branches.update(branch.id, at=self.clock.now(), **{field: name})
            others = await branches.list_all() if field == "name" else []
        key = name_key(name)
        same = tuple(b for b in others if b.id != branch.id and name_key(b.name) == key)
        return Renamed("ok", branch, old, same)


async def _has_draft(session: AsyncSession, user_id: int, branch_id: int) -> bool:
    draft = await DraftRepository(session).get(user_id)
    return draft is not None and draft.branch_id == branch_id
