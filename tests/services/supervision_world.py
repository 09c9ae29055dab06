"""A small world for the supervision tests: three branches in two districts, their secretaries, an administrator,
two district supervisors, a stranger; records and evidence files made on demand (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.clock import SHANGHAI, FixedClock
from storage.files import LocalFileStore
from storage.repositories import BranchRepository, RecordRepository
from storage.repositories.supervisors import SupervisorRepository

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
ADMIN, SUPERVISOR, OTHER_SUPERVISOR, STRANGER = 900, 800, 801, 555
SEC_A, SEC_B, SEC_C = 101, 102, 103
ADMINS = frozenset({ADMIN})


@dataclass
class World:
    factory: async_sessionmaker[AsyncSession]
    clock: FixedClock
    store: LocalFileStore
    a: int  # branch ids: a and b in the supervisor's district, c in the other one
    b: int
    c: int


async def make_world(factory: async_sessionmaker[AsyncSession], tmp_path: Path) -> World:
    async with factory() as session, session.begin():
        branches = BranchRepository(session)
        ids = []
        for name, secretary in (("第一支部", SEC_A), ("第二支部", SEC_B), ("第三支部", SEC_C)):
            branch = await branches.add(
                org_name=f"{name}所在公司", name=name, form="single", formal_members=8, at=T0
            )
            await branches.set_secretary(branch.id, secretary, f"书记{secretary}", T0)
            ids.append(branch.id)
        scopes = SupervisorRepository(session)
        await scopes.grant(SUPERVISOR, ids[:2], by=ADMIN, at=T0)
        await scopes.grant(OTHER_SUPERVISOR, ids[2:], by=ADMIN, at=T0)
    return World(factory, FixedClock(T0), LocalFileStore(tmp_path / "data"), *ids)


def jpeg(width: int = 800, height: int = 600, color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG", quality=70)
    return out.getvalue()


async def stored_photo(world: World, data: bytes, position: int = 0, role: str = "photo") -> dict[str, Any]:
    stored = await world.store.put(data)
    return {
        "role": role,
        "sha256": stored.sha256,
        "size": stored.size,
        "mime": stored.mime,
        "telegram_file_id": f"file-{stored.sha256[:8]}-{position}",
        "telegram_file_unique_id": f"u-{stored.sha256[:8]}-{position}",
        "position": position,
    }


def spec_for(data: bytes, position: int = 0, role: str = "photo", mime: str = "image/jpeg") -> dict[str, Any]:
    sha = hashlib.sha256(data).hexdigest()
    return {
        "role": role,
        "sha256": sha,
        "size": len(data),
        "mime": mime,
        "telegram_file_id": f"file-{sha[:8]}-{position}",
        "telegram_file_unique_id": f"u-{sha[:8]}-{position}",
        "position": position,
    }


async def add_record(
    world: World,
    branch_id: int,
    submitted_by: int,
    *,
    kind: str = "theme_day",
    period: str = "2026-11",
    held_on: date = date(2026, 11, 2),
    files: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> int:
    async with world.factory() as session, session.begin():
        record = await RecordRepository(session).add(
            branch_id=branch_id,
            kind=kind,
            period=period,
            held_on=held_on,
            topic=extra.pop("topic", "学习党的二十届四中全会精神"),
            submitted_by=submitted_by,
            at=world.clock.now(),
            files=files or [],
            **extra,
        )
        return record.id
