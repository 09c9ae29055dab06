"""The plain values the reminder services take and return, the ``Messenger`` a channel implements, and the
exceptions it raises. Nothing here names Telegram: ``handlers/tg`` turns a :class:`DeliveryView` into a message.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from knowledge.activities import Cadence
from knowledge.schedule import Stage

DEFAULT_PUSH_RATE = 25.0  # messages per second, over any one-second window (BRANCHBOT_PUSH_RATE)


class Audience(StrEnum):
    BRANCH = "branch"  # a secretary's reminder
    ADMIN = "admin"  # an administrator's digest


class MuteScope(StrEnum):
    PERIOD = "period"  # this period of the kind's cadence only
    UNTIL_UNMUTED = "until_unmuted"


class KindState(StrEnum):
    DONE = "done"  # recorded, and a reviewer passed it
    WAITING = "waiting"  # recorded, but its records still wait for review (done as far as reminders go)
    MISSING = "missing"
    MUTED = "muted"  # missing, but the branch asked not to be reminded
    RETURNED = (
        "returned"  # missing: its record of the period was returned by a reviewer, to amend and resubmit
    )
    EXEMPT = "exempt"  # not owed by the branch's profile (``knowledge.organisation.exempt_kinds``)


# --- What the Messenger raises ------------------------------------------------------------------------------


class DeliveryError(Exception):
    """Why a delivery failed. ``reason`` is short and written by the adapter (e.g. ``"403 Forbidden"``,
    ``"timeout"``); it is stored as the row's ``last_error`` and must never contain a user's text."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason or type(self).__name__


class Blocked(DeliveryError):
    """403 (the user blocked the bot or deleted the account) or "chat not found": the row is ``failed``, the
    secretary is marked unreachable and nothing more is tried for them until they /start again."""


class RetryAfter(DeliveryError):
    """429: the whole broadcast pauses ``seconds``, then resumes at the same rate; the row is sent later."""

    def __init__(self, seconds: float, reason: str = "") -> None:
        super().__init__(reason or f"429 retry after {seconds:g} s")
        self.seconds = max(0.0, float(seconds))


class Transient(DeliveryError):
    """Network error, time-out, 5xx: retried with backoff a bounded number of times, then the row is ``dead``."""


# --- Deliveries ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestBranch:
    """A branch that missed something in a closed period (``missing`` includes the muted kinds)."""

    branch_id: int
    name: str
    org_name: str
    missing: tuple[str, ...]  # kind codes, catalogue order
    muted: tuple[tuple[str, str], ...]  # (kind code, the secretary's reason): muted, still missing
    has_secretary: bool
    unreachable: bool
    # of ``missing``, the kinds whose records of the period were all returned by a reviewer (none for digests
    # stored before it was kept)
    returned: tuple[str, ...] = ()
    # the day the branch was created (ISO), when it was created within the period: it had less than the period
    # to hold what it misses (helper-85's review: one created on 30 June read as failing all June)
    founded: str | None = None
    # the day the branch was closed (撤销, ISO) when it was closed after the period, before the digest went
    closed: str | None = None


@dataclass(frozen=True, slots=True)
class DigestPeriod:
    cadence: Cadence
    period: str  # 2026-11
    label: str  # 2026年11月
    total: int  # branches that existed by the period's end
    complete: int  # of them, those that recorded every kind of the cadence
    branches: tuple[DigestBranch, ...]  # the others, by branch id
    waiting: int = 0  # of the complete ones, those with a kind whose records all still wait for review


@dataclass(frozen=True, slots=True)
class UnreachableBranch:
    branch_id: int
    name: str
    org_name: str
    since: datetime


