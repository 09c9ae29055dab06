"""Who may see and review what: administrators, district supervisors (a scope of branches), secretaries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.clock import Clock
from handlers.services.text import clean_text
from storage.models import ActivityRecord, Branch
from storage.repositories import BranchRepository
from storage.repositories.supervisors import SupervisorRepository
from storage.repositories.web_auth import WebSessionRepository

NAME_LIMIT = 200


def clean_name(name: str | None) -> str | None:
    """A display name fit to keep (cleaned, at most 200 characters), or ``None``."""
    return clean_text(name or "", NAME_LIMIT).strip() or None


@dataclass(frozen=True, slots=True)
class Viewer:
    """What one user may see: ``role`` is admin | supervisor | secretary | none.

    ``supervised``: the branches a district supervisor oversees (and may review); ``own_branch``: the branch the
    user is secretary of (seen, never reviewed). An administrator sees and reviews every branch.
    """

    user_id: int
    is_admin: bool = False
    supervised: frozenset[int] = frozenset()
    own_branch: int | None = None

    @property
    def role(self) -> str:
        if self.is_admin:
            return "admin"
        if self.supervised:
            return "supervisor"
        return "secretary" if self.own_branch is not None else "none"

    @property
    def branch_ids(self) -> frozenset[int] | None:
        """The branches this user may see; ``None`` means all (an administrator)."""
        if self.is_admin:
            return None
        return self.supervised | ({self.own_branch} if self.own_branch is not None else frozenset())

    @property
    def may_use_dashboard(self) -> bool:
        return self.is_admin or bool(self.supervised)

    def can_view_branch(self, branch_id: int) -> bool:
        scope = self.branch_ids
        return scope is None or branch_id in scope

    def can_review(self, record: ActivityRecord) -> bool:
        """An administrator, or a supervisor of the record's branch; never the one who submitted it."""
        if record.submitted_by == self.user_id:
            return False
        return self.is_admin or record.branch_id in self.supervised


@dataclass(frozen=True, slots=True)
class Supervisor:
    user_id: int
    branches: list[Branch]


@dataclass(frozen=True, slots=True)
class ScopeChange:
    # ok | forbidden (the caller is no administrator) | unknown_branch (see ``unknown``) | not_supervisor (a
    # revoke for a user who supervised none of those branches: nothing changed) | own_branch (a grant of only
    # the branch the user is secretary of: nothing changed)
    status: str
    branch_ids: frozenset[int] = frozenset()  # the user's scope after the change
    unknown: frozenset[int] = frozenset()
    # the branch the user is secretary of, left out of a grant: nobody supervises (reviews) their own branch
    own_branch: tuple[int, str] | None = None  # (id, name)
    changed: frozenset[int] = frozenset()  # the branches granted or revoked (of those asked for)


async def load_viewer(session: AsyncSession, user_id: int, admin_ids: frozenset[int]) -> Viewer:
    """The user's rights as stored now (used by every scoped service inside its own session)."""
    supervised = await SupervisorRepository(session).branches_of(user_id)
    branch = await BranchRepository(session).by_secretary(user_id)
    return Viewer(user_id, user_id in admin_ids, supervised, branch.id if branch else None)


class ScopedService:
    """A service that decides by who is asking: it knows the administrators and reads scopes per call."""

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], clock: Clock, admin_ids: frozenset[int]
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.admin_ids = admin_ids


class SupervisionService(ScopedService):
    """Administrators make users district supervisors of chosen branches."""

    async def viewer(self, user_id: int) -> Viewer:
        async with self.session_factory() as session:
            return await load_viewer(session, user_id, self.admin_ids)

    async def grant(self, admin_id: int, user_id: int, branch_ids: Iterable[int]) -> ScopeChange:
        """Add branches to the user's scope (making them a supervisor); every branch must exist. The branch the
        user is secretary of is left out (``own_branch``): they could never review its records, and a supervisor
        checks a branch from outside (helper-96's review: it was granted without a word)."""
        if admin_id not in self.admin_ids:
            return ScopeChange("forbidden")
        wanted = frozenset(branch_ids)
        async with self.session_factory() as session, session.begin():
            repo = SupervisorRepository(session)
            unknown = wanted - await repo.existing_branches(wanted)
            if unknown or not wanted:
                return ScopeChange("unknown_branch", await repo.branches_of(user_id), unknown)
            branch = await BranchRepository(session).by_secretary(user_id)
            own = (branch.id, branch.name) if branch is not None and branch.id in wanted else None
            wanted -= {own[0]} if own is not None else set()
            if not wanted:
                return ScopeChange("own_branch", await repo.branches_of(user_id), own_branch=own)
            await repo.grant(user_id, wanted, by=admin_id, at=self.clock.now())
            return ScopeChange("ok", await repo.branches_of(user_id), own_branch=own, changed=wanted)

    async def revoke(
        self, admin_id: int, user_id: int, branch_ids: Iterable[int] | None = None
    ) -> ScopeChange:
        """Remove branches (``None``: all) from the user's scope; losing the last one ends their web sessions."""
        if admin_id not in self.admin_ids:
            return ScopeChange("forbidden")
        async with self.session_factory() as session, session.begin():
            repo = SupervisorRepository(session)
            before = await repo.branches_of(user_id)
            wanted = None if branch_ids is None else frozenset(branch_ids)
            # helper-104's re-review: a branch that does not exist read as out of scope
            if wanted is not None and (unknown := wanted - await repo.existing_branches(wanted)):
                return ScopeChange("unknown_branch", before, unknown)
            removed = await repo.revoke(user_id, wanted)
            left = await repo.branches_of(user_id)
            if not removed:
                return ScopeChange("not_supervisor", left)
            if not left and user_id not in self.admin_ids:
                await WebSessionRepository(session).end_all(user_id, self.clock.now())
            return ScopeChange("ok", left, changed=frozenset(before - left))

    async def supervisors(self, admin_id: int) -> list[Supervisor] | None:
        """Every supervisor and their branches (``None``: the caller is no administrator)."""
        if admin_id not in self.admin_ids:
            return None
        async with self.session_factory() as session:
            scopes = await SupervisorRepository(session).all_scopes()
        return [Supervisor(user_id, branches) for user_id, branches in scopes.items()]

    async def remember_name(self, user_id: int, name: str | None) -> None:
        """Keep the name of a user with a role (administrator, supervisor, secretary), so what they did stays named
        after their post changes; anyone else's is not stored."""
        name = clean_name(name)
        if not name:
            return
        async with self.session_factory() as session, session.begin():
            if (await load_viewer(session, user_id, self.admin_ids)).role == "none":
                return
            await BranchRepository(session).remember_name(user_id, name, self.clock.now())

    async def known_names(self, user_ids: Iterable[int]) -> dict[int, str]:
        """The names the bot knows for these users (the last one kept, also after a post changed hands); the others
        are left out."""
        async with self.session_factory() as session:
            return await BranchRepository(session).secretary_names(user_ids)

    async def reviewers_of(self, branch_id: int) -> list[int]:
        """Who reviews the branch's records: the administrators, then its supervisors (no duplicates)."""
        async with self.session_factory() as session:
            supervisors = await SupervisorRepository(session).supervisors_of(branch_id)
        return sorted(self.admin_ids) + [u for u in supervisors if u not in self.admin_ids]
