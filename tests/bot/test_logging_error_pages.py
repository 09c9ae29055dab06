"""Telegram's HTML error pages (a 502 from its front end) are one log line, not a traceback per request."""

from __future__ import annotations

import logging

from bot.logging_setup import ERROR_PAGE_LOGGER, configure_logging


def _log_an_error_page() -> None:
    try:
        raise ValueError("Expecting value: line 1 column 1 (char 0)")
    except ValueError:
        logging.getLogger(ERROR_PAGE_LOGGER).exception(
            'Can not load invalid JSON data: "%s"', "<html><body>502 Bad Gateway</body></html>"
        )


def test_an_error_page_is_one_warning_line(capsys) -> None:
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        configure_logging(None, logging.INFO)
        _log_an_error_page()
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "WARNING" in err[0] and "error page" in err[0], err
        assert "Traceback" not in "\n".join(err) and "<html>" not in err[0]
        configure_logging(None, logging.DEBUG)  # at DEBUG everything is shown, traceback included
        _log_an_error_page()
        assert "Traceback" in capsys.readouterr().err
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
        logging.getLogger(ERROR_PAGE_LOGGER).filters.clear()
