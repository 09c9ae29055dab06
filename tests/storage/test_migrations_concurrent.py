"""Several processes upgrading one fresh PostgreSQL database at once all succeed (the upgrade is serialized)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.migrate import current, head_revision
from tests.fixtures_db import TEST_DB_PREFIX, _admin_dsn, _create_pg_database, _drop_pg_database, _run_async

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 6
ROUNDS = 2


@pytest.fixture
def fresh_pg_url(pg_unavailable_reason: str | None) -> Iterator[str]:
    """A uniquely named, empty PostgreSQL database, dropped afterwards."""
    if pg_unavailable_reason is not None:
        pytest.skip(pg_unavailable_reason)
    name = f"{TEST_DB_PREFIX}race_{secrets.token_hex(6)}"
    _run_async(_create_pg_database(name))
    try:
        yield _admin_dsn(name).replace("postgresql://", "postgresql+asyncpg://", 1)
    finally:
        _run_async(_drop_pg_database(name))


# Each child imports everything first, then waits for the same moment to start its upgrade: the upgrades
# overlap instead of being spread out by the children's different start-up times.
CHILD = """
import sys, time
import alembic.command, asyncpg, sqlalchemy.ext.asyncio, storage.models
from storage.migrate import upgrade
url, start = sys.argv[1:]
time.sleep(max(0.0, float(start) - time.time()))
upgrade(url)
"""


def _upgrade_all_at_once(url: str) -> list[subprocess.CompletedProcess[str]]:
    """``storage.migrate.upgrade`` (what ``db upgrade`` and ``run``'s migration child call) in several processes
    at once."""
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    )
    start = f"{time.time() + 3.0:.3f}"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, url, start],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        for _ in range(PROCESSES)
    ]
    results = []
    for child in children:
        out, err = child.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(child.args, child.returncode, out, err))
    return results


def test_concurrent_upgrades_of_a_fresh_database_all_succeed(fresh_pg_url: str) -> None:
    from tests.fixtures_db import _admin_connect

    async def reset() -> None:  # back to an empty database for the next round
        conn = await _admin_connect()
        try:
            name = fresh_pg_url.rpartition("/")[2]
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    for round_ in range(ROUNDS):
        if round_:
            _run_async(reset())
        results = _upgrade_all_at_once(fresh_pg_url)
        failed = [(r.returncode, r.stderr[-300:]) for r in results if r.returncode != 0]
        assert not failed, failed
        assert current(fresh_pg_url) == head_revision()
