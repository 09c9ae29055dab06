"""Property-based fuzzing of the whole bot: hypothesis draws batches of updates of every shape PTB parses,
the Bot API emulator delivers them to the real ``Application`` (real knowledge base, migrated SQLite or
PostgreSQL database, 200 users: admins, secretaries of their own branch, members of groups), and after each
batch the oracle checks (``tests/fuzz/oracle.py``):

* no error reached PTB's error handling and nothing was logged at ERROR with a traceback;
* every callback query was answered (``answerCallbackQuery``);
* no message, caption or alert of the bot shows exception text or a Python repr;
* every private text message from a user got a reply;
* no update was answered twice (a replayed update_id, an edited command, a failed update that went on to
  later handlers).

The shapes: junk texts (NUL, RTL marks, emoji, 4096 characters, HTML-like), commands with junk arguments,
edits (of commands too), button presses with forged data ('²', '٣', 99999999999999999999, 64 bytes, none)
and with data from the bot's real buttons (also on a message deleted meanwhile; the form is walked to
"confirm" from what it asks), photos, albums, documents, stickers, voice, locations, contacts, messages
without ``from`` (channel posts, a message in a channel), a channel post forwarded into its discussion group,
an anonymous group admin, replays of an update_id, and updates the bot ignores (my_chat_member,
chat_join_request, poll, message_reaction).

The bot (and its database) lives across the examples of one test: each example is one more batch for the
same users, so forms, pending inputs and branches carry over as they do in production. A failure names the
update that caused each violation. ``python -m bench.fuzz`` runs the same generator for 10,000 updates.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tests.emulator import BotApiEmulator, iter_telegram_objects
from tests.fuzz.actions import KINDS, draw_action, population
from tests.fuzz.harness import populate, running
from tests.fuzz.runner import Runner
from tests.fuzz.source import HypothesisSource, RandomSource

USERS = 200
BATCH = 40  # actions per example (a few more updates: albums)
EXAMPLES = 8
SEED = 20261202
PEOPLE = population(USERS)


class Batch(list):
    """The actions of one example; printed short (the violations name the updates that matter)."""

    def __repr__(self) -> str:
        return f"<{len(self)} actions: {' '.join(a.kind for a in self)}>"


@st.composite
def batches(draw: st.DrawFn, size: int = BATCH) -> Batch:
    source = HypothesisSource(draw)
    return Batch(draw_action(source, PEOPLE) for _ in range(size))


@pytest.fixture
async def fuzz_runner(db_url: str, kb: Any, tmp_path: Path) -> AsyncIterator[Runner]:
    async with running(tmp_path, db_url, PEOPLE, kb=kb) as bot:
        yield Runner(bot)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    # No shrinking: the bot keeps its state between examples, so a shrunk example would not replay the same
    # way; each violation names the update that caused it instead.
    phases=(Phase.explicit, Phase.generate),
    # The running bot is meant to outlive the examples; batches of hostile updates are large on purpose.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
    print_blob=False,
)
@seed(SEED)  # the same examples on every run, whatever the edits to this function (unlike derandomize=True)
@given(batch=batches())
async def test_fuzz_the_whole_bot(fuzz_runner: Runner, batch: Batch) -> None:
    # Hypothesis runs a failing example once more to report it; by then the bot has moved on (the batch would
    # not meet the same state), so that run reports what the first one found.
    if fuzz_runner.failed is None:
        tally = await fuzz_runner.run(batch)
        if not tally.clean:
            fuzz_runner.failed = "\n" + tally.describe()
    assert fuzz_runner.failed is None, fuzz_runner.failed


def test_every_shape_is_an_update_ptb_parses() -> None:
    """The fuzz's updates are real Bot API shapes: PTB parses each one with no field left over (a shape PTB
    cannot parse stops its polling loop, which would test PTB, not the bot)."""
    from telegram import Update

    emulator = BotApiEmulator()
    populate(emulator, PEOPLE)
    runner = Runner(SimpleNamespace(emulator=emulator, population=PEOPLE))  # no bot: shapes only
    source = RandomSource("shapes")
    made: dict[str, int] = {}
    for _ in range(600):
        action = draw_action(source, PEOPLE)
        for item in runner._make(action):
            runner.history.append(item)
            runner.settled = len(runner.history)
            made[item.type] = made.get(item.type, 0) + 1
            update = Update.de_json(json.loads(json.dumps(item.update)), None)
            assert update is not None and update.update_id == item.update_id
            for obj in iter_telegram_objects(update):
                assert not obj.api_kwargs, (action.describe(), type(obj).__name__, obj.api_kwargs)
    assert {kind for kind, _ in KINDS} <= {s.action.kind for s in runner.history}
    assert set(made) >= {"message", "edited_message", "callback_query", "channel_post", "edited_channel_post"}
    assert set(made) >= {"my_chat_member", "chat_join_request", "poll", "message_reaction"}
