"""Attendance as secretaries type it: 应到8人，实到7人; 8 7; 实到7人，缺1人; 到会7人，应到8人; 应到八人，一人请假.

Pure: the form's attendance step, its absentees step (attendance typed again there is a correction, not a
person) and a returned record's 修改出勤 all read it here.

A count is read by its label, written before it (应到8人, 缺1人) or after it (1人请假, 7人参加): what was expected
(应到, 总共, 一共), who came (实到, 到会, 出席, 参加, 到了, 来了) and who did not (缺, 缺席, 请假, 未到). Two of the three
give the third (实到7人，缺1人 is 应到8, 实到7). Only numbers without labels are read by position, 应到 first (8 7); one
labelled count and one bare number are the two counts (应到8人 7人); one count said to be everyone is both (8人全到,
全到了，8个人). A count of the absent is never taken for those present.
"""

from __future__ import annotations

import re

from handlers.services.form.model import MAX_ATTENDANCE, InputError
from handlers.services.text import ascii_digits
from knowledge.numbers import parse_count

_CN_RUN = re.compile(
    r"(?<=应到|实到)[零〇一二两三四五六七八九十百千]+|[零〇一二两三四五六七八九十百千]+(?=\s*[人名位个]|\s*$|[\s，,。；;、/])"
)
# In a sentence only numerals that count people (八人, 应到八, 两名) become digits: 张三 and 李四 stay names.
_PEOPLE_RUN = re.compile(
    r"(?<=应到|实到)[零〇一二两三四五六七八九十百千]+|[零〇一二两三四五六七八九十百千]+(?=\s*(?:[人名位]|个人))"
)
_ONLY_NUMERALS = re.compile(r"[\s零〇一二两三四五六七八九十百千,，/、]+")  # 八 七: two counts by position
_NUMBER = re.compile(r"[0-9]{1,6}")
# The labels, expected ones first (应出席 is not 出席): a regex tries its alternatives in order at each position.
# 应到 and 实到 are plain: their count follows them (应到8, 实到：7). The others are words of a sentence (参加培训,
# 出席上级会议, 不在本地): only a count of people beside them (7人参加, 参加的有7人, 缺1人, 2人请假) is read.
_LABEL = re.compile(
    r"(?P<expected>应到|应出席|应参会|应参加|全体|总共|一共|共有|总数)"
    r"|(?P<actual>实到|实际到会|实际出席|实际参加|到会|出席|参会|参加|到了|来了|到场)"
    r"|(?P<absent>缺席|缺勤|缺|请假|未到|没来|没到|不在)"
)
_PLAIN = frozenset({"应到", "实到"})
_PLAIN_LABEL = re.compile("|".join(sorted(_PLAIN)))
_UNIT = r"\s*(?:[人名位]|个人|个(?![月天星礼小])(?=\s*$|[\s，,。；;、/]))"  # 7个 (not 3个月)
_AFTER_PLAIN = re.compile(
    r"\s*(?:会|党员)?\s*(?:人数)?\s*[：:为是有]?\s*([0-9]{1,6})(?![0-9])"
)  # 应到会人数8
_AFTER = re.compile(rf"\s*(?:人数|的有|了)?\s*[：:为是有]?\s*([0-9]{{1,6}}){_UNIT}")  # 缺1人, 请假：2人
_AFTER_ABSENT = re.compile(
    r"\s*(?:人数)?\s*[：:为是有了]?\s*([0-9]{1,6})(?![0-9]|\s*[天日号月年点时分])"
)  # 缺1
_BEFORE = re.compile(rf"([0-9]{{1,6}}){_UNIT}\s*[，,]?\s*$")  # 7人参加, 1人请假
_ALL_PRESENT = re.compile(r"到齐|全到|都到")
_NEGATED = re.compile(r"[没未不]|除")  # 没有到齐, 未全到, 除张三外: not everyone
TWO_NUMBERS = "请发送两个数字：应到人数和实到人数，如“应到8人，实到7人”或“8 7”。"


def arabic_counts(text: str, pattern: re.Pattern[str] = _CN_RUN) -> str:
    """Chinese numerals that count as digits: 应到八人，实到七人 -> 应到8人，实到7人 (一 in 一起 stays)."""

    def convert(match: re.Match[str]) -> str:
        value = parse_count(match.group(0))
        return str(value) if value is not None else match.group(0)

    return pattern.sub(convert, text)


def _digits(text: str) -> str:
    """The text with its counts as ASCII digits: every numeral of a text of numerals alone (八 七), else only those
    that count people."""
    text = ascii_digits(text)
    return arabic_counts(text) if _ONLY_NUMERALS.fullmatch(text) else arabic_counts(text, _PEOPLE_RUN)


def _count(text: str, label: re.Match[str]) -> re.Match[str] | None:
    """The count a label names: after it (应到8, 缺1人), or for a word of a sentence also before it (7人参加)."""
    if label.group() in _PLAIN:
        return _AFTER_PLAIN.match(text, label.end())
    absent = label.lastgroup == "absent" and label.group().startswith("缺")
    after = (_AFTER_ABSENT if absent else _AFTER).match(text, label.end())
    return after or _BEFORE.search(text, max(0, label.start() - 8), label.start())


def _labelled(text: str) -> tuple[dict[str, int], set[int], bool]:
    """Each label's count (a label given twice: ambiguous, the last flag), and where the counts read stand."""
    counts: dict[str, int] = {}
    used: set[int] = set()
    twice = False
    for label in _LABEL.finditer(text):
        kind = label.lastgroup or ""
        number = _count(text, label)
        if number is None or number.start(1) in used:
            continue
        used.add(number.start(1))
        twice |= kind in counts
        counts[kind] = int(number.group(1))
    return counts, used, twice


# What a text of counts alone holds besides them: labels, people units, punctuation (应到8人 7人).
_BARE_TEXT = re.compile(rf"(?:{_LABEL.pattern}|[0-9]+|[人名位个]|[\s，,。；;、/：:])+")


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
    if expected is not None and _everyone(
        text
    ):  # 应到8人，全部到齐（含预备党员1人） (not 没有到齐, 除张三外)
        return expected, expected
    if not counts and len(bare) == 1 and _everyone(text):  # 全到了，8个人
        return bare[0], bare[0]
    # One count labelled and one bare, and nothing else said (应到8人 7人; not 其中预备党员2人).
    if len(bare) == 1 and (expected is None) != (actual is None) and _BARE_TEXT.fullmatch(text):
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
    expected, actual = _resolve(_digits(text))
    if expected <= 0 or expected > MAX_ATTENDANCE:
        raise InputError(f"应到人数应是 1 到 {MAX_ATTENDANCE} 之间的数字。")
    if actual < 0:
        raise InputError(f"缺席的人数多于应到人数（{expected}），请重新发送。")
    if actual > expected:
        raise InputError(f"实到人数（{actual}）不能多于应到人数（{expected}），请重新发送。")
    return expected, actual


def looks_like_attendance(text: str) -> bool:
    """Whether ``text``, sent where absentees are asked for, gives the attendance instead (应到8人，实到6人; 8 6):
    it reads as one, by 应到/实到 or two bare numbers. 张三 参加培训 or 李四 出差3天 names a person."""
    plain = _digits(text).strip()
    if not (_PLAIN_LABEL.search(plain) or re.fullmatch(r"[0-9]{1,6}\s*[\s/，,]\s*[0-9]{1,6}", plain)):
        return False
    try:
        parse_attendance(text)
    except InputError:
        return False
    return True
