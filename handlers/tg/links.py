"""Telegram links (no Telegram import: the CLI prints them too)."""

from __future__ import annotations

import re

# Telegram's rule for a bot's username: 5 to 32 letters, digits and underscores, starting with a letter and
# ending in "bot" (any case).
BOT_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt]")
LINK_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?(?:t|telegram)\.me/", re.IGNORECASE)
NOT_A_BOT_USERNAME = (
    "机器人用户名“{text}”无效：应为 5 到 32 个英文字母、数字或下划线，以字母开头、以 bot 结尾，"
    "如 mybot、@mybot 或 https://t.me/mybot。"
)


def bot_username(text: str) -> str:
    """The bot's username from ``mybot``, ``@mybot`` or ``https://t.me/mybot`` as an operator types it;
    ``ValueError`` with a Chinese sentence if it is not a bot's username (a link to it would be dead)."""
    plain = LINK_PREFIX.sub("", text.strip()).lstrip("@").rstrip("/")
    if not BOT_USERNAME.fullmatch(plain):
        raise ValueError(NOT_A_BOT_USERNAME.format(text=text))
    return plain


def deep_link(bot_username: str | None, code: str) -> str | None:
    """``https://t.me/<bot>?start=<code>``: opening it sends ``/start <code>`` to the bot."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={code}" if bot_username else None
