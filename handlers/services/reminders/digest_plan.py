"""Which administrators' digests are due at a moment: the current month's, and one catch-up after an outage.

A month's digest is due from the first working day after it until the next month's is (``digest_month``); the
sender skips one gone out of date. A bot down over that whole window never sent it, and when the month ended a
quarter or a year, that summary was lost for good (an earlier reviewer's finding). So at each plan, for each
administrator, the months whose digest time has come since the last digest that reached them or was tried to the
end (``DeliveryRepository.digests_attempted``), other than the current month, are *missed*, and ONE catch-up goes:

- the latest missed month's summary, with every quarter and year that closed in a missed month of the twelve up to
  it (those would be lost); the older missed months' own summaries are named, not repeated (``Digest.left_out``:
  /status shows them). One message, not a month each: after a long outage a flood of stale months helps no one,
  while a quarter's or a year's summary is what the district reports on.
- It is stored in the latest missed month's own row, so the delivery ledger's unique key sends it once, across
  restarts and in two planners alike. A row of that month planned before the outage and never sent (``pending``,
  or ``skipped`` as out of date) is planned again as the catch-up (``replan_digests``); an older catch-up still
  waiting is skipped, the new one says all it said.
- An administrator with no digest row yet takes the bot's latest (one added during the outage gets the catch-up,
  one added later nothing old); a bot that never delivered a digest catches nothing up (a fresh install).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.services.reminders.digest import build_digest
from handlers.services.reminders.model import Audience, Digest, PlannedDelivery
from knowledge.activities import Cadence, Period, previous_period
from knowledge.schedule import (
    ScheduleConfig,
    Stage,
    closed_with,
    digest_due,
    digest_month,
    latest_digest_month,
    local,
    release_time,
)
from storage.models import Branch, ReminderDelivery
from storage.repositories import DeliveryRepository, ReminderRepository

CATCH_UP_MONTHS = (
    12  # a catch-up carries the quarters and years that closed in this many months up to its own
)


@dataclass
class DigestsDue:
    deliveries: list[PlannedDelivery] = field(default_factory=list)
    superseded: list[int] = field(default_factory=list)  # older waiting digest rows a catch-up replaces


def missed_months(last: str, latest: Period, current: Period | None, first_day: date) -> list[Period]:
    """The months after ``last`` (a month code) up to ``latest``, but ``current``, that ended on or after
    ``first_day`` (the first branch's creation: no digest before), oldest first."""
    months = []
    month = latest
    while month.code > last and month.end >= first_day:
        if current is None or month.code != current.code:
            months.append(month)
        month = previous_period(Cadence.MONTHLY, month.start)
    return months[::-1]


def catch_up_periods(missed: Sequence[Period]) -> list[tuple[Cadence, Period]]:
    """The latest missed month, then the quarters and years that closed in the missed months of the twelve up
    to it, oldest first."""
    latest = missed[-1]

    def index(month: Period) -> int:
        return month.start.year * 12 + month.start.month

    closed = {
        (cadence, period)
        for month in missed
        if index(latest) - index(month) < CATCH_UP_MONTHS
        for cadence, period in closed_with(month)
        if cadence is not Cadence.MONTHLY
    }
    order = {c: i for i, c in enumerate(Cadence)}
    return [(Cadence.MONTHLY, latest), *sorted(closed, key=lambda cp: (order[cp[0]], cp[1].start))]


def open_by(branches: Sequence[Branch], day: date, config: ScheduleConfig) -> list[Branch]:
    """The branches not closed by the end of ``day`` (open, or closed later), which a digest of periods ending
    then may count: one closed on the 1st before the digest went is reported for the month it existed in."""
    return [b for b in branches if b.closed_at is None or local(b.closed_at, config).date() > day]


async def due_digests(
    session: AsyncSession,
    branches: Sequence[Branch],
    admin_ids: Collection[int],
    at: datetime,
    config: ScheduleConfig,
    wanted: frozenset[str],
) -> DigestsDue:
    """The digests due at ``at`` whose status (``new``: no row yet, or one to plan again) is in ``wanted``."""
    due = DigestsDue()
    if not admin_ids or not branches:
        return due
    first_day = min(local(b.created_at, config).date() for b in branches)
    current = digest_month(at, config)
    await _catch_ups(session, branches, admin_ids, at, config, wanted, current, first_day, due)
    if current is None or current.end < first_day:
        return due  # before the first branch was added (a fresh install): nothing to report
    branches = open_by(branches, current.end, config)
    if not branches:
        return due  # every branch had been closed by then
    key = (str(Audience.ADMIN), str(Cadence.MONTHLY), current.code, str(Stage.DIGEST))
    repo = DeliveryRepository(session)
    statuses = await repo.statuses(*key)
    waits = await repo.waiting(*key) if "pending" in wanted else {}  # plan_preview: when each really goes
    admins = [a for a in admin_ids if statuses.get(a, "new") in wanted]
    if admins:
        digest = await build_digest(ReminderRepository(session), current, branches, config)
        due.deliveries += [
            _delivery(a, current, digest, statuses.get(a, "new"), *_goes(at, waits.get(a), config), config)
            for a in admins
        ]
    return due


def _goes(at: datetime, wait: tuple[datetime, bool] | None, config: ScheduleConfig) -> tuple[datetime, bool]:
    """When a digest listed at ``at`` really goes, and whether as a retry: a row ``pending`` until later (``wait``:
    its ``next_attempt_at`` and whether it was tried) then, else at ``at``; after the quiet hours either way."""
    if wait is None:
        return release_time(at, config), False
    next_at, retry = wait
    return release_time(max(at, next_at), config).astimezone(config.tz), retry


async def _catch_ups(
    session: AsyncSession,
    branches: Sequence[Branch],
    admin_ids: Collection[int],
    at: datetime,
    config: ScheduleConfig,
    wanted: frozenset[str],
    current: Period | None,
    first_day: date,
    due: DigestsDue,
) -> None:
    repo = DeliveryRepository(session)
    attempted = await repo.digests_attempted()
    if not attempted:
        return  # no digest ever reached anyone: nothing was missed, a fresh install starts now
    fallback, latest = max(attempted.values()), latest_digest_month(at, config)
    groups: dict[tuple[Period, ...], list[int]] = defaultdict(list)
    for admin in admin_ids:
        missed = missed_months(attempted.get(admin, fallback), latest, current, first_day)
        if missed:
            groups[tuple(missed)].append(admin)
    if not groups:
        return  # the usual case
    rows = await repo.digests_of({m.code for missed in groups for m in missed})
    stored = {(r.target_id, r.period): r for r in rows}
    for missed, admins in groups.items():
        month, digest = missed[-1], None
        for admin in admins:
            status = _catch_up_status(stored.get((admin, month.code)))
            due.superseded += [
                r.id
                for m in missed[:-1]
                if (r := stored.get((admin, m.code))) is not None and r.status == "pending"
            ]
            periods = catch_up_periods(missed)
            counted = open_by(branches, min(p.end for _, p in periods), config)
            if status not in wanted or not counted:
                continue
            if digest is None:
                digest = await build_digest(
                    ReminderRepository(session),
                    month,
                    counted,
                    config,
                    periods=periods,
                    catch_up=True,
                    left_out=tuple(m.code for m in missed[:-1]),
                )
            row = stored.get((admin, month.code))
            wait = (row.next_attempt_at, row.attempts > 0 or row.last_error is not None) if row else None
            when, retry = _goes(at, wait if status == "pending" else None, config)
            due.deliveries.append(_delivery(admin, month, digest, status, when, retry, config))


def _catch_up_status(row: ReminderDelivery | None) -> str:
    """``new`` for a catch-up to write (no row, or one never sent that is not a catch-up yet, or skipped), else
    the row's status."""
    if row is None or row.status == "skipped":
        return "new"
    is_catch_up = row.payload is not None and Digest.from_json(row.payload).catch_up
    return "new" if row.status == "pending" and not is_catch_up else row.status


def _delivery(
    admin: int,
    month: Period,
    digest: Digest,
    status: str,
    send_at: datetime,
    retry: bool,
    config: ScheduleConfig,
) -> PlannedDelivery:
    return PlannedDelivery(
        audience=Audience.ADMIN,
        target_id=admin,
        branch_id=None,
        chat_id=admin,
        cadence=Cadence.MONTHLY,
        period=month.code,
        period_label=month.label,
        stage=Stage.DIGEST,
        kinds=(),
        due_at=digest_due(month, config),
        status=status,
        digest=digest,
        send_at=send_at,
        retry=retry,
    )
