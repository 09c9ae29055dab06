"""Logging that never leaks the bot token (httpx logs request URLs, which contain it)."""

from __future__ import annotations

import logging
import re

_TOKEN_RE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")


class RedactTokenFilter(logging.Filter):
    """Replaces the bot token (the configured one, and anything shaped like one) in every record."""

    def __init__(self, token: str | None = None) -> None:
        super().__init__()
        self._token = token

    def _redact(self, text: str) -> str:
        if self._token:
            text = text.replace(self._token, "<token>")
        return _TOKEN_RE.sub("<token>", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self._redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True


class RedactingFormatter(logging.Formatter):
    """Redacts the whole formatted line, tracebacks and stack included."""

    def __init__(self, fmt: str, token: str | None = None) -> None:
        super().__init__(fmt)
        self._filter = RedactTokenFilter(token)

    def format(self, record: logging.LogRecord) -> str:
        return self._filter._redact(super().format(record))


def configure_logging(token: str | None = None, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", token))
    handler.addFilter(RedactTokenFilter(token))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO; those URLs carry the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)
