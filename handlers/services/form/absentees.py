"""Absentees as secretaries write them: one person a line (张三 出差), or several on one line when they are
姓名（原因） pairs or as many comma-separated parts as were absent (张三出差，李四病假). Pure; the form's step
and the record amend flow both read them here."""

from __future__ import annotations

import re

from handlers.services.form.model import InputError

# Said instead of names: the absentees are not given (as /skip).
NO_ABSENTEES = frozenset({"无", "没有", "不填写", "不填", "不写", "略", "无人", "暂无"})

# 张三（出差） or 张三(出差): one person; a line of nothing but such pairs is one person each.
_PAIR = re.compile(r"([^\s，,、：:（()）]+)\s*[（(]([^（()）]*)[）)]")
_PAIRS = re.compile(rf"(?:{_PAIR.pattern}[\s，,、]*){{2,}}")
_SPLIT = re.compile(r"[，,、]+")
# The words of a reason: after a name (张三出差, 小王因公出差, 张三出差3天: the name is 2 to 4 characters, the reason
# runs on) or as a word of its own (张三 出差 李四 病假).
_REASON_WORD = (
    r"(?:因公|因病|因事|因私|因)?(?:出差|公差|病假|事假|请假|休假|年假|产假|婚假|丧假|探亲|生病|住院|外出|培训|值班"
    r"|加班|开会|学习|有事|身体不适|陪护|出国|在外地)"
)
_REASON_TAIL = re.compile(rf"(.{{2,4}}?)({_REASON_WORD}.*)")
_REASON = re.compile(_REASON_WORD)
# What opens a line of a list and is no part of the name: 1. 2、 (3) ① @.
_BULLET = re.compile(r"^(?:\d{1,2}\s*[.、．)）]|[（(]\d{1,2}[)）]|[①-⑳]|[-•·*@])\s*")
# A reason said of everyone, with no name (都请假了, 全部出差): the names are asked for.
_ALL = re.compile(r"^(?:都|均|全部|全都|全体|他们|她们|大家)")  # not 全 alone: a surname
NAMES_WANTED = "请写出缺席人员的姓名和原因，每行一人，如：张三 请假。"


def too_many_absentees(people: list, expected: int | None, actual: int | None) -> str | None:
    """The sentence that says more people are named than were absent (应到 − 实到), or None when they fit."""
    absent = (expected or 0) - (actual or 0)
    if 0 < absent < len(people):
        return f"缺席的是 {absent} 人（应到{expected}人，实到{actual}人），您写了 {len(people)} 人。"
    return None


def says_no_absentees(text: str) -> bool:
    """无, 没有, 暂无 … (a trailing 。/！ aside): nobody was absent. The form and the record amend flow both ask."""
    return text.strip(" 。.！!") in NO_ABSENTEES


def _person(text: str) -> dict[str, str]:
    """One person: 张三 出差, 张三：出差, 张三（出差）, 张三出差, or a name alone (reason 未说明)."""
    text = _BULLET.sub("", text)
    if _ALL.match(text) and _REASON.search(text):
        raise InputError(NAMES_WANTED, skip_hint="不填写")
    if pair := _PAIR.fullmatch(text):
        name, reason = pair.groups()
    else:
        parts = re.split(r"[\s，,：:（(]+", text, maxsplit=1)
        name, reason = parts[0], (parts[1] if len(parts) > 1 else "")
        if not reason and (tail := _REASON_TAIL.fullmatch(name)):
            name, reason = tail.groups()
    return {"name": name[:30], "reason": reason.strip("）) ")[:60] or "未说明"}


def _read_line(line: str) -> list[dict[str, str]]:
    """The line as written: one person, or one per 姓名（原因） pair when it is nothing but such pairs."""
    if _PAIRS.fullmatch(line):
        return [_person(pair.group(0)) for pair in _PAIR.finditer(line)]
    return [_person(line)]


def _split_line(line: str) -> list[dict[str, str]]:
    """The line cut at ，/、/, : one person a part; names listed before one reason share it (张三、李四请假). Failing
    that, names and reasons as words of their own in turn (张三 出差 李四 病假)."""
    people = [_person(part.strip()) for part in _SPLIT.split(line) if part.strip()]
    if len(people) > 1 and people[-1]["reason"] != "未说明":
        if all(p["reason"] == "未说明" and len(p["name"]) <= 4 for p in people[:-1]):
            people = [{"name": p["name"], "reason": people[-1]["reason"]} for p in people]
    if len(people) == 1:
        words = line.split()
        pairs = list(zip(words[::2], words[1::2], strict=False))
        if len(words) >= 4 and len(words) % 2 == 0 and all(_REASON.match(reason) for _, reason in pairs):
            people = [{"name": _BULLET.sub("", name)[:30], "reason": reason[:60]} for name, reason in pairs]
    return people


def parse_absentees(text: str, absent: int | None = None) -> list[dict[str, str]]:
    """The people named in ``text``. ``absent`` (应到 − 实到), when known: if the lines read as written name fewer
    people, and cutting them at commas gives exactly that many, the commas separated people (张三出差，李四病假)."""
    lines = [line.strip(" ，,、") for line in re.split(r"[\n；;]+", text)]
    lines = [line for line in lines if line]
    people = [person for line in lines for person in _read_line(line)]
    if absent and len(people) < absent:
        split = [person for line in lines for person in _split_line(line)]
        if len(split) == absent:
            people = split
    if not people:
        raise InputError("请按“姓名 原因”每行一人发送，如：张三 出差。")
    return people