@dataclass(frozen=True, slots=True)
class Digest:
    """What an administrator learns once a month closes (with its quarter and year when it ends them).

    A catch-up (``catch_up``: sent late, after an outage, ``digest_plan``) holds the latest missed month and
    every quarter and year that closed in the missed months; ``left_out`` names the missed months whose own
    monthly summary it does not repeat.
    """

    month: str  # the closed month, 2026-11
    periods: tuple[DigestPeriod, ...]  # monthly first, then quarterly and yearly if they closed too
    unreachable: tuple[UnreachableBranch, ...]  # secretaries who could not be reached
    catch_up: bool = False
    left_out: tuple[str, ...] = ()  # month codes, oldest first

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for item in data["unreachable"]:
            item["since"] = item["since"].isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Digest:
        periods = tuple(
            DigestPeriod(
                cadence=Cadence(p["cadence"]),
                period=p["period"],
                label=p["label"],
                total=p["total"],
                complete=p["complete"],
                branches=tuple(
                    DigestBranch(
                        **{
                            **b,
                            "missing": tuple(b["missing"]),
                            "muted": tuple(tuple(m) for m in b["muted"]),
                            "returned": tuple(b.get("returned", ())),
                        }
                    )
                    for b in p["branches"]
                ),
                waiting=p.get("waiting", 0),  # digests stored before it was counted have none
            )
            for p in data["periods"]
        )
        unreachable = tuple(
            UnreachableBranch(**{**u, "since": datetime.fromisoformat(u["since"])})
            for u in data["unreachable"]
        )
        return cls(
            month=data["month"],
            periods=periods,
            unreachable=unreachable,
            catch_up=bool(data.get("catch_up", False)),  # digests stored before catch-ups have neither
            left_out=tuple(data.get("left_out", ())),
        )


@dataclass(frozen=True, slots=True)
class PlannedDelivery:
    """A delivery that is due at a moment (``plan`` / ``plan_preview``)."""

    audience: Audience
    target_id: int  # branch id, or the administrator's user id
    branch_id: int | None
    chat_id: int  # the secretary's (or administrator's) Telegram user id
    cadence: Cadence
    period: str
    period_label: str
    stage: Stage
    kinds: tuple[str, ...]  # kind codes still missing and not muted (empty for a digest)
    due_at: datetime  # when this stage fell due for the branch (its hour)
    status: str = "new"  # "new" (not yet in the table) or the existing row's status (pending, sending)
    digest: Digest | None = None
    branch_name: str | None = None  # for listing (``branchbot reminders plan``); not stored
    secretary_name: str | None = None
    # when it will go (08:00 after the quiet hours); None: it will not, its period ends before (``plan_preview``
    # lists it so; ``plan`` never writes it)
    send_at: datetime | None = None
    retry: bool = (
        False  # a row waiting for a retry (after a failure or a 429): ``send_at`` is that retry's time
    )

    def as_json(self) -> dict[str, Any]:
        """The CLI's line: ``{"branch_id", "chat_id", "period", "stage", "kinds", "send_at"}`` (``send_at``: ISO
        8601, or null when it will not be sent)."""
        return {
            "branch_id": self.branch_id,
            "chat_id": self.chat_id,
            "period": self.period,
            "stage": str(self.stage),
            "kinds": list(self.kinds),
            "send_at": self.send_at.isoformat() if self.send_at is not None else None,
        }


@dataclass(frozen=True, slots=True)
class DeliveryView:
    """What a channel needs to word one reminder or digest (plain values; names and quotes are looked up by
    the renderer: ``activity_by_code(code).name``, and ``KnowledgeBase.find(cite)`` for each of ``cites``)."""

    id: int  # the delivery row
    audience: Audience
    chat_id: int
    branch_id: int | None
    branch_name: str | None
    cadence: Cadence
    period: str  # 2026-11, 2026-Q4, 2026
    period_label: str  # 2026年11月, 2026年第四季度, 2026年度
    deadline: date  # the period's last day
    stage: Stage  # open | nudge | last | digest
    kinds: tuple[str, ...]  # kind codes still missing (checked again just before sending), catalogue order
    kind_names: tuple[str, ...]  # their names, same order
    cites: tuple[str, ...]  # the distinct catalogue ``cite`` phrases of those kinds, same order
    attempt: int  # 1 for the first try
    digest: Digest | None = None  # for audience "admin"
    # (kind, record id) of the kinds among ``kinds`` whose records of the period were all returned by a reviewer:
    # the latest of them, which the secretary should amend and resubmit instead of recording anew
    returned: tuple[tuple[str, int], ...] = ()

    def returned_record(self, kind: str) -> int | None:
        """The returned record to amend for ``kind``, or None if the kind simply has no record."""
        return next((rid for code, rid in self.returned if code == kind), None)


