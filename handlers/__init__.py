"""Thin Telegram adapters. ``register_handlers`` is the one place that sets handler order."""

from __future__ import annotations

from telegram.ext import Application

from handlers.context import BotContext, attach_services
from handlers.services import Services

__all__ = ["BotContext", "Services", "attach_services", "register_handlers"]


def register_handlers(application: Application) -> None:
    """Handler order, in one place: commands first, then callbacks and free text, then fallbacks."""
    from handlers import common, qa, topics

    common.register(application)
    topics.register(application)
    qa.register(application)
    common.register_fallbacks(application)
