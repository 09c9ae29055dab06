"""Reminders that know who still owes what (issue 8), without Telegram.

- :class:`ReminderPlanner` (``planner.py``) writes the delivery rows that are due at a moment;
- :class:`ReminderSender` (``sender.py``) delivers them through a :class:`Messenger` the channel implements,
  at a bounded rate, once each;
- :class:`ReminderService` (``secretary.py``) is what ``/reminders`` offers a secretary (status, hour, mutes);
- :class:`BranchImporter` (``importer.py``) adds many branches from a CSV.

The schedule itself (stages, working days, quiet hours) is pure and lives in ``knowledge/schedule.py``.
"""

from __future__ import annotations

from handlers.services.reminders.importer import (
    BranchImporter,
    ImportedBranch,
    ImportProblem,
    ImportResult,
    ImportRow,
    parse_branch_csv,
)
from handlers.services.reminders.limiter import SlidingWindowLimiter
from handlers.services.reminders.model import (
    DEFAULT_PUSH_RATE,
    Audience,
    Blocked,
    CadenceStatus,
    DeadDelivery,
    DeliveryError,
    DeliveryView,
    Digest,
    DigestBranch,
    DigestPeriod,
    KindState,
    KindStatus,
    Messenger,
    MuteScope,
    MuteView,
    PlannedDelivery,
    ReminderStatus,
    RetryAfter,
    SendReport,
    Transient,
    UnreachableBranch,
)
from handlers.services.reminders.planner import ReminderPlanner
from handlers.services.reminders.secretary import ReminderService, parse_hour
from handlers.services.reminders.sender import ReminderSender, SenderOptions

__all__ = [
    "DEFAULT_PUSH_RATE",
    "Audience",
    "Blocked",
    "BranchImporter",
    "CadenceStatus",
    "DeadDelivery",
    "DeliveryError",
    "DeliveryView",
    "Digest",
    "DigestBranch",
    "DigestPeriod",
    "ImportProblem",
    "ImportResult",
    "ImportRow",
    "ImportedBranch",
    "KindState",
    "KindStatus",
    "Messenger",
    "MuteScope",
    "MuteView",
    "PlannedDelivery",
    "ReminderPlanner",
    "ReminderSender",
    "ReminderService",
    "ReminderStatus",
    "RetryAfter",
    "SendReport",
    "SenderOptions",
    "SlidingWindowLimiter",
    "Transient",
    "UnreachableBranch",
    "parse_branch_csv",
    "parse_hour",
]
