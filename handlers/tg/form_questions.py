"""A question typed at a step of the form that refuses it (the date, the attendance, a choice, the photos): the
speeches' answer, then the step asked again; the draft is untouched.

Before, the step refused it and said to ask after the form or to cancel it (/cancel loses what was entered). Only a
question the speeches answer surely is answered so: one they hold nothing sure on, often about the form itself
(缺席的也要算进应到人数吗), and one about using the bot still get the step's refusal, which says how to ask later.
"""

from __future__ import annotations

from telegram import Update

from handlers.services.qa import clean_question
from handlers.services.usage import usage_of
from handlers.tg.context import BotContext
from handlers.tg.qa import send_result

BACK_TO_FORM = "📝 表单还在填写中，已填的内容都在。请继续这一步：\n"


async def answer_at_step(update: Update, context: BotContext, text: str) -> bool:
    """Whether ``text`` was answered from the speeches (then the caller asks the step again)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or usage_of(text) is not None or not clean_question(text):
        return False
    if not context.services.qa.answers_surely(text):
        return False  # only a sure answer interrupts the form (缺席的也要算进应到人数吗 is about the form)
    result = await context.services.qa.ask(text, user_id=user.id, chat_id=chat.id)
    await send_result(context, chat.id, result)
    return True
