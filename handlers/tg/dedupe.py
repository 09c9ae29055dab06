"""Drop an update seen before (Telegram may deliver one twice, e.g. after a webhook timeout), or one from nobody;
tell the first press of a button that sends a message from a second tap of the same button (within
``PRESS_WINDOW``).

The ids seen live in ``bot_data`` (this process) and, once an update is processed, in the database
(``UpdateStore.remember_processed``, called by ``PerChatUpdateProcessor``), so after a restart :func:`load` gives
the new process the latest ones: with long polling, Telegram delivers again whatever the dead process processed
but never confirmed (the next ``getUpdates`` confirms). Each id is kept, not a high-water mark: updates of
different chats run concurrently, so a later id may finish while an earlier one still waits for its chat, and
"everything up to the highest processed id" would drop that earlier one for good after a crash. An update is
recorded after it is processed, so one cut short by the crash is processed again rather than lost.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import datetime, timedelta

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from handlers.services.updates import UpdateStore
from handlers.tg.context import SERVICES_KEY, BotContext

log = logging.getLogger(__name__)
SEEN_KEY = "seen_update_ids"
PRUNE_JOB = "prune_updates"
PRUNE_EVERY = timedelta(days=1)
REMEMBER = 2000
PRESSED_KEY = "pressed_buttons"
PRESS_WINDOW = timedelta(seconds=20)  # a second tap within this is a double tap, later a new request


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


async def load(application: Application) -> int:
    """At start-up, before polling: the latest processed ids (more than one ``getUpdates`` batch can redeliver);
    then a daily job deletes the rows processed over a week ago."""
    services = application.bot_data.get(SERVICES_KEY)
    if services is None:
        return 0
    if application.job_queue is not None:
        application.job_queue.run_repeating(_prune, interval=PRUNE_EVERY, first=60, name=PRUNE_JOB)
    try:
        ids = await services.updates.latest_processed(REMEMBER)
    except Exception as exc:  # the bot still starts; only a redelivery right after it could be answered twice
        log.warning("could not read the processed updates (%s)", type(exc).__name__)
        return 0
    seen: OrderedDict[int, None] = application.bot_data.setdefault(SEEN_KEY, OrderedDict())
    for update_id in ids:
        seen.setdefault(update_id, None)
    while len(seen) > REMEMBER:
        seen.popitem(last=False)
    return len(ids)


async def _prune(context: BotContext) -> None:
    try:
        await context.services.updates.prune()
    except Exception as exc:
        log.warning("could not prune the processed updates (%s)", type(exc).__name__)


def remember(updates: UpdateStore):
    """The processor's ``finished``: record each update with a user once it has been processed."""

    async def finished(update: object) -> None:
        if isinstance(update, Update) and update.effective_user is not None:
            await updates.remember_processed(update.update_id)

    return finished


def first_press(context: BotContext, chat_id: int, message_id: int | None, data: str | None) -> bool:
    """False for a second tap of this button of this message within ``PRESS_WINDOW`` of the first (a double tap
    must not send twice); a tap later than that is a new request (helper-95's review: 查看原文 on an answer
    scrolled back to an hour later only got "已经发送")."""
    if message_id is None:
        return True
    pressed: OrderedDict[tuple, datetime] = context.bot_data.setdefault(PRESSED_KEY, OrderedDict())
    key, now = (chat_id, message_id, data), context.services.clock.now()
    earlier = pressed.get(key)
    if earlier is not None and timedelta(0) <= now - earlier < PRESS_WINDOW:
        return False
    pressed[key] = now
    pressed.move_to_end(key)
    while len(pressed) > REMEMBER:
        pressed.popitem(last=False)
    return True


def forget_press(context: BotContext, chat_id: int, message_id: int | None, data: str | None) -> None:
    """The press could not be completed: a new tap may try again."""
    context.bot_data.get(PRESSED_KEY, OrderedDict()).pop((chat_id, message_id, data), None)


def register(application: Application, *, group: int = -4) -> None:
    application.add_handler(TypeHandler(Update, drop_repeats), group=group)
