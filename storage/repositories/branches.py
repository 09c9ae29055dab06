"""Party branches and the one-time invitations that make a user a branch's secretary."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.files import is_sha256
from storage.models import BRANCH_FORMS, Branch, BranchClosure, BranchProfileChange, Invitation, Person
from storage.repositories._checks import (
    NotFoundError,
    _check_count,
    _check_text,
    _require_aware,
    _upsert_insert,
)


def _check_branch_field(field: str, value: object) -> None:
    if field in ("org_name", "name"):
        _check_text(field, value, 200)
    elif field == "form":
        if value not in BRANCH_FORMS:
            raise ValueError(f"form must be one of {BRANCH_FORMS}, got {value!r}")
    elif field == "formal_members":
        _check_count(field, value)
    elif field == "units":
        _check_count(field, value, optional=True)
    else:
        raise ValueError(f"unknown branch field {field!r}")


class BranchRepository:
    """Party branches and their secretaries (one Telegram user is secretary of at most one branch)."""

    UPDATABLE = frozenset({"org_name", "name", "form", "formal_members", "units"})

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        org_name: str,
        name: str,
        form: str,
        formal_members: int,
        at: datetime,
        units: int | None = None,
    ) -> Branch:
        """A new branch without a secretary. Invalid values raise :class:`ValueError`."""
        _require_aware("at", at)
        fields = {
            "org_name": org_name,
            "name": name,
            "form": form,
            "formal_members": formal_members,
            "units": units,
        }
        for field, value in fields.items():
            _check_branch_field(field, value)
        row = Branch(**fields, created_at=at, updated_at=at)
        self.session.add(row)
        await self.session.flush()
        return row

    async def get(self, branch_id: int) -> Branch | None:
        return await self.session.get(Branch, branch_id)

    async def list_all(self) -> list[Branch]:
        return list(await self.session.scalars(select(Branch).order_by(Branch.id)))

    async def by_secretary(self, user_id: int) -> Branch | None:
        stmt = select(Branch).where(Branch.secretary_user_id == user_id)
        return (await self.session.scalars(stmt)).one_or_none()

    async def secretary_names(self, user_ids: Iterable[int]) -> dict[int, str]:
        """The name known for each of ``user_ids``: the last one kept in ``people`` (also for a former secretary, a
        supervisor, an administrator), else a current secretary's ``branches.secretary_name``; users the bot never
        knew a name for are left out."""
        ids = sorted(set(user_ids))
        if not ids:
            return {}
        stmt = select(Branch.secretary_user_id, Branch.secretary_name).where(
            Branch.secretary_user_id.in_(ids), Branch.secretary_name.is_not(None)
        )
        names = {user_id: name for user_id, name in await self.session.execute(stmt) if name}
        kept = select(Person.user_id, Person.name).where(Person.user_id.in_(ids))
        names.update((user_id, name) for user_id, name in await self.session.execute(kept) if name)
        return names

    async def remember_name(
        self, user_id: int, name: str | None, at: datetime, *, keep_known: bool = False
    ) -> None:
        """Keep ``name`` as the name ``user_id`` is known by (one upsert; nothing for an empty name). With
        ``keep_known`` a name already kept wins (a leaving secretary's name stored at appointment is older)."""
        _require_aware("at", at)
        if name is None or not name.strip():
            return
        _check_text("name", name, 200)
        insert = _upsert_insert(self.session)
        stmt = insert(Person).values(user_id=user_id, name=name, updated_at=at)
        if keep_known:
            stmt = stmt.on_conflict_do_nothing(index_elements=[Person.user_id])
        else:
            stmt = stmt.on_conflict_do_update(
                index_elements=[Person.user_id],
                set_={"name": stmt.excluded.name, "updated_at": stmt.excluded.updated_at},
                where=Person.name != stmt.excluded.name,
            )
        await self.session.execute(stmt)

    async def _require(self, branch_id: int) -> Branch:
        branch = await self.get(branch_id)
        if branch is None:
            raise NotFoundError(f"no branch {branch_id}")
        return branch

    async def set_secretary(
        self, branch_id: int, user_id: int | None, name: str | None, at: datetime
    ) -> Branch:
        """Make ``user_id`` the secretary of ``branch_id`` (``None`` clears the post).

        The user is first removed from any other branch they were secretary of, and that change
        is flushed before this branch takes them, so the unique constraint on
        ``secretary_user_id`` holds at every statement. The branch's previous secretary, if any,
        simply loses the post. A missing branch raises :class:`NotFoundError`.
        """
        _require_aware("at", at)
        _check_text("name", name, 200, optional=True)
        branch = await self._require(branch_id)
        if branch.secretary_user_id not in (None, user_id):  # who leaves the post stays named
            await self.remember_name(branch.secretary_user_id, branch.secretary_name, at, keep_known=True)
        if user_id is not None:
            others = await self.session.scalars(
                select(Branch).where(Branch.secretary_user_id == user_id, Branch.id != branch_id)
            )
            for other in others:
                other.secretary_user_id = None
                other.secretary_name = None
                other.updated_at = at
            await self.session.flush()
        branch.secretary_user_id = user_id
        branch.secretary_name = name if user_id is not None else None
        branch.updated_at = at
        await self.session.flush()
        if user_id is not None:
            await self.remember_name(user_id, name, at)
        return branch

    async def unbind(self, branch_id: int, at: datetime) -> Branch:
        """The branch loses its secretary (an administrator's decision: they left), who stays named in ``people``;
        the unreachable flag, which was theirs, goes with them. A missing branch raises :class:`NotFoundError`."""
        branch = await self.set_secretary(branch_id, None, None, at)
        branch.secretary_unreachable_at = None
        await self.session.flush()
        return branch

    async def set_closed(self, branch_id: int, at: datetime | None, now: datetime) -> Branch:
        """Close the branch at ``at`` (撤销: its records stay), or reopen it (``at`` None): the closure it ends is
        kept (``branch_closures``, revision 0009), so the periods that ended within it stay not owed. A missing
        branch raises :class:`NotFoundError`; the secretary and the invitations are the caller's (``unbind``,
        ``InvitationRepository.revoke_open``)."""
        _require_aware("now", now)
        if at is not None:
            _require_aware("at", at)
        branch = await self._require(branch_id)
        if at is None and branch.closed_at is not None:
            self.session.add(BranchClosure(branch_id=branch.id, closed_at=branch.closed_at, reopened_at=now))
        branch.closed_at = at
        branch.updated_at = now
        await self.session.flush()
        return branch

    async def update(self, branch_id: int, at: datetime, **fields: object) -> Branch:
        """Change any of ``org_name``, ``name``, ``form``, ``formal_members``, ``units``.

        Unknown fields and invalid values raise :class:`ValueError` (nothing is changed then);
        ``updated_at`` moves to ``at`` only if a value actually changes.
        """
        _require_aware("at", at)
        unknown = set(fields) - self.UPDATABLE
        if unknown:
            raise ValueError(f"cannot update branch field(s) {sorted(unknown)}")
        for field, value in fields.items():
            _check_branch_field(field, value)
        branch = await self._require(branch_id)
        if any(getattr(branch, f) != fields[f] for f in ("form", "formal_members") if f in fields):
            # The profile it had until now, for the reports of periods already over (revision 0007).
            self.session.add(
                BranchProfileChange(
                    branch_id=branch.id, changed_at=at, form=branch.form, formal_members=branch.formal_members
                )
            )
        changed = False
        for field, value in fields.items():
            if getattr(branch, field) != value:
                setattr(branch, field, value)
                changed = True
        if changed:
            branch.updated_at = at
            await self.session.flush()
        return branch


class RedeemResult(StrEnum):
    """Outcome of :meth:`InvitationRepository.redeem` (a ``str``: ``result == "ok"`` works)."""

    OK = "ok"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"


class InvitationRepository:
    """One-time invitation codes, stored only as their SHA-256 hex digest."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(
        self,
        *,
        branch_id: int,
        code_hash: str,
        created_by: int | None,
        at: datetime,
        expires_at: datetime,
    ) -> Invitation:
        """A new invitation; every still-open one of the branch (unused, unrevoked, unexpired at
        ``at``) is revoked at ``at``. ``code_hash`` must be 64 lowercase hex digits."""
        _require_aware("at", at)
        _require_aware("expires_at", expires_at)
        if not is_sha256(code_hash):
            raise ValueError("code_hash must be a SHA-256 hex digest (64 lowercase hex digits)")
        if expires_at <= at:
            raise ValueError("expires_at must be later than at")
        await self.revoke_open(branch_id, at)
        row = Invitation(
            branch_id=branch_id,
            code_hash=code_hash,
            created_by=created_by,
            created_at=at,
            expires_at=expires_at,
            # Set explicitly: a bulk UPDATE (as above) only synchronises attributes present in
            # an object's __dict__, and never-assigned ones are absent from it.
            used_at=None,
            used_by=None,
            revoked_at=None,
        )
        self.session.add(row)
        await self.session.flush()
        return row

    async def revoke_open(self, branch_id: int, at: datetime) -> int:
        """Revoke every still-open invitation of the branch (unused, unrevoked, unexpired at ``at``) at ``at``: a
        new one replaces them, or the branch was closed; how many were open. Invitations loaded in the session
        are updated too (the bulk UPDATE's default synchronisation)."""
        _require_aware("at", at)
        result = await self.session.execute(
            update(Invitation)
            .where(
                Invitation.branch_id == branch_id,
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > at,
            )
            .values(revoked_at=at)
        )
        return result.rowcount  # type: ignore[attr-defined]

    async def find(self, code_hash: str) -> Invitation | None:
        stmt = select(Invitation).where(Invitation.code_hash == code_hash)
        result = await self.session.scalars(stmt, execution_options={"populate_existing": True})
        return result.one_or_none()

    async def redeem(
        self, code_hash: str, *, user_id: int, at: datetime, name: str | None = None
    ) -> RedeemResult:
        """Use the invitation: on ``OK`` ``user_id`` (called ``name``) becomes the branch's
        secretary (see :meth:`BranchRepository.set_secretary`; read the branch back with
        :meth:`BranchRepository.by_secretary`).

        Marking it used is one conditional ``UPDATE`` whose row count decides, so of two
        concurrent redemptions exactly one succeeds (on PostgreSQL the second waits for the
        first's transaction and then finds the row used). An invitation expires at
        ``expires_at`` itself. When several reasons apply, ``USED`` wins over ``REVOKED`` over
        ``EXPIRED``.
        """
        _require_aware("at", at)
        _check_text("name", name, 200, optional=True)
        result = await self.session.execute(
            update(Invitation)
            .where(
                Invitation.code_hash == code_hash,
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > at,
            )
            .values(used_at=at, used_by=user_id)
            .execution_options(synchronize_session=False)
        )
        invitation = await self.find(code_hash)  # also refreshes a copy held by this session
        if result.rowcount != 1:  # type: ignore[attr-defined]
            if invitation is None:
                return RedeemResult.UNKNOWN
            if invitation.used_at is not None:
                return RedeemResult.USED
            if invitation.revoked_at is not None:
                return RedeemResult.REVOKED
            if invitation.expires_at <= at:
                return RedeemResult.EXPIRED
            # Not reachable: the UPDATE's conditions are the negation of the checks above.
            raise RuntimeError(f"invitation {invitation.id} neither redeemable nor closed")
        assert invitation is not None
        await BranchRepository(self.session).set_secretary(invitation.branch_id, user_id, name, at)
        return RedeemResult.OK
