"""The bot's reminder job is off in these end-to-end tests unless a test turns it on; ``tg_bot`` and ``alice``, PTB's
Bot on the emulator and a user of it, serve the emulator's own tests.

``branchbot run`` wakes the reminders 10 s after start and every minute; a long test whose secretaries owe
activities at the test's fixed date would otherwise get reminders in the middle of its conversation. The tests of
reminders pass ``BRANCHBOT_REMINDERS="on"`` to ``make_bot`` (and trigger the job function themselves).
"""

from __future__ import annotations

import pytest

from tests.emulator import BotApiEmulator
from tests.tg.emulator_client import USER_ID, local_bot


@pytest.fixture(autouse=True)
def _reminder_job_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRANCHBOT_REMINDERS", "off")


@pytest.fixture
async def tg_bot(emulator: BotApiEmulator):
    async with local_bot(emulator) as bot:
        yield bot


@pytest.fixture
def alice(emulator: BotApiEmulator):
    return emulator.user(USER_ID, "爱丽丝", "alice")
