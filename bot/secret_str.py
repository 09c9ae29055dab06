"""``SecretStr``: a string that ``repr``/``str`` never show (the bot token, the webhook secret)."""

from __future__ import annotations

_MASK = "**********"


class SecretStr:
    """A string that ``repr``/``str`` never show (the token, the webhook secret): :meth:`get_secret_value`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"SecretStr('{_MASK if self._value else ''}')"

    def __str__(self) -> str:
        return _MASK if self._value else ""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretStr) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)
