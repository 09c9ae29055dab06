"""The administrators' digest of a closed month: which branches missed what (muted kinds marked, with the
reason; kinds whose records were all returned by a reviewer marked so), how many complete branches still wait for
review, and which secretaries could not be reached. Built once when it falls due and stored with each
administrator's delivery row (``reminder_deliveries.payload``), so it shows the state at the time it was sent.
A month in which no branch existed yet (before the first was added, or none at all) has no digest. A branch is
counted for a period it was open at the end of (``handlers.services.closures``): one closed on the 1st, before the
digest went, is still reported for the month before, marked with the day it was closed.
"""

from __future__ import annotations

from collections.abc import Sequence

from handlers.services.closures import Closures, load_closures
from handlers.services.profile_history import ProfileHistory, load_histories
from handlers.services.reminders.dues import Ledger
from handlers.services.reminders.model import Digest, DigestBranch, DigestPeriod, UnreachableBranch
from knowledge.activities import Cadence, Period
from knowledge.schedule import ScheduleConfig, closed_with, local
from storage.models import Branch
from storage.repositories import ReminderRepository

NEVER_CLOSED = Closures()


def existed_by(branch: Branch, period: Period, config: ScheduleConfig) -> bool:
    return local(branch.created_at, config).date() <= period.end


def counted_in(
    branch: Branch,
    period: Period,
    config: ScheduleConfig,
    history: ProfileHistory,
    closures: Closures = NEVER_CLOSED,
) -> bool:
    """A branch the digest counts for ``period``: it existed by its end, was open at its end (``closures``) and
    held activities of its own as the period began (``profile_history``, as the status matrix reads it)."""
    return (
        existed_by(branch, period, config)
        and closures.owes(period.end)
        and history.holds_activities_in(period)
    )


def _founded_within(branch: Branch, period: Period, config: ScheduleConfig) -> str | None:
    founded = local(branch.created_at, config).date()
    return founded.isoformat() if founded > period.start else None


def _closed_since(branch: Branch, config: ScheduleConfig) -> str | None:
    """The day a branch counted for a period was closed after it (before the digest went), else None."""
    return None if branch.closed_at is None else local(branch.closed_at, config).date().isoformat()


async def build_digest(
    repo: ReminderRepository,
    month: Period,
    branches: Sequence[Branch],
    config: ScheduleConfig,
    *,
    periods: Sequence[tuple[Cadence, Period]] | None = None,
    catch_up: bool = False,
    left_out: tuple[str, ...] = (),
) -> Digest:
    """The digest of ``month`` and the periods that closed with it (or ``periods``), over ``branches``."""
    histories = await load_histories(repo.session, branches, config.tz)
    closures = await load_closures(repo.session, branches, config.tz)
    summaries = [
        await _summary(repo, cadence, period, branches, histories, closures, config)
        for cadence, period in (closed_with(month) if periods is None else periods)
    ]
    unreachable = tuple(
        UnreachableBranch(b.id, b.name, b.org_name, b.secretary_unreachable_at)
        for b in branches
        if b.secretary_unreachable_at is not None and b.closed_at is None
    )
    return Digest(
        month=month.code,
        periods=tuple(summaries),
        unreachable=unreachable,
        catch_up=catch_up,
        left_out=left_out,
    )


async def _summary(
    repo: ReminderRepository,
    cadence: Cadence,
    period: Period,
    branches: Sequence[Branch],
    histories: dict[int, ProfileHistory],
    closures: dict[int, Closures],
    config: ScheduleConfig,
) -> DigestPeriod:
    """One period's section: the branches counted, how many are complete, what the others miss."""
    ledger = await Ledger.load(repo, cadence, period.code, returned=True, waiting=True)
    counted = [b for b in branches if counted_in(b, period, config, histories[b.id], closures[b.id])]
    entries = []
    waiting = 0  # complete branches with a kind whose records all still wait for review
    for branch in counted:
        owed = ledger.of(branch.id, histories[branch.id].exempt_in(period))
        if not owed.owed:
            waiting += bool(owed.waiting)
            continue
        entries.append(
            DigestBranch(
                branch_id=branch.id,
                name=branch.name,
                org_name=branch.org_name,
                missing=owed.owed,
                muted=tuple((m.kind, m.reason) for m in owed.muted),
                has_secretary=branch.secretary_user_id is not None,
                unreachable=branch.secretary_unreachable_at is not None,
                returned=tuple(kind for kind, _ in owed.returned),
                founded=_founded_within(branch, period, config),
                closed=_closed_since(branch, config),
            )
        )
    return DigestPeriod(
        cadence=cadence,
        period=period.code,
        label=period.label,
        total=len(counted),
        complete=len(counted) - len(entries),
        branches=tuple(entries),
        waiting=waiting,
    )
