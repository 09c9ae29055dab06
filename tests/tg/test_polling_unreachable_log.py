"""Telegram unreachable while polling: one warning per outage, not a traceback per poll as an update's error
(helper-110's operator review: 21 tracebacks, 651 lines, in a minute with no update being processed)."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from telegram.error import BadRequest, NetworkError, TimedOut

from handlers.tg import common


@pytest.fixture(autouse=True)
def fresh_outage(monkeypatch):
    monkeypatch.setattr(common, "_network_warned", [])


async def test_polling_failures_log_one_warning_without_traceback(caplog) -> None:
    caplog.set_level(logging.INFO, logger="handlers.tg.common")
    for error in [NetworkError("httpx.ConnectError: All connection attempts failed"), TimedOut()] * 10:
        await common.on_error(None, SimpleNamespace(error=error))
    records = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert len(records) == 1, [r.getMessage() for r in records]
    assert records[0].levelno == logging.WARNING and records[0].exc_info is None
    assert records[0].getMessage().startswith("cannot reach Telegram while polling (NetworkError")


async def test_a_new_outage_after_a_quiet_spell_is_warned_again(caplog, monkeypatch) -> None:
    caplog.set_level(logging.WARNING, logger="handlers.tg.common")
    moments = iter([1000.0, 1010.0, 1000.0 + common.NETWORK_WARN_EVERY + 1])
    monkeypatch.setattr(common, "time", SimpleNamespace(monotonic=lambda: next(moments)))
    for text in ("down", "still down", "down again"):
        await common.on_error(None, SimpleNamespace(error=NetworkError(text)))
    assert [r.getMessage() for r in caplog.records] == [
        "cannot reach Telegram while polling (NetworkError: down); retrying",
        "cannot reach Telegram while polling (NetworkError: down again); retrying",
    ]


async def test_other_errors_without_an_update_keep_their_traceback(caplog) -> None:
    caplog.set_level(logging.ERROR, logger="handlers.tg.common")
    for error in (BadRequest("Bad Request: chat not found"), RuntimeError("boom")):
        await common.on_error(None, SimpleNamespace(error=error))
    assert len(caplog.records) == 2
    assert all(
        r.exc_info is not None and "while processing an update" in r.getMessage() for r in caplog.records
    )
