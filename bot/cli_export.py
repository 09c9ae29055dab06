"""``branchbot export --period 2026-11|2026-Q4|2026 --out ledger.xlsx [--zip evidence.zip]``: the 台账 of every
branch for a period, with a progress bar (tqdm) on stderr. A bad period: one Chinese line, exit status 2."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bot.errors import EXIT_SETTINGS, StartupError


def add_parser(sub) -> None:
    export = sub.add_parser("export", help="write the ledger (xlsx) and the evidence (zip) of a period")
    export.add_argument("--period", required=True, help="a month 2026-11, a quarter 2026-Q4 or a year 2026")
    export.add_argument("--out", required=True, help="the xlsx file to write")
    export.add_argument("--zip", default=None, help="also write the evidence files into this zip")


def check_period(text: str):
    from handlers.services.periods import parse_period

    try:
        return parse_period(text)
    except ValueError as exc:
        raise StartupError(f"--period：{exc}", EXIT_SETTINGS) from None


def export(args: argparse.Namespace, settings_loader: Callable) -> int:
    """Run the export; print ``records R files F seconds S`` on stdout at the end."""
    period = check_period(args.period)
    settings = settings_loader()
    from bot.startup import migrate_database

    migrate_database(settings)
    started = time.monotonic()
    result = asyncio.run(_work(settings, period, Path(args.out), Path(args.zip) if args.zip else None))
    missing = f" missing {len(result.missing_files)}" if result.missing_files else ""
    print(
        f"{result.period.label}：records {result.records} files {result.files}{missing} "
        f"seconds {time.monotonic() - started:.1f} -> {result.xlsx_path}"
        + (f", {result.zip_path}" if result.zip_path else "")
    )
    return 0


async def _work(settings, period, out: Path, zip_path: Path | None):
    from tqdm import tqdm

    from handlers.services.clock import SystemClock
    from handlers.services.export import LedgerExporter
    from handlers.services.status import StatusService
    from storage.db import make_engine, make_session_factory
    from storage.files import LocalFileStore

    engine = make_engine(settings.database_url)
    clock = SystemClock(settings.zone)
    factory = make_session_factory(engine)
    status = StatusService(factory, clock, settings.admin_ids)
    exporter = LedgerExporter(factory, clock, LocalFileStore(settings.data_dir), status)
    bar = tqdm(total=0, unit="条", desc="导出台账", file=sys.stderr, disable=None)

    def progress(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        bar.n = done
        bar.refresh()

    try:
        return await exporter.export_ledger(period, None, out, zip_path, progress)
    finally:
        bar.close()
        await engine.dispose()
