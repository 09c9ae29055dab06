"""The 忽略 buttons of /unanswered: one per group, on the message that shows the group, however the reply is split;
their data stays within 64 bytes and anything malformed decodes to nothing."""

from __future__ import annotations

from datetime import datetime

import pytest

from handlers.services.curation import QuestionGroup
from handlers.tg.callbacks import decode_curation, encode_curation
from handlers.tg.curation import group_blocks, group_keyboard, group_messages
from tests.tg.forms_world import START


def _group(i: int, text: str) -> QuestionGroup:
    at = datetime(2026, 11, 1, tzinfo=START.tzinfo)
    return QuestionGroup(text, 1, 1, 0, 0, 0, [100 + i], [text], at, at)


def test_buttons_stay_with_the_message_that_shows_their_group() -> None:
    groups = [_group(i, f"{i}号问题" + "很长的问题" * 60) for i in range(30)]
    messages = group_messages(group_blocks(groups, 90, START.date(), START.tzinfo))
    assert len(messages) > 1 and all(len(text) <= 4096 for text, _ in messages)
    assert sorted(i for _, shown in messages for i in shown) == list(range(30))
    for text, shown in messages:
        keyboard = group_keyboard(groups, shown, 90)
        labels = [b.text for row in keyboard.inline_keyboard for b in row]
        assert labels == [f"忽略 {i + 1}" for i in shown]
        assert all(f"{i + 1}. {i}号问题" in text for i in shown)  # the number and its group, on one message
        data = [b.callback_data for row in keyboard.inline_keyboard for b in row]
        assert [decode_curation(d) for d in data] == [("x", 100 + i, 90) for i in shown]
        assert all(len(d.encode()) <= 64 for d in data)


@pytest.mark.parametrize(
    "data",
    [
        "cu:x:0:90",
        "cu:x:1:9999",
        "cu:x:1",
        "cu:y:1:90",
        "cu:x:12345678901:90",
        "cu:x:1:90:1",
        "cu:x:a:0",
        "cu:u:-1:0",
        "rv:x:1:90",
    ],
)
def test_a_malformed_curation_button_decodes_to_nothing(data) -> None:
    assert decode_curation(data) is None


def test_curation_data_round_trips() -> None:
    assert decode_curation(encode_curation("x", 2**31 - 1, 3660)) == ("x", 2**31 - 1, 3660)
    assert decode_curation(encode_curation("x", 7, None)) == ("x", 7, None)
    assert decode_curation(encode_curation("u", 7, None)) == ("u", 7, None)
    assert len(encode_curation("u", 2**31 - 1, 3660).encode()) <= 64
