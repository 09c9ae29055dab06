"""Logging that never leaks the bot token (httpx and PTB put request URLs, which contain it, in messages and
in exception texts).

Three layers, so that no handler sees the token whatever its order: a log-record factory redacts each record
when it is made (message, traceback, stack), a filter on our handler does it again for records made before,
and the formatter redacts the whole formatted line. :func:`redact` is the same rule for text the CLI prints.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
import traceback
from collections.abc import Callable

PLACEHOLDER = "<token>"
# Anything shaped like a token, and whatever follows ``/bot`` in a Bot API URL (a cut-off token too).
_TOKEN_RE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
_URL_TOKEN_RE = re.compile(r"(?<=/bot)\d+(?::|%3[Aa])[A-Za-z0-9_%-]*")
_MIN_SECRET = 8  # a configured secret at least this long is redacted on its own, too

_base_factory: Callable[..., logging.LogRecord] | None = None


def make_redactor(token: str | None = None) -> Callable[[str], str]:
    """``text -> text`` without the configured ``token`` (whole, or its secret part) or anything like one."""
    secrets = []
    if token:
        secrets.append(token)
        secret = token.partition(":")[2]
        if len(secret) >= _MIN_SECRET:
            secrets.append(secret)

    def redact(text: str) -> str:
        for secret in secrets:
            text = text.replace(secret, PLACEHOLDER)
        return _TOKEN_RE.sub(PLACEHOLDER, _URL_TOKEN_RE.sub(PLACEHOLDER, text))

    return redact


def redact(text: str, token: str | None = None) -> str:
    return make_redactor(token)(text)


def one_line(text: object, limit: int = 120) -> str:
    """``text`` redacted, on one line, at most ``limit`` characters (an HTML error page that PTB quotes in a
    ``NetworkError`` is cut at its first words)."""
    line = " ".join(str(text).split())
    line = redact(line.split(". Parsing the server response", 1)[0])
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _redact_record(record: logging.LogRecord, redact_text: Callable[[str], str]) -> None:
    """Put the redacted message (args merged in), traceback and stack into ``record``, in place."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: leave it to logging's own error report
        return
    redacted = redact_text(message)
    if redacted != message:
        record.msg, record.args = redacted, None
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
    if record.exc_text:
        record.exc_text = redact_text(record.exc_text)
    if record.stack_info:
        record.stack_info = redact_text(record.stack_info)


class RedactTokenFilter(logging.Filter):
    """Replaces the bot token (the configured one, and anything shaped like one) in every record."""

    def __init__(self, token: str | None = None) -> None:
        super().__init__()
        self._redact = make_redactor(token)

    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record, self._redact)
        return True


class RedactingFormatter(logging.Formatter):
    """Redacts the whole formatted line, tracebacks and stack included."""

    def __init__(self, fmt: str, token: str | None = None) -> None:
        super().__init__(fmt)
        self._redact = make_redactor(token)

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(super().format(record))


def install_record_redaction(token: str | None) -> None:
    """Redact every log record as it is made, for every handler (pytest's, journald's, ours)."""
    global _base_factory
    if _base_factory is None:
        _base_factory = logging.getLogRecordFactory()
    base = _base_factory
    redact_text = make_redactor(token)

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = base(*args, **kwargs)
        _redact_record(record, redact_text)
        return record

    logging.setLogRecordFactory(factory)


class ShortErrorPages(logging.Filter):
    """PTB logs Telegram's HTML error page (a 502 from its front end) with a traceback on every failed request:
    one line is enough, since the request's own error is handled (retried, or reported) where it was made."""

    PREFIX = "Can not load invalid JSON data"
    SHORT = "Telegram answered with an error page, not JSON (a passing server error)"

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith(self.PREFIX):
            record.msg, record.args = (
                "Telegram answered with an error page, not JSON (a passing server error)",
                None,
            )
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


ERROR_PAGE_LOGGER = "telegram.request.BaseRequest"


class HeldRecords(logging.handlers.MemoryHandler):
    """Keeps the records of start-up until :func:`release_held_records`: written to stderr once the bot is up,
    dropped if start-up fails, so that the failure is the only line on stderr."""

    def __init__(self, target: logging.Handler, capacity: int = 10_000) -> None:
        super().__init__(capacity, flushLevel=logging.CRITICAL + 1, target=target, flushOnClose=False)

    def shouldFlush(self, record: logging.LogRecord) -> bool:  # noqa: N802 - logging's name
        if len(self.buffer) > self.capacity:  # a runaway start-up keeps the newest records only
            del self.buffer[0]
        return False


def configure_logging(token: str | None = None, level: int = logging.INFO, *, hold: bool = False) -> None:
    """One stream handler on stderr, with the token redacted in every record and every line.

    At ``DEBUG`` everything is shown (httpx request lines too, their token redacted; SQLAlchemy statement
    parameters, see ``storage.db.make_engine``); above it httpx is held at WARNING. ``hold``: keep the records
    in memory until :func:`release_held_records` (``branchbot run`` during start-up).
    """
    install_record_redaction(token)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", token))
    handler.addFilter(RedactTokenFilter(token))
    root = logging.getLogger()
    root.handlers[:] = [HeldRecords(handler) if hold else handler]
    root.setLevel(level)
    logging.captureWarnings(True)  # warnings go through the same redaction
    # httpx logs every request URL at INFO; those URLs carry the token (redacted, but noisy).
    logging.getLogger("httpx").setLevel(logging.DEBUG if level <= logging.DEBUG else logging.WARNING)
    error_pages = logging.getLogger(ERROR_PAGE_LOGGER)
    error_pages.filters[:] = [f for f in error_pages.filters if not isinstance(f, ShortErrorPages)]
    if level > logging.DEBUG:
        error_pages.addFilter(ShortErrorPages())
    # A line per call or per job even at DEBUG: not worth reading.
    for name in ("jieba", "aiosqlite", "httpcore", "apscheduler", "alembic.runtime.plugins"):
        logging.getLogger(name).setLevel(logging.WARNING)


def release_held_records(*, emit: bool) -> None:
    """End :class:`HeldRecords`: write what it kept (``emit``) or drop it; later records go straight out."""
    root = logging.getLogger()
    for index, handler in enumerate(root.handlers):
        if isinstance(handler, HeldRecords):
            if emit:
                handler.flush()
            handler.buffer.clear()
            root.handlers[index] = handler.target  # type: ignore[assignment]
