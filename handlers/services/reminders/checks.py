"""Is a claimed row still worth sending? Checked just before sending, for a whole batch at once (one query
for its branches, one for the records and mutes of each cadence and period in it).

A reminder is skipped when its branch is gone, has no secretary or cannot reach them, when its period has closed
or a later stage of it is already due (that one is sent instead), or when every kind it lists has been recorded
or muted meanwhile; otherwise it goes out listing only the kinds still missing, to the branch's current
secretary, with the returned record to amend for each kind whose records of the period were all returned. A
digest is skipped once a newer month's digest is due, unless it is a catch-up (``digest_plan``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from handlers.services.profile_history import ProfileHistory, load_histories
from handlers.services.reminders.dues import Ledger
from handlers.services.reminders.model import Audience, DeliveryView, Digest
from knowledge.activities import Cadence, activity_by_code, period_of
from knowledge.schedule import ScheduleConfig, Stage, current_stage, digest_month, local, period_by_code
from storage.models import Branch, ReminderDelivery
from storage.repositories import ReminderRepository


@dataclass
class RowCheck:
    views: list[DeliveryView] = field(default_factory=list)  # to send, in claim order
    skipped: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # reason -> row ids
    dead: list[int] = field(default_factory=list)  # claimed more often than attempts allow (crash loops)


async def check_rows(
    repo: ReminderRepository,
    rows: Sequence[ReminderDelivery],
    now: datetime,
    config: ScheduleConfig,
    max_attempts: int,
) -> RowCheck:
    reminders = [r for r in rows if r.audience == Audience.BRANCH and r.branch_id is not None]
    branches = {b.id: b for b in await repo.branches({r.branch_id for r in reminders})}  # type: ignore[misc]
    histories = await load_histories(repo.session, branches.values(), config.tz)
    ledgers: dict[tuple[str, str], Ledger] = {}
    for cadence, period in sorted({(r.cadence, r.period) for r in reminders}):
        ids = [r.branch_id for r in reminders if (r.cadence, r.period) == (cadence, period)]
        ledger = await Ledger.load(repo, Cadence(cadence), period, ids, returned=True)  # type: ignore[arg-type]
        ledgers[cadence, period] = ledger
    result = RowCheck()
    for row in rows:
        if row.attempts > max_attempts:
            result.dead.append(row.id)
            continue
        if row.audience == Audience.ADMIN:
            verdict = _check_digest(row, now, config)
        else:
            branch = branches.get(row.branch_id)  # type: ignore[arg-type]
            ledger = ledgers.get((row.cadence, row.period))
            verdict = _check_reminder(row, branch, ledger, histories.get(row.branch_id), now, config)
        if isinstance(verdict, str):
            result.skipped[verdict].append(row.id)
        else:
            result.views.append(verdict)
    return result


def _check_reminder(
    row: ReminderDelivery,
    branch: Branch | None,
    ledger: Ledger | None,
    history: ProfileHistory | None,
    now: datetime,
    config: ScheduleConfig,
) -> DeliveryView | str:
    if branch is None or ledger is None or history is None:
        return "branch gone"
    if branch.secretary_user_id is None:
        return "no secretary"
    if branch.secretary_unreachable_at is not None:
        return "secretary unreachable"
    cadence = Cadence(row.cadence)
    period = period_of(cadence, local(now, config).date())
    if period.code != row.period:
        return "period closed"
    if not history.holds_activities_in(period):  # its profile as the period began (``profile_history``)
        return "no activities of its own"
    current = current_stage(cadence, now, branch.reminder_hour, config)
    if current is not None and current[1].rank > Stage(row.stage).rank:
        return f"superseded by {current[1]}"
    owed = ledger.of(branch.id, history.exempt_in(period))
    kinds = tuple(k for k in row.kinds if k in owed.missing)
    if not kinds:
        return "recorded or muted"
    returned = tuple((k, rid) for k, rid in owed.returned if k in kinds)
    return _view(row, cadence, branch.secretary_user_id, branch, kinds, returned=returned)


def _check_digest(row: ReminderDelivery, now: datetime, config: ScheduleConfig) -> DeliveryView | str:
    if row.payload is None:
        return "digest out of date"
    digest = Digest.from_json(row.payload)
    if not digest.catch_up:  # a catch-up is late by design; the planner skips one a newer catch-up replaces
        month = digest_month(now, config)
        if month is None or month.code != row.period:
            return "digest out of date"
    return _view(row, Cadence.MONTHLY, row.chat_id, None, (), digest)


def _view(
    row: ReminderDelivery,
    cadence: Cadence,
    chat_id: int,
    branch: Branch | None,
    kinds: tuple[str, ...],
    digest: Digest | None = None,
    returned: tuple[tuple[str, int], ...] = (),
) -> DeliveryView:
    period = period_by_code(cadence, row.period)
    catalogue = [activity_by_code(k) for k in kinds]
    names = tuple(ak.name if ak else code for ak, code in zip(catalogue, kinds, strict=True))
    cites = tuple(dict.fromkeys(ak.cite for ak in catalogue if ak is not None))
    return DeliveryView(
        id=row.id,
        audience=Audience(row.audience),
        chat_id=chat_id,
        branch_id=row.branch_id,
        branch_name=branch.name if branch is not None else None,
        cadence=cadence,
        period=row.period,
        period_label=period.label,
        deadline=period.end,
        stage=Stage(row.stage),
        kinds=kinds,
        kind_names=names,
        cites=cites,
        attempt=row.attempts,
        digest=digest,
        returned=returned,
    )
