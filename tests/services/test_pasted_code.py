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


WIDE = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in CODE)  # full-width letters and digits
REPLY = (  # the administrator's whole reply, pasted or forwarded as text
    f"已生成新的邀请链接：第一党支部（编号 1）\n邀请码：{CODE}\n"
    f"邀请链接（7天内有效，仅限一次）：https://t.me/branchbot_test_bot?start={CODE}\n请把链接发给该支部书记。"
)


@pytest.mark.parametrize(
    "text",
    [
        f"{CODE}。",  # a full stop typed after it
        WIDE,
        f"{CODE[:10]} {CODE[10:]}",  # a line wrap's space inside it
        f"{CODE[:10]}\n{CODE[10:]}",
        f"https://t.me/branchbot_test_bot?start={CODE}",  # the link, where t.me does not open
        REPLY,
        f"邀请码：{CODE}\n请把链接发给该支部书记。",
    ],
)
def test_a_code_as_phones_paste_it(text: str) -> None:
    """helper-86's review: each of these was answered as a policy question, or refused as an invalid code."""
    assert pasted_code(text) == CODE


@pytest.mark.parametrize(
    "text",
    [
        f"https://t.me/branchbot_test_bot?start={CODE}A",  # the link's code too long
        f"邀请码：{CODE[:-1]}，怎么用",
        f"请问{CODE}",  # words besides the code: a question
        f"{CODE} 怎么用",
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


@pytest.mark.parametrize(
    "text",
    [
        f"邀请码是“{CODE}”，请尽快加入",  # what an administrator types into WeChat, copied whole
        f"邀请码是{CODE}",
        f"{CODE} 👍",
        f"{CODE}，谢谢",
        f"“{CODE}”",
        f"书记您好，这是第一党支部的邀请码：\n{CODE}\n七天内有效",
    ],
)
def test_a_code_with_a_short_note_around_it(text: str) -> None:
    """helper-97's review: each of these was answered as a question to the speeches (讲话中没有找到)."""
    assert pasted_code(text) == CODE


@pytest.mark.parametrize(
    "text",
    [
        "1+6+X 是什么意思？",
        "App 上怎么登记活动",
        "KPI 考核怎么算",
        "2026-11 的党费什么时候交",
        "三会一课 KPI",
        "ABCDEFGHIJKLMNOPQRSTUV，谢谢",  # the alphabet and length, but no mix of letters and digits
        "abcdefghijklmnopqrstuw 👍",
        f"{CODE} {CODE[::-1][:-1]}A",  # two code-shaped tokens
        f"{CODE} 是什么",
        f"这是{CODE}，主题党日应该每个月开展一次还是每个季度开展一次",  # a long text
        # another credential named beside a code-shaped token (helper-104's re-review)
        "学习强国账号 ZhangSanParty2026Stu0A 密码忘了",
        "党建平台登录账号 WangXiaoMing2026Part0A",
    ],
)
def test_questions_with_ascii_are_not_codes(text: str) -> None:
    assert pasted_code(text) is None
