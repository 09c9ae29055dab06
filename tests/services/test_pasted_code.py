"""An invitation code pasted into the chat is recognised in the format ``new_code`` issues, and nothing else is
(helper-84's review: a pasted code was answered as a policy question)."""

from __future__ import annotations

import pytest

from handlers.services.branches import new_code, pasted_code

CODE = "X7pwV3aE-zYGkui_LGxufg"


def test_every_issued_code_is_recognised() -> None:
    for code in (new_code() for _ in range(2000)):
        assert pasted_code(code) == code


@pytest.mark.parametrize("text", [CODE, f" {CODE}\n", f"邀请码：{CODE}", f"邀请码:{CODE}", f"邀请码 {CODE}"])
def test_a_code_alone_or_after_its_label(text: str) -> None:
    assert pasted_code(text) == CODE


@pytest.mark.parametrize(
    "text",
    [
        f"请问{CODE}",  # words besides the code: a question
        f"{CODE} 怎么用",
        f"邀请码是{CODE}",
        CODE[:-1],  # too short
        CODE + "A",  # too long
        CODE[:-1] + "B",  # 16 bytes of base64 never end in B
        "X7pwV3aE zYGkui_LGxufg",
        "主题党日多久开展一次？",
        "",
    ],
)
def test_anything_else_is_not_a_code(text: str) -> None:
    assert pasted_code(text) is None
