"""The records a view that is over must not count: those of a slot longer than the view (a yearly kind in a
quarter, a quarterly kind in a month) held after the view's last day, so a closed view never changes with later
activity (``handlers.services.status``; the ledger's sheets list the same records, ``export._plan``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.services.periods import finer_or_equal, slots
from knowledge.activities import CATALOGUE, Period
from storage.repositories.ledger import LedgerRepository
from storage.repositories.status import CountRow


def counted_by(counts: Iterable[CountRow], later: Iterable[CountRow]) -> list[CountRow]:
    """``counts`` less the records of ``later`` (those held after the view, of slots longer than it)."""
    less = Counter({(r.branch_id, r.kind, r.period, r.review_state): r.records for r in later})
    rows = []
    for r in counts:
        n = r.records - less[(r.branch_id, r.kind, r.period, r.review_state)]
        if n > 0:
            rows.append(CountRow(r.branch_id, r.kind, r.period, r.review_state, n))
    return rows


async def held_after(
    session: AsyncSession, scope: frozenset[int] | None, view: Period, today: date
) -> list[CountRow]:
    """The active records of slots longer than ``view`` held after its last day (none while it is not over)."""
    if view.end >= today:
        return []
    repo, later = LedgerRepository(session), Counter[tuple[int, str, str, str]]()
    for kind in CATALOGUE:
        if finer_or_equal(kind.cadence, view):
            continue
        (slot,) = slots(kind.cadence, view)
        held = (view.end + timedelta(days=1), slot.end)
        after = None
        while page := await repo.page(kind.code, [slot.code], scope, after, 500, held):
            later.update((r.branch_id, r.kind, r.period, r.review_state) for r in page)
            after = (page[-1].branch_id, page[-1].held_on, page[-1].id)
    return [CountRow(*key, n) for key, n in later.items()]
