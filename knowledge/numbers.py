"""Numbers as people type them: Arabic or Chinese numerals, with 十/百/千 and 万/亿 ("800多万", "两千万", "二十")."""

from __future__ import annotations

import re
from decimal import Decimal

CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
MAX_DIGITS = 15


def _small_number(text: str) -> Decimal | None:
    """Below 10,000: "2000", "1.5", "两千", "八百", "5千", "三百五十", "十二"."""
    if not text:
        return Decimal(0)
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return Decimal(text)
    value = Decimal(0)
    current: Decimal | None = None
    for token in re.findall(r"\d+(?:\.\d+)?|[零〇一二两俩三四五六七八九]|[十百千]|.", text):
        if token in _CN_UNIT:
            value += (current if current is not None else Decimal(1)) * _CN_UNIT[token]
            current = None
        elif current is not None:
            return None  # two numbers in a row ("三四", "3五") are a range or a typo, not a number
        elif token in CN_DIGITS:
            current = Decimal(CN_DIGITS[token])
        elif re.fullmatch(r"\d+(\.\d+)?", token):
            current = Decimal(token)
        else:
            return None
    return value + (current or 0)


def parse_number(text: str) -> Decimal | None:
    """Chinese and Arabic numerals with 万 and 亿: "800万", "800多万", "1,000万", "2亿5千万", "两千万", "1.5亿"."""
    text = re.sub(r"[,，多余]", "", text)
    if not text or sum(c.isdigit() for c in text) > MAX_DIGITS:
        return None
    total = Decimal(0)
    for mark, unit in (("亿", Decimal(100_000_000)), ("万", Decimal(10_000))):
        if mark in text:
            head, _, text = text.partition(mark)
            part = _small_number(head) if head else Decimal(1)
            if part is None or mark in text:
                return None
            total += part * unit
    rest = _small_number(text)
    return None if rest is None else total + rest


def parse_count(token: str) -> int | None:
    value = parse_number(token)
    return int(value) if value is not None and value == int(value) else None
