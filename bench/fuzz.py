"""A long fuzz run of the whole bot: the generator of ``tests/tg/test_fuzz.py`` for N updates.

    python -m bench.fuzz --updates 10000 --users 200 --db sqlite|postgresql [--seed 0] [--show 15]

The real application (real knowledge base, migrated database) polls the Bot API emulator; a seeded
``random.Random`` drives ``tests.fuzz.actions.draw_action``; the properties of ``tests.fuzz.oracle`` are
checked after every batch. Prints one line::

    updates U unhandled E unanswered_buttons B exception_text_replies X unreplied R duplicates D

(then, on stderr, the first violations with the update that caused each) and exits 1 if any count is not
zero. PostgreSQL: a fresh database on the server of ``BRANCHBOT_TEST_PG_DSN`` (default
``postgresql://postgres@127.0.0.1:5432/test``, as the tests), dropped afterwards.

Telegram's rate limits apply (the application's ``AIORateLimiter``: about 30 messages a second overall), so
10,000 updates take several minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

PG_DSN = os.environ.get("BRANCHBOT_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")


@contextlib.asynccontextmanager
async def database(kind: str, folder: Path) -> AsyncIterator[str]:
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / 'fuzz.db'}"
        return
    import asyncpg

    head = PG_DSN.rpartition("/")[0]
    name = f"branchbot_fuzz_{secrets.token_hex(6)}"

    async def admin() -> asyncpg.Connection:
        try:
            return await asyncpg.connect(PG_DSN, timeout=5)
        except asyncpg.InvalidCatalogNameError:
            return await asyncpg.connect(f"{head}/postgres", timeout=5)

    conn = await admin()
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield f"{head}/{name}".replace("postgresql://", "postgresql+asyncpg://", 1)
    finally:
        conn = await admin()
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


async def fuzz(updates: int, users: int, db: str, seed: int, batch: int, progress: bool):
    from knowledge import KnowledgeBase
    from tests.fuzz.actions import draw_action, population
    from tests.fuzz.harness import running
    from tests.fuzz.runner import Runner
    from tests.fuzz.source import RandomSource

    people = population(users)
    source = RandomSource(seed)
    kb = KnowledgeBase.default()
    with tempfile.TemporaryDirectory(prefix="branchbot-fuzz-") as tmp:
        async with database(db, Path(tmp)) as url, running(Path(tmp), url, people, kb=kb) as bot:
            runner = Runner(bot)
            started = time.monotonic()
            while runner.total.updates < updates:
                count = min(batch, updates - runner.total.updates)
                tally = await runner.run([draw_action(source, people) for _ in range(count)])
                if progress:
                    elapsed = time.monotonic() - started
                    print(
                        f"[{elapsed:6.1f}s] {runner.total.line()}  (batch: {tally.line()})", file=sys.stderr
                    )
    return runner.total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=200, help="updates between two checks of the properties")
    parser.add_argument("--show", type=int, default=15, help="violations printed on stderr")
    parser.add_argument("--progress", action="store_true", help="a line per batch on stderr")
    args = parser.parse_args(argv)
    if args.updates < 1 or args.users < 10 or args.batch < 1:
        parser.error("--updates and --batch must be positive, --users at least 10")
    total = asyncio.run(fuzz(args.updates, args.users, args.db, args.seed, args.batch, args.progress))
    print(total.line(), flush=True)
    if not total.clean:
        print(total.describe(limit=args.show), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
