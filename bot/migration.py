"""The database at the newest revision, without Alembic in the bot's memory (issue 9).

Alembic, Mako and the migration scripts cost ``branchbot run`` about 7 MB for as long as it runs, though they
are needed at most once, just after an upgrade of the code. So start-up first reads the database's revision
with one query and compares it with the newest revision of ``storage/migrations/versions`` (read from the
scripts' source, not imported); only if they differ does a child process (``python -m bot.migration``, the URL
on its standard input) run ``storage.migrate.upgrade``. A failure in the child ends in the same one Chinese line
and exit status as in the bot (``bot.startup.database_error``), passed on as a ``StartupError``.
"""

from __future__ import annotations

import ast
import asyncio
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from bot.errors import EXIT_UNREACHABLE, StartupError

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[1]
CHILD_TIMEOUT = 600.0  # seconds: a long migration of a large PostgreSQL database is still a migration
_MARK = "branchbot-migration-error: "  # the child's line for the user, told apart from warnings on stderr


def _assigned(path: Path) -> dict[str, object]:
    """The module-level constants ``revision`` and ``down_revision`` of a migration script."""
    found: dict[str, object] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, value = node.target.id, node.value
        elif (
            isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
        ):
            name, value = node.targets[0].id, node.value
        else:
            continue
        if name in ("revision", "down_revision"):
            found[name] = ast.literal_eval(value)
    return found


def shipped_head(versions: Path | None = None) -> str | None:
    """The one revision no script revises, or None if that is not one (Alembic then decides, in the child)."""
    if versions is None:
        from storage.migrate import MIGRATIONS_DIR

        versions = MIGRATIONS_DIR / "versions"
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in sorted(versions.glob("*.py")):
        found = _assigned(path)
        if not isinstance(found.get("revision"), str):
            return None
        revisions.add(found["revision"])  # type: ignore[arg-type]
        down = found.get("down_revision")
        revised.update([down] if isinstance(down, str) else list(down or ()))  # type: ignore[call-overload]
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 else None


def _off_loop(work: Callable[[], Awaitable[T]]) -> T:
    """``asyncio.run(work())`` here, or in a worker thread if this thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work())  # type: ignore[arg-type]
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="branchbot-revision") as pool:
        return pool.submit(lambda: asyncio.run(work())).result()  # type: ignore[arg-type]


def database_revisions(url: str) -> frozenset[str]:
    """The revisions in the database's ``alembic_version`` table (empty if it has none); raises what the
    driver raises when the database cannot be reached."""
    from sqlalchemy import inspect, pool, text

    from storage.db import make_engine

    async def read() -> frozenset[str]:
        engine = make_engine(url, poolclass=pool.NullPool)
        try:
            async with engine.connect() as connection:
                if not await connection.run_sync(lambda c: inspect(c).has_table("alembic_version")):
                    return frozenset()
                rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
                return frozenset(str(v) for v in rows.scalars())
        finally:
            await engine.dispose()

    return _off_loop(read)


def is_current(url: str) -> bool:
    head = shipped_head()
    return head is not None and database_revisions(url) == {head}


def upgrade_in_child(url: str) -> None:
    """``storage.migrate.upgrade(url)`` in a child process; a :class:`StartupError` with its line if it fails."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    done = subprocess.run(
        [sys.executable, "-m", "bot.migration"],
        input=url,
        env=env,
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    if done.returncode == 0:
        return
    lines = [line.removeprefix(_MARK) for line in done.stderr.splitlines() if line.startswith(_MARK)]
    if done.returncode > 0 and lines:
        raise StartupError(lines[-1], done.returncode)
    raise StartupError(f"数据库迁移进程异常退出（状态 {done.returncode}）", EXIT_UNREACHABLE)


def ensure_current(url: str) -> bool:
    """Bring the database at ``url`` to the newest revision; True if migrations ran."""
    if is_current(url):
        return False
    upgrade_in_child(url)
    return True


def main() -> int:
    """The child: the URL on stdin; 0, or the one line on stderr and its exit status."""
    from bot.startup import database_url_error
    from storage.migrate import upgrade

    url = sys.stdin.read().strip()
    try:
        upgrade(url)
    except Exception as exc:
        error = database_url_error(exc, url)
        print(_MARK + error.line, file=sys.stderr)
        return error.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
