"""The bot's reminder job is off in these end-to-end tests unless a test turns it on.

``branchbot run`` wakes the reminders 10 s after start and every minute; a long test whose secretaries owe
activities at the test's fixed date would otherwise get reminders in the middle of its conversation. The tests of
reminders pass ``BRANCHBOT_REMINDERS="on"`` to ``make_bot`` (and trigger the job function themselves).
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _reminder_job_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRANCHBOT_REMINDERS", "off")
