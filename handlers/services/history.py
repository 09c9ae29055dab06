"""A record's history as one timeline: submitted, amended, returned (with the comment), passed, withdrawn."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storage.models import ActivityRecord, RecordAmendment, RecordEvent

REVIEW_LABELS = {"pending_review": "待审核", "passed": "已通过", "returned": "已退回"}
ACTION_LABELS = {
    "submitted": "提交",
    "amended": "修改",
    "returned": "退回",
    "passed": "通过",
    "withdrawn": "撤回",
}


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One step: ``action`` is submitted | amended | returned | passed | withdrawn (labels: ``ACTION_LABELS``).

    ``comment``: the return comment, or the amendment's reason. ``changes``: ``{field: [old, new]}`` of an
    amendment. ``state``: the review state after the step, when the step changed it (an amendment of a returned
    record puts it back to pending_review).
    """

    at: datetime
    actor_id: int
    action: str
    comment: str | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    state: str | None = None

    @property
    def label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


def timeline(
    record: ActivityRecord, amendments: Iterable[RecordAmendment], events: Iterable[RecordEvent]
) -> list[HistoryEntry]:
    """Every step of the record, oldest first (the submission first)."""
    entries = [HistoryEntry(record.created_at, record.submitted_by, "submitted", state="pending_review")]
    resubmits = {e.amendment_id: e for e in events if e.action == "amended" and e.amendment_id is not None}
    for a in amendments:
        moved = resubmits.get(a.id)
        entries.append(
            HistoryEntry(
                a.amended_at, a.amended_by, "amended", a.reason, dict(a.changes or {}), moved and moved.state
            )
        )
    for e in events:
        if e.action == "amended" and e.amendment_id is not None:
            continue
        entries.append(HistoryEntry(e.at, e.actor_id, e.action, e.comment, state=e.state))
    if record.status == "withdrawn" and record.withdrawn_at is not None:
        entries.append(HistoryEntry(record.withdrawn_at, record.submitted_by, "withdrawn"))
    order = {"submitted": 0}
    return sorted(entries, key=lambda h: (h.at, order.get(h.action, 1)))
