"""Web login without passwords: who may, forged / expired / reused links, sessions, logout, revocation."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import select

from handlers.services.auth import WebAuthService
from handlers.services.supervision import SupervisionService
from storage.models import LoginLink, WebSession
from tests.services.supervision_world import (
    ADMIN,
    ADMINS,
    OTHER_SUPERVISOR,
    SEC_A,
    STRANGER,
    SUPERVISOR,
    make_world,
)


async def test_link_session_logout(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)
    auth = WebAuthService(world.factory, world.clock, ADMINS)
    link = await auth.issue_login_link(ADMIN)
    assert (
        link.status == "ok"
        and len(link.token) >= 22
        and link.expires_at == world.clock.now() + timedelta(minutes=10)
    )
    async with world.factory() as session:
        stored = (await session.scalars(select(LoginLink))).one()
    assert stored.token_hash == hashlib.sha256(link.token.encode()).hexdigest()  # only the hash is kept

    world.clock.advance(timedelta(minutes=9))
    login = await auth.redeem_login(link.token)
    assert login.status == "ok" and login.user.role == "admin" and login.user.branch_ids is None
    assert login.expires_at == world.clock.now() + timedelta(hours=12)
    async with world.factory() as session:
        row = (await session.scalars(select(WebSession))).one()
    assert row.session_hash == hashlib.sha256(login.session_id.encode()).hexdigest()

    assert (await auth.redeem_login(link.token)).status == "reused"
    user = await auth.session_user(login.session_id)
    assert user.user_id == ADMIN and user.can_view_branch(world.c)
    world.clock.advance(timedelta(hours=11, minutes=59))
    assert await auth.session_user(login.session_id) is not None
    world.clock.advance(timedelta(minutes=1))
    assert await auth.session_user(login.session_id) is None  # 12 hours

    second = await auth.redeem_login((await auth.issue_login_link(ADMIN)).token)
    assert await auth.logout(second.session_id) is True
    assert await auth.session_user(second.session_id) is None
    assert await auth.logout(second.session_id) is False


async def test_forged_expired_reused_are_told_apart(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)
    auth = WebAuthService(world.factory, world.clock, ADMINS)
    assert (await auth.redeem_login("A" * 22)).status == "forged"
    assert (await auth.redeem_login("../../etc/passwd")).status == "forged"
    assert (await auth.redeem_login("")).status == "forged"
    expiring = await auth.issue_login_link(SUPERVISOR)
    world.clock.advance(timedelta(minutes=10))
    assert (await auth.redeem_login(expiring.token)).status == "expired"
    used = await auth.issue_login_link(SUPERVISOR)
    assert (await auth.redeem_login(used.token)).status == "ok"
    world.clock.advance(timedelta(hours=1))
    assert (await auth.redeem_login(used.token)).status == "reused"  # used, then also expired: reused
    assert await auth.session_user("nonsense") is None and await auth.session_user(None) is None


async def test_who_may_log_in(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)
    auth = WebAuthService(world.factory, world.clock, ADMINS)
    assert (await auth.issue_login_link(SEC_A)).status == "secretary"
    assert (await auth.issue_login_link(STRANGER)).status == "not_allowed"
    link = await auth.issue_login_link(SUPERVISOR)
    login = await auth.redeem_login(link.token)
    assert login.user.role == "supervisor" and login.user.branch_ids == {world.a, world.b}
    assert not login.user.can_view_branch(world.c)

    # A supervisor who loses their branches is out at once, and a link they still hold no longer works.
    pending = await auth.issue_login_link(OTHER_SUPERVISOR)
    supervision = SupervisionService(world.factory, world.clock, ADMINS)
    await supervision.revoke(ADMIN, SUPERVISOR)
    await supervision.revoke(ADMIN, OTHER_SUPERVISOR)
    assert await auth.session_user(login.session_id) is None
    assert (await auth.redeem_login(pending.token)).status == "not_allowed"
    assert await auth.purge() == 0
