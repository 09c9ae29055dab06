"""The planner: at a moment, the deliveries that are due, written once each (the sender delivers them).

For each cadence, a branch is reminded when it has a secretary who can be reached and the current stage of the
period (``knowledge.schedule.current_stage`` at the branch's hour: only the latest stage already due counts,
never a closed period) finds kinds it has not recorded and not muted: ONE row per branch and stage lists all
of them. After a month closes every administrator gets one digest row, if some branch existed (and was open) by
its end, and after an outage one catch-up of what they missed (``digest_plan``). Rows go in with ``ON CONFLICT DO
NOTHING`` under the unique key (audience, target, cadence, period, stage), so planning twice, or in two processes
at once, writes each row once. A row planned in the quiet hours waits for 08:00 (``next_attempt_at``); a reminder planned
in the quiet hours of its period's last day is not written at all, its period ends before 08:00
(``release_within``; ``plan_preview`` lists it with ``send_at`` None, so ``branchbot reminders plan`` says so).

A stage caught up late (after an outage, or a secretary who joined mid-period) is merged into the next stage of
the same period when that one falls due within ``MERGE_WINDOW`` of the catch-up's release: the secretary gets
the later reminder only, never two near-identical messages within hours (``overtaken``).

The planner stores kind codes only; the renderer looks up names and the speeches' quotes (``DeliveryView``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.clock import Clock
from handlers.services.profile_history import load_histories
from handlers.services.reminders.digest_plan import due_digests
from handlers.services.reminders.dues import Ledger
from handlers.services.reminders.model import Audience, PlannedDelivery
from knowledge.activities import Cadence, Period, period_of
from knowledge.organisation import holds_own_activities
from knowledge.schedule import (
    ScheduleConfig,
    Stage,
    current_stage,
    local,
    release_time,
    release_within,
    stages_for,
)
from storage.models import Branch
from storage.repositories import DeliveryRepository, ReminderRepository
from storage.repositories.deliveries import UNDELIVERED

CATCH_UP_GRACE = timedelta(hours=1)  # a stage released later than this after it fell due is a catch-up
MERGE_WINDOW = timedelta(hours=24)  # a catch-up this close to the next stage of its period waits for it
NEW = frozenset({"new"})  # what plan writes: no row yet
WAITING = frozenset({"new", "pending", "sending"})  # what plan_preview shows: not yet delivered


def reminded(branch: Branch) -> bool:
    """A branch is reminded only with a secretary who can be reached, and if it holds activities of its own
    (not a 挂靠建 group, not a unit with no formal member: ``knowledge.organisation``)."""
    return reachable(branch) and holds_own_activities(branch.form, branch.formal_members)


def reachable(branch: Branch) -> bool:
    """It has a secretary who can be reached. What it owes in a period is its profile's as the period began
    (``profile_history``): a branch that became a 挂靠建 group this month is still reminded of this month."""
    return branch.secretary_user_id is not None and branch.secretary_unreachable_at is None


class ReminderPlanner:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        config: ScheduleConfig | None = None,
        admin_ids: Collection[int] = (),
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.config = config if config is not None else ScheduleConfig(tz=clock.tz)
        self.admin_ids = tuple(sorted(set(admin_ids)))

    async def plan(self, at: datetime | None = None) -> list[PlannedDelivery]:
        """Write the rows due at ``at`` (default now) that are not there yet; return those written."""
        at = at if at is not None else self.clock.now()
        async with self.session_factory() as session, session.begin():
            due, superseded = await self._due(session, at, NEW, lapsed=False)
            repo, release = DeliveryRepository(session), release_time(at, self.config)
            rows = [_row(d) for d in due]
            inserted = await repo.insert_new(rows, at=at, next_attempt_at=release)
            rest = [(r, d) for r, d in zip(rows, due, strict=True) if _key(r) not in inserted]
            # A row already there is planned again only for a new chat it never reached (_due_reminders), or
            # as a catch-up digest (``digest_plan``).
            inserted |= await repo.rearm(
                [r for r, d in rest if d.audience is Audience.BRANCH], at=at, next_attempt_at=release
            )
            catch_ups = [r for r, d in rest if d.digest is not None and d.digest.catch_up]
            inserted |= await repo.replan_digests(catch_ups, at=at, next_attempt_at=release)
            if superseded:
                await repo.finish(superseded, "skipped", at=at, error="superseded by a catch-up digest")
        written = [
            _with_status(d, "pending")
            for d in due
            if (d.target_id, str(d.cadence), d.period, str(d.stage)) in inserted
        ]
        return _by_target(written)

    async def plan_preview(self, at: datetime | None = None) -> list[PlannedDelivery]:
        """What is due at ``at`` and not yet delivered (new, or planned and waiting); nothing is written."""
        at = at if at is not None else self.clock.now()
        async with self.session_factory() as session:
            due, _ = await self._due(session, at, WAITING, lapsed=True)
            return _by_target(due)

    async def _due(
        self, session: AsyncSession, at: datetime, wanted: frozenset[str], *, lapsed: bool
    ) -> tuple[list[PlannedDelivery], list[int]]:
        """The deliveries due at ``at`` whose status (``new``: no row yet) is in ``wanted`` (with ``lapsed``,
        also those that can no longer go in their period: ``send_at`` None), and the digest rows a catch-up
        supersedes."""
        everyone = await ReminderRepository(session).branches(closed=True)
        targets = [b for b in everyone if b.closed_at is None and reachable(b)]
        due: list[PlannedDelivery] = []
        # Cadence by cadence: rows are inserted (and so claimed) in this order, which keeps a branch's
        # monthly and quarterly reminders apart (one message per chat per second).
        for cadence in Cadence:
            period = period_of(cadence, local(at, self.config).date())
            send_at = release_within(at, period.end, self.config)
            if send_at is None and not lapsed:
                continue  # its period ends in tonight's quiet hours: nothing can go in it any more
            due.extend(await self._due_reminders(session, cadence, targets, at, wanted, send_at))
        # A branch closed since a period ended is still in that period's digest (``reminders/digest.py``).
        digests = await due_digests(session, everyone, self.admin_ids, at, self.config, wanted)
        return due + digests.deliveries, digests.superseded

    def _current_stages(
        self, cadence: Cadence, targets: Sequence[Branch], at: datetime
    ) -> dict[Stage, list[Branch]]:
        """The branches by the stage that counts for them at ``at`` (it depends on their hour only)."""
        by_hour: dict[int, Stage | None] = {}
        for hour in {b.reminder_hour for b in targets}:
            current = current_stage(cadence, at, hour, self.config)
            if current is not None and not self.overtaken(cadence, *current, hour, at):
                by_hour[hour] = current[1]
        by_stage: dict[Stage, list[Branch]] = defaultdict(list)
        for branch in targets:
            if (stage := by_hour.get(branch.reminder_hour)) is not None:
                by_stage[stage].append(branch)
        return by_stage

    def overtaken(self, cadence: Cadence, period: Period, stage: Stage, hour: int, at: datetime) -> bool:
        """Whether ``stage``, planned at ``at``, is a catch-up the next stage of ``period`` will say soon anyway.

        A catch-up is released (``release_time``: 08:00 after the quiet hours) more than ``CATCH_UP_GRACE``
        after it fell due; when the period's next stage falls due within ``MERGE_WINDOW`` of that release (24
        hours, inclusive: helper-85's review found one exactly 24 hours before, which ``<`` let through), only
        the next stage is sent. Stages on time are never merged, however close the schedule puts them.
        """
        stages = stages_for(cadence, period, hour, self.config)
        index = next(i for i, (s, _) in enumerate(stages) if s is stage)
        if index + 1 >= len(stages):
            return False
        release = max(at, release_time(at, self.config))
        due_at, next_at = stages[index][1], stages[index + 1][1]
        return release - due_at > CATCH_UP_GRACE and next_at - release <= MERGE_WINDOW

    async def _due_reminders(
        self,
        session: AsyncSession,
        cadence: Cadence,
        targets: Sequence[Branch],
        at: datetime,
        wanted: frozenset[str],
        send_at: datetime | None,
    ) -> list[PlannedDelivery]:
        period = period_of(cadence, local(at, self.config).date())
        deliveries = DeliveryRepository(session)
        candidates: list[tuple[Stage, Branch, str]] = []
        waits: dict[tuple[Stage, int], tuple[datetime, bool]] = {}
        for stage, branches in self._current_stages(cadence, targets, at).items():
            key = (str(Audience.BRANCH), str(cadence), period.code, str(stage))
            states = await deliveries.states(*key)
            if "pending" in wanted:  # plan_preview: when a waiting row really goes
                waits.update(((stage, t), w) for t, w in (await deliveries.waiting(*key)).items())
            for branch in branches:
                status, chat = states.get(branch.id, ("new", None))
                if status in UNDELIVERED and chat != branch.secretary_user_id:
                    # It never reached the secretary this stage was planned for (blocked, gone) and the branch
                    # has another one now: for them it is new (helper-85's review: silence until the next stage).
                    status = "new"
                if status in wanted:
                    candidates.append((stage, branch, status))
        if not candidates:  # the usual case once a stage is planned: no need to read the records or profiles
            return []
        histories = await load_histories(
            session, {b.id: b for _, b, _ in candidates}.values(), self.config.tz
        )
        ledger = await Ledger.load(ReminderRepository(session), cadence, period.code)
        due = []
        for stage, branch, status in candidates:
            missing = ledger.of(branch.id, histories[branch.id].exempt_in(period)).missing
            if missing:
                when, retry = waiting_until(at, period, send_at, waits.get((stage, branch.id)), self.config)
                due.append(self._reminder(branch, cadence, period, stage, missing, status, when, retry))
        return due

    def _reminder(
        self,
        branch: Branch,
        cadence: Cadence,
        period: Period,
        stage: Stage,
        missing: tuple[str, ...],
        status: str,
        send_at: datetime | None,
        retry: bool = False,
    ) -> PlannedDelivery:
        due_at = dict(stages_for(cadence, period, branch.reminder_hour, self.config))[stage]
        assert branch.secretary_user_id is not None
        return PlannedDelivery(
            audience=Audience.BRANCH,
            target_id=branch.id,
            branch_id=branch.id,
            chat_id=branch.secretary_user_id,
            cadence=cadence,
            period=period.code,
            period_label=period.label,
            stage=stage,
            kinds=missing,
            due_at=due_at,
            status=status,
            branch_name=branch.name,
            secretary_name=branch.secretary_name,
            send_at=send_at,
            retry=retry,
        )


def waiting_until(
    at: datetime,
    period: Period,
    send_at: datetime | None,
    wait: tuple[datetime, bool] | None,
    config: ScheduleConfig,
) -> tuple[datetime | None, bool]:
    """When a delivery listed at ``at`` really goes, and whether as a retry. ``send_at`` is when one due at
    ``at`` goes; a row ``pending`` until later (``wait``: its ``next_attempt_at`` and whether it was tried, after a
    failure or a 429) goes then, after the quiet hours, or not at all if its period ends in them first
    (``release_within``, as the sender treats it)."""
    if wait is None:
        return send_at, False
    next_at, retry = wait
    if next_at <= at:
        return send_at, retry
    when = release_within(next_at, period.end, config)
    return (when.astimezone(config.tz) if when is not None else None), retry


def _row(d: PlannedDelivery) -> dict[str, object]:
    row: dict[str, object] = {
        "audience": str(d.audience),
        "target_id": d.target_id,
        "branch_id": d.branch_id,
        "chat_id": d.chat_id,
        "cadence": str(d.cadence),
        "period": d.period,
        "stage": str(d.stage),
        "kinds": list(d.kinds),
    }
    if d.digest is not None:
        row["payload"] = d.digest.to_json()
    return row


def _key(row: dict[str, object]) -> tuple[object, ...]:
    return (row["target_id"], row["cadence"], row["period"], row["stage"])


def _by_target(deliveries: list[PlannedDelivery]) -> list[PlannedDelivery]:
    """Branch by branch (monthly, quarterly, yearly), then the digests by administrator."""
    order = {c: i for i, c in enumerate(Cadence)}
    return sorted(deliveries, key=lambda d: (d.audience != Audience.BRANCH, d.target_id, order[d.cadence]))


def _with_status(d: PlannedDelivery, status: str) -> PlannedDelivery:
    return replace(d, status=status)
