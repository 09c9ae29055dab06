"""``branchbot db current`` (read-only) and ``db downgrade`` (destructive, so confirmed): review item 19.

``db current`` on a SQLite file that does not exist says so instead of creating the file and its folder (as
``branchbot check`` avoids doing). ``db downgrade REVISION`` drops the tables the later migrations created, with
their data: it asks first on a terminal, and without a terminal it needs ``--yes``.
"""

from __future__ import annotations

import argparse
import sys

EXIT_USAGE = 2
DOWNGRADE_HELP = (
    "revert migrations down to REVISION: DROPS the tables (and all their data) the later migrations created, "
    "e.g. 0001 deletes every branch; this cannot be undone. Asks for confirmation unless --yes is given"
)


def add_parser(sub) -> None:
    """The ``db`` sub-command and its own sub-commands."""
    db = sub.add_parser("db", help="database migrations")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply all migrations to DATABASE_URL")
    down = db_sub.add_parser("downgrade", help=DOWNGRADE_HELP, description=DOWNGRADE_HELP)
    down.add_argument("revision", help="the revision to go back to (e.g. 0007; base removes every table)")
    down.add_argument("--yes", action="store_true", help="do not ask: the tables and data may be dropped")
    db_sub.add_parser("current", help="print the database's revision (changes nothing)")


def missing_database(url) -> str | None:
    """A line saying there is no database yet when ``url`` is a SQLite file that does not exist, else None."""
    from storage.db import sqlite_file_path

    path = sqlite_file_path(url)
    if path is not None and not path.exists():
        return f"尚未建库（{path} 不存在；branchbot db upgrade 或 branchbot run 会建库）"
    return None


def downgrade_confirmed(args: argparse.Namespace) -> bool:
    """True if ``db downgrade`` may go on: ``--yes``, or "yes" typed on a terminal; else a line on stderr."""
    if args.yes:
        return True
    warning = (
        f"db downgrade {args.revision} 会删除之后的迁移建立的表及其中的全部数据（如支部、台账），且无法恢复。"
    )
    if not sys.stdin.isatty():
        print(f"{warning}确认无误请加 --yes 再运行；未做任何改动。", file=sys.stderr)
        return False
    print(warning, file=sys.stderr)
    try:
        answer = input("确认回退请输入 yes：")
    except EOFError:
        answer = ""
    if answer.strip().lower() != "yes":
        print("已取消，未做任何改动。", file=sys.stderr)
        return False
    return True
