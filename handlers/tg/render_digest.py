"""The administrators' digest in Telegram: which branches missed what in the closed month (and quarter and year),
and which secretaries the bot cannot reach.

HTML, every name escaped, cut to one message (at most :data:`MAX_MESSAGE` characters). A long digest is cut fairly
(:func:`fair_shares`): every section keeps its first items and a count of the rest, so no heading stands without
the list it announces, and the secretaries who cannot be reached (the one list that asks for action) are never
crowded out by a long monthly list (helper-96's review: 70 branches hid them). What was left out is found with
/status of the period (and /dashboard when the web dashboard is configured).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from handlers.services.reminders import Digest, DigestPeriod
from handlers.tg.render_reminders import day_label
from knowledge.activities import Cadence, activity_by_code
from knowledge.schedule import period_by_code

MAX_MESSAGE = 3900  # Telegram takes 4096 characters; keep room for the closing line
MORE_LINE = 40  # room kept for a section's "……另有 N 个支部未列出"
# What a section covers: 2026年6月（月度活动）, not 2026年6月（每月）.
CADENCE_WORDS = {Cadence.MONTHLY: "月度活动", Cadence.QUARTERLY: "季度活动", Cadence.YEARLY: "年度活动"}


@dataclass(frozen=True, slots=True)
class Section:
    head: str
    items: list[str]
    more: str  # "……另有 {} 个支部未列出": what is said of the items left out
    period: str | None = None  # the period code /status takes (None: the unreachable secretaries)


def _kind_names(codes: tuple[str, ...] | list[str]) -> str:
    return "、".join(escape(k.name if (k := activity_by_code(c)) else c) for c in codes)


def _digest_branch_line(entry: Any) -> str:
    missing = "、".join(
        _kind_names([code]) + ("（已退回）" if code in entry.returned else "") for code in entry.missing
    )
    founded = entry.founded  # created within the period: it had less than the period
    new = f"（{int(founded[5:7])}月{int(founded[8:10])}日新建）" if founded else ""
    line = f"• {escape(entry.org_name)} · {escape(entry.name)}{new}：缺 {missing}"
    muted = [f"{_kind_names([kind])}：{escape(reason)}" for kind, reason in entry.muted]
    if muted:
        line += f"（🔕 免提醒 {'；'.join(muted)}）"
    if entry.closed:  # closed since the period ended: no secretary to remind any more
        line += f"（{int(entry.closed[5:7])}月{int(entry.closed[8:10])}日已撤销）"
    elif not entry.has_secretary:
        line += "（尚无书记）"
    elif entry.unreachable:
        line += "（书记无法联系）"
    return line


def _period_section(period: DigestPeriod) -> Section:
    missed = len(period.branches)
    head = (
        f"<b>{escape(period.label)}</b>（{CADENCE_WORDS[period.cadence]}）：共 {period.total} 个支部，"
        f"{period.complete} 个全部完成"
        + (f"（其中 {period.waiting} 个尚有记录待审核）" if period.waiting else "")
        + (f"，{missed} 个未完成：" if missed else "。")
    )
    items = [_digest_branch_line(b) for b in period.branches]
    return Section(head, items, "……另有 {} 个支部未列出", period.period)


def _sections(digest: Digest, tz: ZoneInfo) -> list[Section]:
    sections = [_period_section(p) for p in digest.periods]
    if digest.unreachable:
        items = [
            f"• {escape(u.org_name)} · {escape(u.name)}（自 {day_label(u.since.astimezone(tz).date())}）"
            for u in digest.unreachable
        ]
        head = f"<b>无法联系的书记</b>（{len(items)} 人，需其重新发送 /start）："
        sections.append(Section(head, items, "……另有 {} 人未列出"))
    return sections


def fair_shares(needs: list[int], room: int) -> list[int]:
    """``room`` shared among sections needing ``needs`` characters: equal shares, and what a section does not
    need goes to the others (the smallest needs are met first)."""
    shares = [0] * len(needs)
    left = max(room, 0)
    for done, index in enumerate(sorted(range(len(needs)), key=lambda i: needs[i])):
        shares[index] = min(needs[index], left // (len(needs) - done))
        left -= shares[index]
    return shares


def _kept(items: list[str], share: int) -> list[str]:
    """The first items that fit in ``share`` characters; always the first one (a heading never stands alone)."""
    kept, size = items[:1], len(items[0]) + 1 if items else 0
    for item in items[1:]:
        if size + len(item) + 1 > share:
            break
        kept.append(item)
        size += len(item) + 1
    return kept


def _closing(cut: list[Section], dashboard: bool) -> str:
    """Where what was left out is found: /status of each period cut (and the web dashboard); /branches marks
    the secretaries who cannot be reached."""
    parts = []
    if periods := [s.period for s in cut if s.period]:
        commands = "、".join(f"/status {code}" for code in periods)
        web = "，或发送 /dashboard 在网页看板上查看" if dashboard else ""
        parts.append(f"发送 {commands} 查看全部支部的完成情况{web}")
    if any(s.period is None for s in cut):
        parts.append("发送 /branches 查看全部无法联系的书记（标为“无法联系”）")
    return "未列出的：" + "；".join(parts) + "。"


def _heading(digest: Digest) -> list[str]:
    """The title; a catch-up (sent late, after an outage) says so, names every period it holds, and the missed
    months whose own summary it does not repeat."""
    if not digest.catch_up:
        return [
            f"📊 <b>{escape(digest.periods[0].label if digest.periods else digest.month)}活动情况汇总</b>"
        ]
    labels = "、".join(escape(p.label) for p in digest.periods) or escape(digest.month)
    lines = [
        f"📊 <b>补发：{labels}活动情况汇总</b>",
        "机器人停止运行期间，这份汇总未能按时发送，现补发（按补发时的登记情况统计）。",
    ]
    if digest.left_out:
        first, last = (
            period_by_code(Cadence.MONTHLY, code).label for code in (digest.left_out[0], digest.left_out[-1])
        )
        span = first if first == last else f"{first}至{last}"
        lines.append(f"{span}的月度汇总不再逐月补发，发送 /status {digest.left_out[0]} 等可查看。")
    return lines


def digest_html(digest: Digest, tz: ZoneInfo, *, dashboard: bool = False) -> str:
    """Which branches missed what (muted kinds with the reason), and which secretaries cannot be reached; cut
    fairly to one message. ``dashboard``: the web dashboard is configured (the closing line offers it)."""
    lines = _heading(digest)
    sections = _sections(digest, tz)
    fixed = sum(len(line) + 1 for line in lines) + sum(len(s.head) + 2 + MORE_LINE for s in sections)
    shares = fair_shares([sum(len(i) + 1 for i in s.items) for s in sections], MAX_MESSAGE - fixed)
    cut = []
    for section, share in zip(sections, shares, strict=True):
        kept = _kept(section.items, share)
        lines += ["", section.head, *kept]
        if len(kept) < len(section.items):
            lines.append(section.more.format(len(section.items) - len(kept)))
            cut.append(section)
    if cut:
        lines += ["", _closing(cut, dashboard)]
    return "\n".join(lines)
