"""The defensive edge: commands that ignore edits, the text of an update made safe once, the user's name."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from handlers.services.text import clean_text

NAME_LIMIT = 100
# Told to anyone who uses a secretary's command without a branch (one text, every command).
NO_BRANCH = "您还没有加入党支部。请联系上级党委管理员获取邀请链接。"


def command(name: str, callback, **kwargs) -> CommandHandler:
    """A ``CommandHandler`` for new messages only: editing an old ``/submit`` must not run it again."""
    extra = kwargs.pop("filters", None)
    only_new = filters.UpdateType.MESSAGE if extra is None else filters.UpdateType.MESSAGE & extra
    return CommandHandler(name, callback, filters=only_new, **kwargs)


def incoming_text(update: Update) -> str:
    """The message's text, cleaned (see ``handlers.services.text.clean_text``)."""
    message = update.effective_message
    return clean_text(message.text if message is not None else None)


def user_name(update: Update) -> str | None:
    user = update.effective_user
    return (clean_text(user.full_name, NAME_LIMIT) or None) if user is not None else None