class Messenger(Protocol):
    """How the sender reaches a chat. Returns the message id (or None if the channel has none).

    Raise :class:`Blocked`, :class:`RetryAfter` or :class:`Transient`; any other exception counts as transient.
    """

    async def send_reminder(self, chat_id: int, delivery: DeliveryView) -> int | None: ...


@dataclass(frozen=True, slots=True)
class SendReport:
    sent: int
    failed: int  # ended failed (unreachable) or dead in this run
    skipped: int  # no longer worth sending (recorded meanwhile, later stage due, period closed ...)
    # sent / (seconds from the first send to the last + one window); waits for 429s and retries excluded
    rate_achieved: float
    dead: int = 0  # of ``failed``, those whose retries ran out
    retrying: int = 0  # put back for a later attempt after a transient failure (each time)
    paused_seconds: float = 0.0  # time spent waiting out 429s
    elapsed_seconds: float = 0.0
    waiting_retry: int = 0  # deliveries left waiting for a retry when the run ended (each once)
    # why deliveries failed in this run (the Messenger's reasons, e.g. "timeout"), with how many times each
    failures: tuple[tuple[str, int], ...] = ()


# --- What a secretary sees -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KindStatus:
    code: str
    name: str
    state: KindState
    mute_reason: str | None = None
    mute_period: str | None = None  # the period a mute holds for; None with MUTED: until unmuted
    returned_id: int | None = None  # RETURNED (or MUTED): the latest returned record of the period, to amend


@dataclass(frozen=True, slots=True)
class CadenceStatus:
    cadence: Cadence
    period: str
    period_label: str
    deadline: date
    kinds: tuple[KindStatus, ...]
    next_reminder: datetime | None  # None: nothing more will be reminded (all done, muted, or unreachable)
    next_stage: Stage | None
    next_period_label: str | None  # the period that reminder is about (this one or the next)


@dataclass(frozen=True, slots=True)
class ReminderStatus:
    branch_id: int
    branch_name: str
    hour: int  # the hour reminders come at
    hour_is_default: bool
    reachable: bool
    cadences: tuple[CadenceStatus, ...]  # monthly, quarterly, yearly
    next_reminder: datetime | None  # the earliest of the cadences'
    # why the branch is neither counted nor reminded (a 挂靠建 group, no formal member), and from when after a
    # change that counts from the next period (``organisation.profile_line``), else None
    no_own_activities: str | None = None


@dataclass(frozen=True, slots=True)
class MuteView:
    kind: str
    name: str
    reason: str
    period: str | None  # None: until unmuted
    period_label: str | None


@dataclass(frozen=True, slots=True)
class DeadDelivery:
    """A delivery that did not get through, for administrators: ``status`` ``dead`` (its retries ran out) or
    ``failed`` (Telegram refused the chat: the secretary blocked the bot, deleted the account, or the chat is not
    found). For a ``failed`` branch row, ``unreachable`` says whether the secretary is still flagged unreachable
    (no reminders until they /start again, as /branches shows)."""

    id: int
    audience: Audience
    branch_id: int | None
    chat_id: int
    cadence: Cadence
    period: str
    stage: Stage
    attempts: int
    last_error: str | None
    updated_at: datetime
    status: str = "dead"
    branch_name: str | None = None
    unreachable: bool = False
    period_label: str | None = None  # 2026年11月, 2026年第四季度, 2026年度 (None if the code is malformed)
    kinds: tuple[str, ...] = ()  # the kind codes the reminder listed (empty for a digest)
