"""Editing a message in place, where "message is not modified" (a double tap) is not an error."""

from __future__ import annotations

from telegram import CallbackQuery
from telegram.error import BadRequest


def _not_modified(exc: BadRequest) -> bool:
    return "not modified" in str(exc)


async def edit_text(query: CallbackQuery, text: str, **kwargs) -> None:
    try:
        await query.edit_message_text(text, **kwargs)
    except BadRequest as exc:
        if not _not_modified(exc):
            raise


async def edit_markup(query: CallbackQuery, markup) -> None:
    try:
        await query.edit_message_reply_markup(reply_markup=markup)
    except BadRequest as exc:
        if not _not_modified(exc):
            raise
