"""The names the bot has known people by (revision 0005)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models._base import Base, TZDateTime


class Person(Base):
    """The last name a Telegram user was known by: a secretary when appointed (and the one who leaves the post), a
    reviewer when reviewing in chat, anyone with a role when asking for /status. Kept after the post changes, so a
    former secretary's records and a supervisor's reviews still name them."""

    __tablename__ = "people"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(TZDateTime())

    def __repr__(self) -> str:
        return f"Person(user_id={self.user_id!r}, name={self.name!r})"
