"""Dates as secretaries type them: 今天, 昨天, 大前天, 2026-11-20, 2026年11月20日, 11月20日, 11.20, 20号, 本月20号,
上个月30号, 上周五, 周三 (and 明天, 下周三: dates ahead, which the form refuses as such); a time of day or a weekday
after the date is left out."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from knowledge.numbers import CN_DIGITS, parse_count

_RELATIVE = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2, "大前天": 3}
# 昨晚, 今早, 前晚 (and what is left of 昨晚7点 or 前晚 once a time of day is set aside: 昨, 前).
_RELATIVE |= {"今晚": 0, "今早": 0, "今": 0, "昨晚": 1, "昨夜": 1, "昨": 1, "前晚": 2, "前": 2}
# Days ahead (明天, 下周三): read as the dates they are, so that the form says a date ahead is refused, not that it
# was not understood.
_RELATIVE |= {"明天": -1, "明日": -1, "明早": -1, "明晚": -1, "明": -1, "后天": -2, "大后天": -3}
_FULL = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_DAY = re.compile(r"^(\d{1,2})\s*[日号]$")
_WEEKDAY = re.compile(r"^(上上|上|本|这|下下|下)?个?(?:周|星期|礼拜)([一二三四五六日天])$")
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKS_BACK = {"上上": 2, "上": 1, "本": 0, "这": 0, "下": -1, "下下": -2}


class DateInputError(ValueError):
    """The text is not a date we understand; ``str(exc)`` is a Chinese hint for the user."""


def _cn_numbers(text: str) -> str:
    """十一月二十日 -> 11月20日; a run without 十 is read digit by digit (二〇二六年 -> 2026年)."""

    def convert(match: re.Match[str]) -> str:
        run = match.group(0)
        if "十" not in run:
            return "".join(str(CN_DIGITS[c]) for c in run)
        value = parse_count(run)
        return str(value) if value is not None else run

    return re.sub(r"[一二三四五六七八九十〇零]+", convert, text)


def date_examples(today: date) -> str:
    """``today`` written three ways (2026-06-22、6月22日、22号): examples that are never a day ahead."""
    return f"{today:%Y-%m-%d}、{today.month}月{today.day}日、{today.day}号"


def _weekday(match: re.Match[str], today: date) -> date:
    """上周五: Friday of the week before this one (weeks start on Monday); 本周三: this week's; 周三 alone:
    the latest Wednesday up to today."""
    which, day = match.group(1), _WEEKDAYS[match.group(2)]
    monday = today - timedelta(days=today.weekday())
    if which is None:
        candidate = monday + timedelta(days=day)
        return candidate if candidate <= today else candidate - timedelta(days=7)
    return monday - timedelta(days=7 * _WEEKS_BACK[which]) + timedelta(days=day)


NEAR_FUTURE_DAYS = 31  # a month-day at most a month ahead is this year's (a slip or a date to come)


# A time of day after the date ("12月2号下午", "前天上午9点", "昨天下午三点", "11月20日晚7点", "11月20日19点",
# "12-02 14:30"): the form records the day only. The hour in digits or in Chinese numerals.
_HOUR = r"(?:\d{1,2}|[零一二两三四五六七八九十]{1,3})"
_CLOCK = rf"(?:{_HOUR}[点时](?:半|[一三]刻|(?:\d{{1,2}}|[零一二三四五六七八九十]{{1,3}})分?)?钟?|\d{{1,2}}:\d{{2}})"
_TIME_OF_DAY = re.compile(
    rf"(?:\s*(?:早上|早晨|上午|中午|下午|傍晚|晚上|夜里|晚){_CLOCK}?|(?<=[日号天])\s*{_CLOCK}|\s+{_CLOCK})$"
)
# A weekday after a date ("11月20日周五", "2026年11月20日（周五）"): the date says the day; the weekday is dropped.
_TRAILING_WEEKDAY = re.compile(r"(?<=[日号\d])\s*\(?(?:周|星期|礼拜)[一二三四五六日天]\)?$")
# A day of this month or the last ("本月20号", "这个月20号", "上个月30号", "上月30号").
_MONTH_DAY_RELATIVE = re.compile(r"^(本|这个?|上个?)月(\d{1,2})[日号]?$")


def _without_extras(raw: str) -> str:
    """The date alone: a time of day and a weekday after it left out (not when nothing else is left)."""
    raw = _TIME_OF_DAY.sub("", raw) or raw
    if not _WEEKDAY.match(raw.replace(" ", "")):
        raw = _TRAILING_WEEKDAY.sub("", raw) or raw
        raw = _TIME_OF_DAY.sub("", raw) or raw
    return raw.replace(" ", "")


def _in_month(which: str, day: int, today: date) -> date:
    """``day`` of this month (本月) or the last (上月); a day the month does not have is refused, said so."""
    first = today.replace(day=1)
    if which.startswith("上"):
        first = (first - timedelta(days=1)).replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    if not 1 <= day <= last.day:
        raise DateInputError(f"{first.month}月只有{last.day}天，没有{day}号，请检查日期。")
    return first.replace(day=day)


def parse_date(text: str, today: date) -> date:
    raw = _without_extras(unicodedata.normalize("NFKC", text or "").strip())
    if raw in _RELATIVE:
        return today - timedelta(days=_RELATIVE[raw])
    if m := _WEEKDAY.match(raw):
        return _weekday(m, today)
    s = _cn_numbers(raw)
    if m := _MONTH_DAY_RELATIVE.match(s):
        return _in_month(m.group(1), int(m.group(2)), today)
    try:
        if m := _FULL.match(s):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := _MONTH_DAY.match(s):
            month, day = int(m.group(1)), int(m.group(2))
            candidate = date(today.year, month, day)
            # "12月28日" typed on 2 January means last December; "4月2日" on 1 April is a date ahead (refused as
            # such by the form), not one a year ago.
            ahead = (candidate - today).days
            return candidate if ahead <= NEAR_FUTURE_DAYS else date(today.year - 1, month, day)
        if m := _DAY.match(s):
            day = int(m.group(1))
            if day <= today.day:
                return today.replace(day=day)
            # "31号" on the 22nd means last month's 31st (if last month has one).
            prev = today.replace(day=1) - timedelta(days=1)
            return date(prev.year, prev.month, day)
    except ValueError:
        raise DateInputError(f"这个日期不存在，请检查月份和日期，例如 {today:%Y-%m-%d}。") from None
    raise DateInputError(f"没看懂这个日期。请发送如 {date_examples(today)}，或点击“今天”“昨天”。")
