"""Persistence: SQLAlchemy models, repositories and Alembic migrations.

This package never imports ``telegram`` and never reads the clock: callers pass aware
datetimes in. Repositories flush but never commit; the caller owns the transaction.
Nothing is built at import time: call :func:`make_engine` where the program starts.
"""

from __future__ import annotations

from storage.db import make_engine, make_session_factory
from storage.models import Base, Feedback, QuestionLog, TZDateTime
from storage.repositories import QuestionRepository

__all__ = [
    "Base",
    "Feedback",
    "QuestionLog",
    "QuestionRepository",
    "TZDateTime",
    "make_engine",
    "make_session_factory",
]
