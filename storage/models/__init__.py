"""ORM models, one module per aggregate. Every schema change here needs a matching migration in
``storage/migrations/versions``."""

from storage.models._base import NAMING_CONVENTION, Base, TZDateTime
from storage.models.branches import (
    BRANCH_FORMS,
    Branch,
    BranchClosure,
    BranchProfileChange,
    Invitation,
)
from storage.models.people import Person
from storage.models.ptb_state import PtbState
from storage.models.questions import Feedback, QuestionLog
from storage.models.records import (
    FILE_ROLES,
    RECORD_STATUSES,
    REVIEW_STATES,
    ActivityRecord,
    Draft,
    RecordAmendment,
    RecordFile,
)
from storage.models.reminders import (
    DELIVERY_AUDIENCES,
    DELIVERY_CADENCES,
    DELIVERY_STAGES,
    DELIVERY_STATUSES,
    ReminderDelivery,
    ReminderMute,
)
from storage.models.review import (
    EVENT_ACTIONS,
    LoginLink,
    RecordEvent,
    SupervisorScope,
    WebhookUpdate,
    WebSession,
)

__all__ = [
    "ActivityRecord",
    "BRANCH_FORMS",
    "Base",
    "Branch",
    "BranchClosure",
    "BranchProfileChange",
    "DELIVERY_AUDIENCES",
    "DELIVERY_CADENCES",
    "DELIVERY_STAGES",
    "DELIVERY_STATUSES",
    "Draft",
    "EVENT_ACTIONS",
    "FILE_ROLES",
    "Feedback",
    "Invitation",
    "LoginLink",
    "NAMING_CONVENTION",
    "Person",
    "PtbState",
    "QuestionLog",
    "RECORD_STATUSES",
    "REVIEW_STATES",
    "RecordAmendment",
    "RecordEvent",
    "RecordFile",
    "ReminderDelivery",
    "ReminderMute",
    "SupervisorScope",
    "TZDateTime",
    "WebSession",
    "WebhookUpdate",
]
