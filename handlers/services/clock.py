"""Time source. Logic never calls ``datetime.now()``: it asks the clock it was given."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    tz: ZoneInfo

    def now(self) -> datetime:
        """An aware datetime in the clock's zone."""
        ...


@dataclass(frozen=True)
class SystemClock:
    tz: ZoneInfo = SHANGHAI

    def now(self) -> datetime:
        return datetime.now(self.tz)


@dataclass
class FixedClock:
    """A clock for tests: stands still until moved."""

    current: datetime
    tz: ZoneInfo = field(default=SHANGHAI)

    def __post_init__(self) -> None:
        if self.current.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.current = self.current.astimezone(self.tz)

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current = self.current + delta
