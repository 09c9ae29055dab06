"""Repositories: thin, Telegram-free data access over an :class:`AsyncSession`, one module per aggregate.

They flush (so generated ids are available) but never commit: the caller owns the transaction.
Import them from here (``from storage.repositories import BranchRepository``).
"""

from __future__ import annotations

from storage.repositories._checks import NotFoundError
from storage.repositories.branch_import import BranchImportRepository
from storage.repositories.branches import BranchRepository, InvitationRepository, RedeemResult
from storage.repositories.curation import CurationRepository, QuestionRow
from storage.repositories.deliveries import DeliveryRepository
from storage.repositories.drafts import DraftRepository
from storage.repositories.ledger import LedgerRepository
from storage.repositories.ptb_state import PtbStateRepository
from storage.repositories.questions import VOTE_DOWN, VOTE_UP, QuestionRepository
from storage.repositories.records import AMENDABLE_FIELDS, RecordRepository
from storage.repositories.reminders import ReminderRepository
from storage.repositories.reviews import ReviewRepository
from storage.repositories.status import CountRow, StatusRepository
from storage.repositories.supervisors import SupervisorRepository
from storage.repositories.thumbnails import ThumbnailRepository
from storage.repositories.updates import UpdateRepository
from storage.repositories.web_auth import LinkStatus, LoginLinkRepository, WebSessionRepository

__all__ = [
    "AMENDABLE_FIELDS",
    "VOTE_DOWN",
    "VOTE_UP",
    "BranchImportRepository",
    "BranchRepository",
    "CountRow",
    "CurationRepository",
    "DeliveryRepository",
    "DraftRepository",
    "InvitationRepository",
    "LedgerRepository",
    "LinkStatus",
    "LoginLinkRepository",
    "NotFoundError",
    "PtbStateRepository",
    "QuestionRepository",
    "QuestionRow",
    "RecordRepository",
    "RedeemResult",
    "ReminderRepository",
    "ReviewRepository",
    "StatusRepository",
    "SupervisorRepository",
    "ThumbnailRepository",
    "UpdateRepository",
    "WebSessionRepository",
]
