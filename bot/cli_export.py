"""``branchbot export --period 2026-11|2026-Q4|2026 --out ledger.xlsx [--zip evidence.zip]``: the 台账 of every
branch for a period, with a progress bar (tqdm) on stderr. A bad period or a path that cannot be written (no such
folder, a folder given as the file, the wrong suffix): one Chinese line, exit status 2; a
write that fails all the same (a full disk): one Chinese line, exit status 1."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bot.errors import EXIT_SETTINGS, EXIT_UNREACHABLE, StartupError


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


def check_path(option: str, text: str, suffix: str) -> Path:
    """The file ``option`` names, if it can be written: its folder exists, it is no folder, it ends in ``suffix``."""
    path = Path(text).expanduser()
    if path.is_dir():
        raise StartupError(
            f"{option}：“{path}”是一个文件夹，请写文件名，例如 {path / ('台账' + suffix)}", EXIT_SETTINGS
        )
    if path.suffix.lower() != suffix:
        raise StartupError(f"{option}：文件名应以 {suffix} 结尾（现在是“{path.name}”）", EXIT_SETTINGS)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise StartupError(f"{option}：文件夹“{folder}”不存在，请先创建或换一个位置", EXIT_SETTINGS)
    return path


def check_paths(out: str, zip_name: str | None) -> tuple[Path, Path | None]:
    """The ledger's and the zip's paths (their suffixes differ, so they are never the same file)."""
    return check_path("--out", out, ".xlsx"), check_path("--zip", zip_name, ".zip") if zip_name else None


def export(args: argparse.Namespace, settings_loader: Callable) -> int:
    """Run the export; print what was written on stdout at the end (in Chinese, one line)."""
    period = check_period(args.period)
    xlsx, evidence = check_paths(args.out, args.zip)
    settings = settings_loader()
    from bot.startup import migrate_database

    migrate_database(settings)
    started = time.monotonic()
    try:
        result = asyncio.run(_work(settings, period, xlsx, evidence))
    except OSError as exc:  # checked above; what is left is the disk itself (full, read-only, removed)
        reason = exc.strerror or type(exc).__name__
        raise StartupError(
            f"导出失败：无法写入“{exc.filename or xlsx}”（{reason}）", EXIT_UNREACHABLE
        ) from None
    missing = f"（{len(result.missing_files)} 个文件缺失）" if result.missing_files else ""
    written = f"{result.xlsx_path}" + (f"、{result.zip_path}" if result.zip_path else "")
    print(
        f"{result.period.label}：导出 {result.records} 条记录、{result.files} 个文件{missing}，"
        f"用时 {time.monotonic() - started:.1f} 秒 -> {written}"
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
