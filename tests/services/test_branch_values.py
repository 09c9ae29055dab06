"""A branch profile's counts as typed on a phone (helper-70's review: ５ and 5个 were refused)."""

from __future__ import annotations

import pytest

from handlers.services.branches import parse_branch_value


@pytest.mark.parametrize(
    ("text", "count"), [("5", 5), ("５", 5), ("5个", 5), ("5 名", 5), ("五人", 5), ("十二", 12)]
)
def test_a_count_as_typed(text: str, count: int) -> None:
    assert parse_branch_value("formal_members", text) == count


@pytest.mark.parametrize("text", ["abc", "-1", "1.5", "", "9999999", "五六个"])
def test_not_a_count(text: str) -> None:
    with pytest.raises(ValueError, match="请发送一个数字，如 5。"):
        parse_branch_value("formal_members", text)
