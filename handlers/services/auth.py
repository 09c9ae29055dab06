"""Web login without passwords: a one-time link sent in chat opens a 12-hour session.

The link's token and the session id are random (128 and 256 bits); only their SHA-256 is stored. A link is valid
for 10 minutes and works once; redeeming it says which of forged / expired / reused it was when it does not work.
Administrators (``BRANCHBOT_ADMIN_IDS``) and district supervisors may log in; a secretary may not. Rights are read
again on every request (:meth:`WebAuthService.session_user`), so a supervisor whose scope is taken away is out at
once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.services.supervision import ScopedService, Viewer, clean_name, load_viewer
from storage.repositories import BranchRepository
from storage.repositories.web_auth import LinkStatus, LoginLinkRepository, WebSessionRepository

LINK_TTL = timedelta(minutes=10)
SESSION_TTL = timedelta(hours=12)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class WebUser:
    """Who is logged in: ``role`` admin | supervisor; ``branch_ids`` ``None`` for an administrator (all)."""

    user_id: int
    role: str
    branch_ids: frozenset[int] | None
    viewer: Viewer

    def can_view_branch(self, branch_id: int) -> bool:
        return self.viewer.can_view_branch(branch_id)


@dataclass(frozen=True, slots=True)
class IssuedLink:
    """``status``: ok (``token`` goes into the URL, e.g. ``/login/<token>``) | secretary | not_allowed."""

    status: str
    token: str | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Login:
    """``status``: ok | forged | expired | reused | not_allowed (the user may no longer log in).

    On ok: ``session_id`` is the cookie value, valid until ``expires_at``.
    """

    status: str
    session_id: str | None = None
    expires_at: datetime | None = None
    user: WebUser | None = None


def _web_user(viewer: Viewer) -> WebUser | None:
    if not viewer.may_use_dashboard:
        return None
    return WebUser(viewer.user_id, viewer.role, None if viewer.is_admin else viewer.supervised, viewer)


class WebAuthService(ScopedService):
    async def issue_login_link(self, user_id: int, name: str | None = None) -> IssuedLink:
        """A one-time login link for an administrator or a supervisor (/dashboard in chat). ``name``: their name in
        the chat, kept (``people``) so what they do on the web, where no name is known, shows who did it."""
        now = self.clock.now()
        async with self.session_factory() as session, session.begin():
            viewer = await load_viewer(session, user_id, self.admin_ids)
            if not viewer.may_use_dashboard:
                return IssuedLink("secretary" if viewer.own_branch is not None else "not_allowed")
            token = secrets.token_urlsafe(16)
            await LoginLinkRepository(session).add(
                token_hash=_digest(token), user_id=user_id, at=now, expires_at=now + LINK_TTL
            )
            await BranchRepository(session).remember_name(user_id, clean_name(name), now)
        return IssuedLink("ok", token, now + LINK_TTL)

    async def redeem_login(self, token: str) -> Login:
        """Use a login link once: a new session, or why not (forged / expired / reused / not_allowed)."""
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            return Login("forged")
        now = self.clock.now()
        async with self.session_factory() as session, session.begin():
            status, user_id = await LoginLinkRepository(session).redeem(_digest(token), now)
            if status is not LinkStatus.OK or user_id is None:
                return Login(str(status))
            user = _web_user(await load_viewer(session, user_id, self.admin_ids))
            if user is None:
                return Login("not_allowed")
            session_id = secrets.token_urlsafe(32)
            await WebSessionRepository(session).add(
                session_hash=_digest(session_id), user_id=user_id, at=now, expires_at=now + SESSION_TTL
            )
        return Login("ok", session_id, now + SESSION_TTL, user)

    async def used_link_of_session(self, token: str, session_id: str | None) -> WebUser | None:
        """The user when ``token`` is their own login link and ``session_id`` their live session: opening a used link
        again (from the chat, say) just goes back to the dashboard. ``None`` otherwise."""
        user = await self.session_user(session_id)
        if user is None or not isinstance(token, str) or not _TOKEN.fullmatch(token):
            return None
        return user if await self.link_user(token) == user.user_id else None

    async def link_user(self, token: str) -> int | None:
        """Whose login link ``token`` was (used, expired or not): to tell a refused secretary why."""
        async with self.session_factory() as session:
            return await LoginLinkRepository(session).user_of(_digest(token))

    async def session_user(self, session_id: str | None) -> WebUser | None:
        """Who holds this session cookie now; ``None`` if unknown, expired, ended, or no longer allowed."""
        if not session_id or len(session_id) > 128:
            return None
        async with self.session_factory() as session:
            row = await WebSessionRepository(session).live(_digest(session_id), self.clock.now())
            if row is None:
                return None
            return _web_user(await load_viewer(session, row.user_id, self.admin_ids))

    async def logout(self, session_id: str | None) -> bool:
        """End the session; ``False`` if there was no live one."""
        if not session_id or len(session_id) > 128:
            return False
        async with self.session_factory() as session, session.begin():
            return await WebSessionRepository(session).end(_digest(session_id), self.clock.now())

    async def purge(self) -> int:
        """Delete links and sessions that ended more than a day ago (housekeeping)."""
        before = self.clock.now() - timedelta(days=1)
        async with self.session_factory() as session, session.begin():
            return await LoginLinkRepository(session).purge(before) + await WebSessionRepository(
                session
            ).purge(before)
