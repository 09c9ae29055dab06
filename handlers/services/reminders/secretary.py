"""What a secretary does with reminders (``/reminders``): see what is due this month, quarter and year and
when the next reminder comes, pick the hour, mute a kind with a reason, unmute it; and, for administrators,
the deliveries whose retries ran out. Also :meth:`ReminderService.mark_reachable`, which the channel calls on
every ``/start`` (with or without an invitation code) so a secretary who blocked the bot is reminded again.

Every method that needs the user's branch returns ``None`` when the user is no branch's secretary.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.clock import Clock
from handlers.services.profile_history import load_histories
from handlers.services.reminders.dues import Ledger, Outstanding
from handlers.services.reminders.model import (
    Audience,
    CadenceStatus,
    DeadDelivery,
    KindState,
    KindStatus,
    MuteScope,
    MuteView,
    ReminderStatus,
)
from handlers.services.reminders.planner import reachable, reminded
from handlers.services.text import clean_text
from knowledge.activities import Cadence, activity_by_code, period_of
from knowledge.organisation import profile_line
from knowledge.schedule import (
    MAX_HOUR,
    MIN_HOUR,
    ScheduleConfig,
    Stage,
    kinds_of,
    local,
    period_by_code,
    stages_for,
    upcoming,
)
from storage.models import Branch, ReminderDelivery
from storage.repositories import BranchRepository, DeliveryRepository, ReminderRepository

REASON_LENGTH = (2, 100)


def parse_hour(hour: object) -> int:
    """``hour`` if a branch may choose it (an integer from 8 to 20), else ``ValueError`` with a Chinese message."""
    if isinstance(hour, bool) or not isinstance(hour, int) or not MIN_HOUR <= hour <= MAX_HOUR:
        raise ValueError(f"提醒时间只能选 {MIN_HOUR}:00 到 {MAX_HOUR}:00 之间的整点。")
    return hour


class ReminderService:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        config: ScheduleConfig | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.config = config if config is not None else ScheduleConfig(tz=clock.tz)

    async def status(self, user_id: int, at: datetime | None = None) -> ReminderStatus | None:
        """What is due this month, quarter and year: done (passed), waiting for review, missing, returned (to
        amend) or muted, and the next reminder. A kind waiting for review is not reminded (it is recorded)."""
        at = at if at is not None else self.clock.now()
        async with self.session_factory() as session:
            branch = await BranchRepository(session).by_secretary(user_id)
            if branch is None:
                return None
            repo = ReminderRepository(session)
            cadences = []
            history = (await load_histories(session, [branch], self.config.tz))[branch.id]
            for cadence in Cadence:
                period = period_of(cadence, local(at, self.config).date())
                ledger = await Ledger.load(
                    repo, cadence, period.code, [branch.id], returned=True, waiting=True
                )
                owed = ledger.of(branch.id, history.exempt_in(period))
                cadences.append(self._cadence_status(branch, cadence, owed, at))
        upcoming_times = [c.next_reminder for c in cadences if c.next_reminder is not None]
        return ReminderStatus(
            branch_id=branch.id,
            branch_name=branch.name,
            hour=branch.reminder_hour or self.config.default_hour,
            hour_is_default=branch.reminder_hour is None,
            reachable=branch.secretary_unreachable_at is None,
            cadences=tuple(cadences),
            next_reminder=min(upcoming_times, default=None),
            no_own_activities=profile_line(
                branch.form, branch.formal_members, history.exempt_now(local(at, self.config).date())
            ),
        )

    def _cadence_status(
        self, branch: Branch, cadence: Cadence, owed: Outstanding, at: datetime
    ) -> CadenceStatus:
        period = period_of(cadence, local(at, self.config).date())
        mutes = {m.kind: m for m in owed.muted}
        returned = dict(owed.returned)
        kinds = []
        for code in kinds_of(cadence):
            ak = activity_by_code(code)
            name = ak.name if ak else code
            if code in owed.waiting:
                kinds.append(KindStatus(code, name, KindState.WAITING))
            elif code in owed.done:
                kinds.append(KindStatus(code, name, KindState.DONE))
            elif code not in owed.owed:  # not owed by the branch's profile: neither buttons nor reminders
                kinds.append(KindStatus(code, name, KindState.EXEMPT))
            elif code in mutes:
                mute = mutes[code]
                kinds.append(
                    KindStatus(code, name, KindState.MUTED, mute.reason, mute.period, returned.get(code))
                )
            elif code in returned:
                kinds.append(KindStatus(code, name, KindState.RETURNED, returned_id=returned[code]))
            else:
                kinds.append(KindStatus(code, name, KindState.MISSING))
        next_at, next_stage, next_label = self._next_reminder(branch, cadence, owed, at)
        return CadenceStatus(
            cadence=cadence,
            period=period.code,
            period_label=period.label,
            deadline=period.end,
            kinds=tuple(kinds),
            next_reminder=next_at,
            next_stage=next_stage,
            next_period_label=next_label,
        )

    def _next_reminder(
        self, branch: Branch, cadence: Cadence, owed: Outstanding, at: datetime
    ) -> tuple[datetime | None, Stage | None, str | None]:
        """The next stage that would remind this branch of something (this period, else the next one)."""
        if not reachable(branch):  # no secretary who can be reached (``planner.reachable``)
            return None, None, None
        current = period_of(cadence, local(at, self.config).date())
        period, stage, when = upcoming(cadence, at, branch.reminder_hour, self.config)
        if period.code == current.code and not owed.missing:
            # Nothing more to remind this period: the next period's first stage.
            period = period_of(cadence, current.end + timedelta(days=1))
            stage, when = stages_for(cadence, period, branch.reminder_hour, self.config)[0]
        if period.code != current.code:
            if not reminded(branch):  # the next period goes by today's profile: no activities of its own
                return None, None, None
            muted_for_good = {m.kind for m in owed.muted if m.period is None}
            if muted_for_good >= set(kinds_of(cadence)):
                return None, None, None
        return when, stage, period.label

    async def set_hour(self, user_id: int, hour: int) -> int | None:
        """Reminders come at ``hour`` (8 to 20); ``ValueError`` with a Chinese message otherwise."""
        hour = parse_hour(hour)
        async with self.session_factory() as session, session.begin():
            branch = await BranchRepository(session).by_secretary(user_id)
            if branch is None:
                return None
            await ReminderRepository(session).set_hour(branch.id, hour)
        return hour

    async def mute(self, user_id: int, kind: str, reason: str, scope: MuteScope | str) -> MuteView | None:
        """Stop reminding ``kind`` for this period or until unmuted; it still counts as missing in reports.

        ``ValueError`` (a Chinese message) for an unknown kind, a reason shorter than 2 or longer than 100
        characters, or an unknown scope.
        """
        ak = activity_by_code(kind)
        if ak is None:
            raise ValueError("没有这种活动。")
        text = clean_text(reason, 1000)
        low, high = REASON_LENGTH
        if not low <= len(text) <= high:
            raise ValueError(f"请写明不需要提醒的原因（{low}到{high}个字）。")
        try:
            scope = MuteScope(scope)
        except ValueError:
            raise ValueError("请选择“仅本期”或“直到取消”。") from None
        now = self.clock.now()
        period = period_of(ak.cadence, local(now, self.config).date()) if scope is MuteScope.PERIOD else None
        async with self.session_factory() as session, session.begin():
            branch = await BranchRepository(session).by_secretary(user_id)
            if branch is None:
                return None
            history = (await load_histories(session, [branch], self.config.tz))[branch.id]
            if kind in history.exempt_in(period_of(ak.cadence, local(now, self.config).date())):
                raise ValueError(f"本支部不需要开展{ak.name}，不会收到这项提醒，无需免提醒。")
            await ReminderRepository(session).mute(
                branch_id=branch.id,
                kind=kind,
                reason=text,
                period=period.code if period else None,
                created_by=user_id,
                at=now,
            )
        return MuteView(
            kind, ak.name, text, period.code if period else None, period.label if period else None
        )

    async def unmute(self, user_id: int, kind: str) -> bool | None:
        """Remind ``kind`` again; False if it was not muted."""
        async with self.session_factory() as session, session.begin():
            branch = await BranchRepository(session).by_secretary(user_id)
            if branch is None:
                return None
            return await ReminderRepository(session).unmute(branch.id, kind, at=self.clock.now())

    async def mutes(self, user_id: int) -> list[MuteView] | None:
        """The branch's mutes (including one whose period has passed: it no longer applies)."""
        async with self.session_factory() as session:
            branch = await BranchRepository(session).by_secretary(user_id)
            if branch is None:
                return None
            rows = await ReminderRepository(session).mutes_of(branch.id)
        views = []
        for m in rows:
            ak = activity_by_code(m.kind)
            label = period_by_code(ak.cadence, m.period).label if ak and m.period else None
            views.append(MuteView(m.kind, ak.name if ak else m.kind, m.reason, m.period, label))
        return views

    async def mark_reachable(self, user_id: int) -> bool:
        """The secretary wrote to the bot again (/start): remind them again. True if they were unreachable."""
        async with self.session_factory() as session, session.begin():
            return await ReminderRepository(session).mark_reachable(user_id)

    async def dead(self, limit: int = 50) -> list[DeadDelivery]:
        """Deliveries that did not get through, newest first (for administrators): those whose retries ran out
        (``dead``) and those Telegram refused (``failed``: blocked, deleted account, chat not found)."""
        async with self.session_factory() as session:
            repo = DeliveryRepository(session)
            rows = [
                *await repo.with_status("dead", limit=limit),
                *await repo.with_status("failed", limit=limit),
            ]
            rows.sort(key=lambda r: (r.updated_at, r.id), reverse=True)
            rows = rows[:limit]
            branches = BranchRepository(session)
            by_id = {b: await branches.get(b) for b in {r.branch_id for r in rows if r.branch_id is not None}}
        return [_dead(r, by_id.get(r.branch_id) if r.branch_id is not None else None) for r in rows]


def _dead(row: ReminderDelivery, branch: Branch | None) -> DeadDelivery:
    return DeadDelivery(
        id=row.id,
        audience=Audience(row.audience),
        branch_id=row.branch_id,
        chat_id=row.chat_id,
        cadence=Cadence(row.cadence),
        period=row.period,
        stage=Stage(row.stage),
        attempts=row.attempts,
        last_error=row.last_error,
        updated_at=row.updated_at,
        status=row.status,
        branch_name=branch.name if branch else None,
        unreachable=branch is not None and branch.secretary_unreachable_at is not None,
        period_label=_period_label(Cadence(row.cadence), row.period),
        kinds=tuple(row.kinds or ()),
    )


def _period_label(cadence: Cadence, code: str) -> str | None:
    try:
        return period_by_code(cadence, code).label
    except ValueError:
        return None
