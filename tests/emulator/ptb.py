"""Helpers for tests that look at PTB's objects built from the emulator's answers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def iter_telegram_objects(obj: Any) -> Iterable[Any]:
    """Yield ``obj`` and every nested ``telegram.TelegramObject`` (to check ``api_kwargs`` in tests)."""
    from telegram import TelegramObject

    seen: set[int] = set()
    stack = [obj]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, TelegramObject):
            yield current
            for name in getattr(current, "__slots__", ()) + tuple(
                s for cls in type(current).__mro__ for s in getattr(cls, "__slots__", ())
            ):
                if name.startswith("_"):
                    continue
                value = getattr(current, name, None)
                if value is not None:
                    stack.append(value)
        elif isinstance(current, list | tuple):
            stack.extend(current)
