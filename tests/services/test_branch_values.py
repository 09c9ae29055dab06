"""A branch profile's counts as typed on a phone (helper-70's review: ５ and 5个 were refused)."""

from __future__ import annotations

import pytest

from handlers.services.branches import parse_branch_value


@pytest.mark.parametrize(
    ("text", "count"), [("5", 5), ("５", 5), ("5个", 5), ("5 名", 5), ("五人", 5), ("十二", 12)]
)
def test_a_count_as_typed(text: str, count: int) -> None:
    assert parse_branch_value("formal_members", text) == count


@pytest.mark.parametrize("text", ["abc", "-1", "1.5", "", "五六个"])
def test_not_a_count(text: str) -> None:
    with pytest.raises(ValueError, match="请发送一个数字，如 5。"):
        parse_branch_value("formal_members", text)


@pytest.mark.parametrize("text", ["9999999", "1000000", "100001"])
def test_a_number_too_large_is_said_to_be(text: str) -> None:
    """A number too large is a number: it is told the range, not to send a number (stop 29)."""
    with pytest.raises(ValueError, match="应在 0 到 100000 之间"):
        parse_branch_value("formal_members", text)
