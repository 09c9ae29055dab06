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
# A reason written straight after a name (张三出差): the name is 2 to 4 characters.
_REASON_TAIL = re.compile(
    r"(.{2,4}?)(因?(?:出差|公差|病假|事假|请假|休假|年假|产假|婚假|丧假|探亲|生病|住院|外出|培训|值班))"
)


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
    """The line cut at ，/、/, : one person a part."""
    return [_person(part.strip()) for part in _SPLIT.split(line) if part.strip()]


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
