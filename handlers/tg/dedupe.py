"""Drop an update seen before (Telegram may deliver one twice, e.g. after a webhook timeout), or one from nobody;
tell the first press of a button that sends a message from a second tap of the same button."""

from __future__ import annotations

from collections import OrderedDict

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from handlers.tg.context import BotContext

SEEN_KEY = "seen_update_ids"
REMEMBER = 2000
PRESSED_KEY = "pressed_buttons"


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


def first_press(context: BotContext, chat_id: int, message_id: int | None, data: str | None) -> bool:
    """True the first time this button of this message is pressed (a double tap must not send twice)."""
    if message_id is None:
        return True
    pressed: OrderedDict[tuple, None] = context.bot_data.setdefault(PRESSED_KEY, OrderedDict())
    key = (chat_id, message_id, data)
    if key in pressed:
        return False
    pressed[key] = None
    while len(pressed) > REMEMBER:
        pressed.popitem(last=False)
    return True


def forget_press(context: BotContext, chat_id: int, message_id: int | None, data: str | None) -> None:
    """The press could not be completed: a new tap may try again."""
    context.bot_data.get(PRESSED_KEY, OrderedDict()).pop((chat_id, message_id, data), None)


def register(application: Application, *, group: int = -3) -> None:
    application.add_handler(TypeHandler(Update, drop_repeats), group=group)
