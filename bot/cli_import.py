"""``branchbot branch import FILE.csv``: many branches at once (``handlers.services.reminders.BranchImporter``).

Every row is checked before anything is written; if any row is wrong, each error is printed with its line number
on stderr, nothing is added and the exit status is 2. Otherwise one CSV line per branch goes to stdout:
``id,name,code,link`` (the link only with ``--bot-username``, like ``branchbot branch add``); warnings (what the
speeches advise against) go to stderr.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

EXIT_USAGE = 2
MAX_FILE_BYTES = 20 * 1024 * 1024


def read_text(path: Path) -> str:
    """The file's text: UTF-8 (with or without BOM), else GB18030 (what Excel in Chinese saves); ValueError
    with a Chinese sentence if it cannot be read."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ValueError(f"文件太大（超过 {MAX_FILE_BYTES // 1024 // 1024} MB）：{path}")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValueError(f"找不到文件：{path}") from None
    except IsADirectoryError:
        raise ValueError(f"“{path}”是文件夹，不是 CSV 文件") from None
    except OSError as exc:
        raise ValueError(f"无法读取文件“{path}”（{exc.strerror or type(exc).__name__}）") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError(f"无法识别文件“{path}”的编码；请另存为 UTF-8 编码的 CSV") from None


def branch_import(args: argparse.Namespace, settings) -> int:
    import asyncio

    from bot.startup import migrate_database
    from handlers.services.clock import SystemClock
    from handlers.services.reminders import BranchImporter
    from handlers.tg.links import deep_link
    from storage.db import make_engine, make_session_factory

    try:
        text = read_text(Path(args.file))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    migrate_database(settings)

    async def work():
        engine = make_engine(settings.database_url)
        try:
            importer = BranchImporter(make_session_factory(engine), SystemClock(settings.zone))
            return await importer.import_csv(text)
        finally:
            await engine.dispose()

    result = asyncio.run(work())
    for warning in result.warnings:
        print(f"提示：{warning}", file=sys.stderr)
    if not result.ok:
        for error in result.errors:
            print(error, file=sys.stderr)
        print(f"没有导入任何支部：共 {len(result.errors)} 处错误，请改正后重新导入。", file=sys.stderr)
        return EXIT_USAGE
    out = csv.writer(sys.stdout, lineterminator="\n")
    for branch in result.branches:
        out.writerow([branch.id, branch.name, branch.code, deep_link(args.bot_username, branch.code) or ""])
    print(f"已导入 {len(result.branches)} 个支部（邀请链接7天内有效，各限使用一次）。", file=sys.stderr)
    return 0
