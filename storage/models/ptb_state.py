"""Key-value rows behind the PTB persistence class."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models._base import Base, TZDateTime


class PtbState(Base):
    """Key-value rows behind a python-telegram-bot persistence class.

    ``kind`` names the store (e.g. ``"user_data"``, ``"chat_data"``, ``"conversations"``),
    ``key`` the entry within it (as text); ``data`` is any JSON value.
    """

    __tablename__ = "ptb_state"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    data: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime())

    def __repr__(self) -> str:
        return f"PtbState(kind={self.kind!r}, key={self.key!r})"
