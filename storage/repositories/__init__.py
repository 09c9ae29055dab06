"""Repositories: thin, Telegram-free data access over an :class:`AsyncSession`, one module per aggregate.

They flush (so generated ids are available) but never commit: the caller owns the transaction.
Import them from here (``from storage.repositories import BranchRepository``).
"""

from __future__ import annotations

from storage.repositories._checks import NotFoundError
from storage.repositories.branch_import import BranchImportRepository
from storage.repositories.branches import BranchRepository, InvitationRepository, RedeemResult
from storage.repositories.drafts import DraftRepository
from storage.repositories.ptb_state import PtbStateRepository
from storage.repositories.questions import VOTE_DOWN, VOTE_UP, QuestionRepository
from storage.repositories.records import AMENDABLE_FIELDS, RecordRepository
from storage.repositories.reminders import DeliveryRepository, ReminderRepository

__all__ = [
    "AMENDABLE_FIELDS",
    "VOTE_DOWN",
    "VOTE_UP",
    "BranchImportRepository",
    "BranchRepository",
    "DeliveryRepository",
    "DraftRepository",
    "InvitationRepository",
    "NotFoundError",
    "PtbStateRepository",
    "QuestionRepository",
    "RecordRepository",
    "RedeemResult",
    "ReminderRepository",
]
