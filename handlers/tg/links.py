"""Telegram links (no Telegram import: the CLI prints them too)."""

from __future__ import annotations


def deep_link(bot_username: str | None, code: str) -> str | None:
    """``https://t.me/<bot>?start=<code>``: opening it sends ``/start <code>`` to the bot."""
    return f"https://t.me/{bot_username}?start={code}" if bot_username else None
