"""Drop an update seen before (Telegram may deliver one twice, e.g. after a webhook timeout), or one from nobody."""

from __future__ import annotations

from collections import OrderedDict

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from handlers.tg.context import BotContext

SEEN_KEY = "seen_update_ids"
REMEMBER = 2000


async def drop_repeats(update: Update, context: BotContext) -> None:
    """Also drops updates without a user (channel posts, some service messages): nobody to answer."""
    if update.effective_user is None:
        raise ApplicationHandlerStop
    seen: OrderedDict[int, None] = context.bot_data.setdefault(SEEN_KEY, OrderedDict())
    if update.update_id in seen:
        raise ApplicationHandlerStop
    seen[update.update_id] = None
    while len(seen) > REMEMBER:
        seen.popitem(last=False)


def register(application: Application, *, group: int = -3) -> None:
    application.add_handler(TypeHandler(Update, drop_repeats), group=group)
