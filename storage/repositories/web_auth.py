"""Web login without passwords: one-time login links and the sessions they open (only hashes are stored)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.files import is_sha256
from storage.models import LoginLink, WebSession
from storage.repositories._checks import _require_aware


class LinkStatus(StrEnum):
    OK = "ok"
    FORGED = "forged"  # no link has this hash
    EXPIRED = "expired"
    REUSED = "reused"


def _check_hash(name: str, value: str) -> None:
    if not is_sha256(value):
        raise ValueError(f"{name} must be a SHA-256 hex digest")


class LoginLinkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *, token_hash: str, user_id: int, at: datetime, expires_at: datetime) -> LoginLink:
        _check_hash("token_hash", token_hash)
        _require_aware("at", at)
        _require_aware("expires_at", expires_at)
        row = LoginLink(token_hash=token_hash, user_id=user_id, created_at=at, expires_at=expires_at)
        self.session.add(row)
        await self.session.flush()
        return row

    async def user_of(self, token_hash: str) -> int | None:
        """Whose link this was, used or not."""
        return await self.session.scalar(select(LoginLink.user_id).where(LoginLink.token_hash == token_hash))

    async def redeem(self, token_hash: str, at: datetime) -> tuple[LinkStatus, int | None]:
        """Use the link once: one conditional UPDATE, so two clicks cannot both log in.

        Returns the status and the link's user id (``None`` when forged). A used link is ``reused`` even if it
        has since expired.
        """
        _require_aware("at", at)
        stmt = (
            update(LoginLink)
            .where(LoginLink.token_hash == token_hash, LoginLink.used_at.is_(None), LoginLink.expires_at > at)
            .values(used_at=at)
            .returning(LoginLink.user_id)
        )
        user_id = (await self.session.execute(stmt)).scalar_one_or_none()
        if user_id is not None:
            return LinkStatus.OK, user_id
        row = (
            await self.session.scalars(select(LoginLink).where(LoginLink.token_hash == token_hash))
        ).first()
        if row is None:
            return LinkStatus.FORGED, None
        return (LinkStatus.REUSED if row.used_at is not None else LinkStatus.EXPIRED), row.user_id

    async def purge(self, before: datetime) -> int:
        """Delete links that expired before ``before``."""
        _require_aware("before", before)
        result = await self.session.execute(delete(LoginLink).where(LoginLink.expires_at < before))
        return int(result.rowcount or 0)


class WebSessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *, session_hash: str, user_id: int, at: datetime, expires_at: datetime) -> WebSession:
        _check_hash("session_hash", session_hash)
        _require_aware("at", at)
        _require_aware("expires_at", expires_at)
        row = WebSession(session_hash=session_hash, user_id=user_id, created_at=at, expires_at=expires_at)
        self.session.add(row)
        await self.session.flush()
        return row

    async def live(self, session_hash: str, at: datetime) -> WebSession | None:
        """The session if it has neither expired nor ended at ``at``."""
        _require_aware("at", at)
        stmt = select(WebSession).where(
            WebSession.session_hash == session_hash, WebSession.ended_at.is_(None), WebSession.expires_at > at
        )
        return (await self.session.scalars(stmt)).first()

    async def end(self, session_hash: str, at: datetime) -> bool:
        """End a live session (logout); ``False`` if there was none."""
        _require_aware("at", at)
        stmt = (
            update(WebSession)
            .where(WebSession.session_hash == session_hash, WebSession.ended_at.is_(None))
            .values(ended_at=at)
        )
        return bool((await self.session.execute(stmt)).rowcount)

    async def end_all(self, user_id: int, at: datetime) -> int:
        """End every live session of a user (e.g. when a supervisor loses their last branch)."""
        _require_aware("at", at)
        stmt = (
            update(WebSession)
            .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
            .values(ended_at=at)
        )
        return int((await self.session.execute(stmt)).rowcount or 0)

    async def purge(self, before: datetime) -> int:
        """Delete sessions that expired or ended before ``before``."""
        _require_aware("before", before)
        stmt = delete(WebSession).where(or_(WebSession.expires_at < before, WebSession.ended_at < before))
        return int((await self.session.execute(stmt)).rowcount or 0)
