"""Ledger export benchmark: time and peak memory of ``LedgerExporter.export_ledger`` at growing record counts.

    python -m bench.export [--records 10000 50000] [--no-zip] [--database-url URL]

For each count: a fresh SQLite database (or ``--database-url``, emptied first: a PostgreSQL one, say) is filled with
that many records of 2026-Q4 across 40 branches, each with one photo (``tests/services/ledger_data.py``); then the
quarter is exported to an xlsx and an evidence zip. Printed per count: fill and export seconds, Python's peak
traced memory during the export (tracemalloc, which slows the export about twofold: the time is measured in a
second, untraced run), the process's peak RSS, and the output sizes. Streaming shows as a peak that does not grow
with the count. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
import tracemalloc
from datetime import datetime
from pathlib import Path

from handlers.services.clock import SHANGHAI, FixedClock
from handlers.services.export import LedgerExporter
from handlers.services.status import StatusService
from storage.db import make_engine, make_session_factory
from storage.files import LocalFileStore
from storage.migrate import downgrade, upgrade_async
from tests.services.ledger_data import fill
from tests.services.supervision_world import jpeg


async def run(records: int, with_zip: bool, url: str | None) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="bench-export-"))
    url = url or f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    if url.startswith("postgresql"):
        await asyncio.to_thread(downgrade, url, "base")
    await upgrade_async(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    clock = FixedClock(datetime(2026, 12, 20, 12, 0, tzinfo=SHANGHAI))
    store = LocalFileStore(folder / "data")
    photo = jpeg(640, 480)
    await store.put(photo)
    started = time.perf_counter()
    await fill(factory, photo, records)
    filled = time.perf_counter() - started
    ledger = LedgerExporter(factory, clock, store, StatusService(factory, clock, frozenset()))
    zip_path = folder / "evidence.zip" if with_zip else None

    started = time.perf_counter()
    await ledger.export_ledger("2026-Q4", None, folder / "ledger.xlsx", zip_path)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    await ledger.export_ledger("2026-Q4", None, folder / "ledger.xlsx", zip_path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    await engine.dispose()
    return {
        "records": records,
        "fill_s": filled,
        "export_s": seconds,
        "peak_mib": peak / 2**20,
        "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "xlsx_mib": (folder / "ledger.xlsx").stat().st_size / 2**20,
        "zip_mib": zip_path.stat().st_size / 2**20 if zip_path else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.export", description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--no-zip", action="store_true", help="the xlsx only")
    parser.add_argument("--database-url", help="an async URL to use (its tables are dropped first)")
    args = parser.parse_args()
    print(
        f"{'records':>8} {'fill s':>7} {'export s':>9} {'peak MiB':>9} {'maxrss MiB':>11} {'xlsx MiB':>9} {'zip MiB':>8}"
    )
    for count in args.records:
        r = asyncio.run(run(count, not args.no_zip, args.database_url))
        print(
            f"{r['records']:>8} {r['fill_s']:>7.1f} {r['export_s']:>9.1f} {r['peak_mib']:>9.1f} "
            f"{r['maxrss_mib']:>11.1f} {r['xlsx_mib']:>9.1f} {r['zip_mib']:>8.1f}"
        )


if __name__ == "__main__":
    main()
