"""What the form says once a kind is chosen, beyond its first question.

- The branch has a returned record of the kind this period: a note, and a button that opens that record to amend
  and resubmit, instead of recording the same activity twice (left open at stop 21: /submit never pointed to it,
  though /reminders and the reminder do).
- The kind came from a reminder's button whose period has closed (a June reminder tapped in July): which period
  a record dated today counts for, and how to record the closed one late (helper-85's review: nothing said so).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.services.form.model import Act, Action, Reply
from knowledge.activities import ActivityKind, period_of
from knowledge.schedule import period_by_code
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


def closed_period_note(ak: ActivityKind | None, period_code: str | None, today: date, reply: Reply) -> Reply:
    """``reply`` led by a note when ``period_code`` (the reminder's) is a period of ``ak`` that has closed."""
    if ak is None or period_code is None:
        return reply
    current = period_of(ak.cadence, today)
    try:
        closed = period_by_code(ak.cadence, period_code)
    except ValueError:  # a period of another cadence, or junk: nothing to say
        return reply
    if closed.end >= current.start:
        return reply
    note = (
        f"提示：这个提醒说的是{closed.label}，已经截止。补登那时开展的活动，请填写实际日期"
        f"（如 {closed.end.month}月{closed.end.day}日）；今天开展的活动计入{current.label}。\n\n"
    )
    return replace(reply, text=note + reply.text)
