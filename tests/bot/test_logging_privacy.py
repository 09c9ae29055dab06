"""The token never reaches a log (tracebacks included), and users' text stays out of database errors."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from telegram.error import NetworkError

from bot import logging_setup
from bot.logging_setup import HeldRecords, configure_logging, one_line, redact, release_held_records
from storage.db import make_engine
from tests.bot.conftest import SECRET, TOKEN

URL = f"https://api.telegram.org/bot{TOKEN}/getUpdates"
USER_TEXT = "我的手机号是13800138000，请保密"


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def logging_state() -> Iterator[io.StringIO]:
    """Restores the root handlers, levels and record factory that ``configure_logging`` changes; the
    returned buffer stands for stderr."""
    root = logging.getLogger()
    saved = list(root.handlers), root.level, logging.getLogRecordFactory()
    levels = {name: logging.getLogger(name).level for name in ("httpx", "jieba", "aiosqlite", "httpcore")}
    stream = io.StringIO()
    try:
        yield stream
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])  # not ``root.level =``: setLevel also clears the loggers' isEnabledFor caches
        logging.setLogRecordFactory(saved[2])
        logging.captureWarnings(False)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


ENGINE_LOGGERS = ("", "sqlalchemy", "sqlalchemy.engine")


@pytest.fixture
def default_levels() -> Iterator[None]:
    """The levels of a bot run without ``BRANCHBOT_LOG_LEVEL=DEBUG`` (root at INFO, SQLAlchemy's loggers unset),
    whatever an earlier test left behind, and the earlier levels back afterwards. ``make_engine`` reads the root
    and ``sqlalchemy.engine`` levels to decide whether to hide parameters: a test that left the root logger at
    DEBUG (``tests/tg/test_e2e_basic.py::test_token_never_logged`` did, through caplog) made the engine show them.
    """
    saved = {name: logging.getLogger(name).level for name in ENGINE_LOGGERS}
    disabled = logging.root.manager.disable
    logging.disable(logging.NOTSET)
    logging.getLogger().setLevel(logging.INFO)
    for name in ENGINE_LOGGERS[1:]:
        logging.getLogger(name).setLevel(logging.NOTSET)
    try:
        yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
        logging.disable(disabled)


def _ptb_network_error() -> NetworkError:
    """What PTB raises from an httpx failure whose text carries the request URL (and so the token)."""
    request = httpx.Request("POST", URL)
    try:
        httpx.Response(502, request=request).raise_for_status()
    except httpx.HTTPStatusError as exc:
        try:
            raise NetworkError(f"httpx.HTTPStatusError: {exc}") from exc
        except NetworkError as wrapped:
            return wrapped
    raise AssertionError("unreachable")


def test_traceback_with_token_in_url_is_redacted(logging_state, monkeypatch) -> None:
    monkeypatch.setattr("sys.stderr", logging_state)
    configure_logging(TOKEN, level=logging.DEBUG)
    before = ListHandler()  # a handler that runs before ours (as pytest's or journald's might)
    logging.getLogger().handlers.insert(0, before)
    log = logging.getLogger("telegram.ext.Updater")
    error = _ptb_network_error()
    try:
        raise error
    except NetworkError:
        log.exception("Exception happened while polling for updates: %s", URL)
    log.warning("cut-off token in %s", f"https://api.telegram.org/bot{TOKEN[:15]}")
    log.info("stack", stack_info=True, extra={"url": URL})

    written = logging_state.getvalue()
    assert "Traceback (most recent call last)" in written and "HTTPStatusError" in written
    assert "bot<token>/getUpdates" in written
    assert SECRET not in written and "TEST-TOKEN" not in written
    for record in before.records:
        message = record.getMessage() + (record.exc_text or "") + (record.stack_info or "")
        assert SECRET not in message and "TEST-TOKEN" not in message


def test_warnings_go_through_redaction(logging_state, monkeypatch) -> None:
    import warnings

    monkeypatch.setattr("sys.stderr", logging_state)
    configure_logging(TOKEN)
    warnings.warn(f"slow request to {URL}", UserWarning, stacklevel=1)
    assert "<token>" in logging_state.getvalue() and SECRET not in logging_state.getvalue()


def test_redact_and_one_line() -> None:
    assert SECRET not in redact(f"token={TOKEN} secret={SECRET}", TOKEN)
    assert redact("https://host/bot999999:AAH-abc/getMe") == "https://host/bot<token>/getMe"
    assert redact("https://host/bot999999%3AAAH-abc/getMe") == "https://host/bot<token>/getMe"
    assert redact("nothing to hide: 12:30") == "nothing to hide: 12:30"
    html = "Bad Gateway (502). Parsing the server response b'<html>\\n<body>nginx</body></html>' failed"
    assert one_line(html) == "Bad Gateway (502)"
    assert len(one_line("很长" * 200, 20)) == 20


def test_held_records_are_written_or_dropped(logging_state, monkeypatch) -> None:
    monkeypatch.setattr("sys.stderr", logging_state)
    log = logging.getLogger("bot.test")
    configure_logging(TOKEN, hold=True)
    log.info("kept until start-up is over")
    assert logging_state.getvalue() == ""
    release_held_records(emit=True)
    assert "kept until start-up is over" in logging_state.getvalue()
    log.info("then straight out")
    assert "then straight out" in logging_state.getvalue()
    assert not any(isinstance(h, HeldRecords) for h in logging.getLogger().handlers)

    configure_logging(TOKEN, hold=True)
    log.error("a failed start-up says one line, not this")
    release_held_records(emit=False)
    assert "not this" not in logging_state.getvalue()


def test_configure_twice_does_not_stack_factories(logging_state) -> None:
    """A second configure_logging wraps the original factory again, not the first wrapper."""
    configure_logging(TOKEN)
    configure_logging(TOKEN)
    factory = logging.getLogRecordFactory()
    record = factory("x", logging.INFO, __file__, 1, "GET %s", (URL,), None)
    assert record.getMessage() == "GET https://api.telegram.org/bot<token>/getUpdates"
    assert logging_setup._base_factory is not None


# -- users' text out of database errors -------------------------------------------------------------------


async def _duplicate_error(db_url: str, **engine_kwargs) -> IntegrityError:
    engine = make_engine(db_url, **engine_kwargs)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE privacy_probe (body TEXT PRIMARY KEY)"))
            await conn.execute(text("INSERT INTO privacy_probe (body) VALUES (:body)"), {"body": USER_TEXT})
        with pytest.raises(IntegrityError) as caught:
            async with engine.begin() as conn:
                await conn.execute(
                    text("INSERT INTO privacy_probe (body) VALUES (:body)"), {"body": USER_TEXT}
                )
        return caught.value
    finally:
        await engine.dispose()


async def test_integrity_error_hides_parameters(db_url: str, default_levels) -> None:
    assert not logging.getLogger("sqlalchemy.engine").isEnabledFor(logging.DEBUG)
    error = await _duplicate_error(db_url)
    assert USER_TEXT not in str(error)
    assert "hidden due to hide_parameters" in str(error)


async def test_parameters_shown_at_debug(db_url: str, logging_state) -> None:
    logging.getLogger().setLevel(logging.DEBUG)
    error = await _duplicate_error(db_url)
    assert USER_TEXT in str(error)


def test_real_engine_hides_parameters(tmp_path, default_levels) -> None:
    from bot.app import build_services
    from bot.config import Settings
    from tests.fixtures_bot import StubKnowledgeBase

    settings = Settings(_env_file=None, DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    services = build_services(settings, kb=StubKnowledgeBase())
    assert services.session_factory.kw["bind"].sync_engine.hide_parameters is True
