"""Attendance as secretaries type it: 应到8人，实到7人; 8 7; 实到7人，缺1人; 到会7人，应到8人; 应到八人，一人请假.

Pure: the form's attendance step, its absentees step (attendance typed again there is a correction, not a
person) and a returned record's 修改出勤 all read it here.

A count is read by its label, written before it (应到8人, 缺1人) or after it (1人请假, 7人参加): what was expected
(应到), who came (实到, 到会, 出席, 参加) and who did not (缺, 缺席, 请假, 未到). Two of the three give the third
(实到7人，缺1人 is 应到8, 实到7). Only numbers without labels are read by position, 应到 first (8 7); one labelled
count and one bare number are the two counts (应到8人 7人). A count of the absent is never taken for those present.
"""

from __future__ import annotations

import re

from handlers.services.form.model import MAX_ATTENDANCE, InputError
from handlers.services.text import ascii_digits
from knowledge.numbers import parse_count

_CN_RUN = re.compile(
    r"(?<=应到|实到)[零〇一二两三四五六七八九十百千]+|[零〇一二两三四五六七八九十百千]+(?=\s*[人名位个]|\s*$|[\s，,。；;、/])"
)
_NUMBER = re.compile(r"[0-9]{1,6}")
# The labels, expected ones first (应出席 is not 出席): a regex tries its alternatives in order at each position.
_LABEL = re.compile(
    r"(?P<expected>应到|应出席|应参会|应参加|全体)"
    r"|(?P<actual>实到|实际到会|实际出席|实际参加|到会|出席|参会|参加)"
    r"|(?P<absent>缺席|缺勤|缺|请假|未到|没来|没到|不在)"
)
_AFTER = re.compile(r"\s*(?:人数)?\s*[：:为是有了]?\s*([0-9]{1,6})")  # 应到：8, 缺1人, 到会了7人
_BEFORE = re.compile(r"([0-9]{1,6})\s*[人名位个]?\s*[，,]?\s*$")  # 1人请假, 7人参加
_ALL_PRESENT = re.compile(r"到齐|全到|都到")
_NEGATED = re.compile(r"[没未不]")  # 没有到齐, 未全到: not everyone
TWO_NUMBERS = "请发送两个数字：应到人数和实到人数，如“应到8人，实到7人”或“8 7”。"


def arabic_counts(text: str) -> str:
    """Chinese numerals that count people as digits: 应到八人，实到七人 -> 应到8人，实到7人 (一 in 一起 stays)."""

    def convert(match: re.Match[str]) -> str:
        value = parse_count(match.group(0))
        return str(value) if value is not None else match.group(0)

    return _CN_RUN.sub(convert, text)


def _labelled(text: str) -> tuple[dict[str, int], set[int], bool]:
    """Each label's count (a label given twice: ambiguous, the last flag), and where the counts read stand."""
    counts: dict[str, int] = {}
    used: set[int] = set()
    twice = False
    for label in _LABEL.finditer(text):
        kind = label.lastgroup or ""
        after = _AFTER.match(text, label.end())
        before = None if after else _BEFORE.search(text, max(0, label.start() - 8), label.start())
        number = after or before
        if number is None or number.start(1) in used:
            continue
        used.add(number.start(1))
        twice |= kind in counts
        counts[kind] = int(number.group(1))
    return counts, used, twice


def _resolve(text: str) -> tuple[int, int]:
    counts, used, twice = _labelled(text)
    bare = [int(m.group(0)) for m in _NUMBER.finditer(text) if m.start() not in used]
    expected, actual, absent = counts.get("expected"), counts.get("actual"), counts.get("absent")
    if twice:
        raise InputError(TWO_NUMBERS, skip_hint="不统计")
    if expected is not None and actual is not None:
        return expected, actual
    if expected is not None and absent is not None:
        return expected, expected - absent
    if actual is not None and absent is not None:
        return actual + absent, actual
    if expected is not None and not bare and _everyone(text):  # 应到8人，全部到齐 (not 没有到齐)
        return expected, expected
    if absent is None and len(bare) == 1 and (expected is not None or actual is not None):
        return (expected, bare[0]) if expected is not None else (bare[0], actual)  # type: ignore[return-value]
    if not counts and len(bare) == 2 and not _LABEL.search(text):
        return bare[0], bare[1]
    raise InputError(TWO_NUMBERS, skip_hint="不统计")


def _everyone(text: str) -> bool:
    """Words that say everyone came, with no word of absence or negation beside them."""
    if "实到" in text or not _ALL_PRESENT.search(text) or _NEGATED.search(text):
        return False
    return all(label.lastgroup != "absent" for label in _LABEL.finditer(text))


def parse_attendance(text: str) -> tuple[int, int]:
    """(应到, 实到) from a secretary's words; ``InputError`` with the Chinese message when they do not say both."""
    expected, actual = _resolve(arabic_counts(ascii_digits(text)))
    if expected <= 0 or expected > MAX_ATTENDANCE:
        raise InputError(f"应到人数应是 1 到 {MAX_ATTENDANCE} 之间的数字。")
    if actual < 0:
        raise InputError(f"缺席的人数多于应到人数（{expected}），请重新发送。")
    if actual > expected:
        raise InputError(f"实到人数（{actual}）不能多于应到人数（{expected}），请重新发送。")
    return expected, actual


def looks_like_attendance(text: str) -> bool:
    """Whether ``text`` gives the attendance (应到8人，实到6人; 8 6) rather than naming who was absent."""
    plain = arabic_counts(ascii_digits(text)).strip()
    if re.fullmatch(r"[0-9]{1,6}\s*[\s/，,]\s*[0-9]{1,6}", plain):
        return True
    counts, _, _ = _labelled(plain)
    return "expected" in counts or "actual" in counts
