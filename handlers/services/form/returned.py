"""A kind chosen while the branch has a returned record of it this period: a note, and a button that opens that
record to amend and resubmit, instead of recording the same activity twice (left open at stop 21: /submit
never pointed to it, though /reminders and the reminder do)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.services.form.model import Act, Action, Reply
from knowledge.activities import ActivityKind, period_of
from storage.repositories import ReminderRepository

AMEND_LABEL = "修改退回的记录"


async def offer_amend(
    session: AsyncSession, branch_id: int, ak: ActivityKind | None, today: date, reply: Reply
) -> Reply:
    """``reply`` (the prompt after the kind is chosen), led by the note and ended by the button when the branch's
    record of ``ak`` for the period of ``today`` was returned and no other record of it stands; else as it is."""
    if ak is None:
        return reply
    period = period_of(ak.cadence, today)
    returned = await ReminderRepository(session).returned(period.code, [ak.code], [branch_id])
    record_id = returned.get((branch_id, ak.code))
    if record_id is None:
        return reply
    note = (
        f"提示：{period.label}的{ak.name}记录已被退回，等待修改。如果要交的就是那次活动，"
        f"请点“{AMEND_LABEL}”，改好后重新提交，不必新填；如果是另一次活动，请继续填写。\n\n"
    )
    button = (AMEND_LABEL, Action(Act.RECORD, str(record_id)))
    return replace(reply, text=note + reply.text, buttons=[*reply.buttons, [button]])
