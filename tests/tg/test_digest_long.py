"""A long administrators' digest is cut fairly (helper-96's review): with 70 of 80 branches missing something in
the month, the quarter's list and the secretaries who cannot be reached were dropped, leaving bare headings, and
the closing line sent the administrator to /branches, which does not say who missed what."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from handlers.services.clock import SHANGHAI
from handlers.services.reminders import (
    Audience,
    DeliveryView,
    Digest,
    DigestBranch,
    DigestPeriod,
    UnreachableBranch,
)
from handlers.tg.messenger import TelegramMessenger
from handlers.tg.render_digest import MAX_MESSAGE, digest_html, fair_shares
from knowledge.activities import Cadence
from knowledge.schedule import Stage
from tests.emulator import parse_html

KINDS = ("theme_day", "committee", "group_meeting", "joint_study")


def _entry(i: int) -> DigestBranch:
    return DigestBranch(i, f"第{i}党支部", f"某某智能科技有限公司{i}", KINDS, (), True, False)


def long_digest(missed: int = 70, unreachable: int = 1) -> Digest:
    month = DigestPeriod(
        Cadence.MONTHLY, "2026-12", "2026年12月", 80, 80 - missed, tuple(map(_entry, range(missed)))
    )
    quarter = DigestPeriod(
        Cadence.QUARTERLY, "2026-Q4", "2026年第四季度", 80, 79,
        (DigestBranch(3, "第3党支部", "某某智能科技有限公司3", ("observation",), (), True, False),),
    )  # fmt: skip
    since = datetime(2026, 12, 3, tzinfo=SHANGHAI)
    people = tuple(
        UnreachableBranch(7 + i, f"第{7 + i}党支部", "某某智能科技有限公司", since)
        for i in range(unreachable)
    )
    return Digest("2026-12", (month, quarter), people)


def test_a_long_digest_keeps_every_section_and_names_the_secretaries_who_cannot_be_reached() -> None:
    html = digest_html(long_digest(), SHANGHAI)
    plain, _ = parse_html(html)
    lines = plain.splitlines()
    assert len(html) <= MAX_MESSAGE + 150 and len(plain) < 4096
    for i, line in enumerate(lines):  # no heading announcing a list that lists nothing
        if line.endswith("：") and not line.startswith("•"):
            assert lines[i + 1].startswith("•"), (line, lines[i + 1])
    assert "• 某某智能科技有限公司3 · 第3党支部：缺 观摩交流" in lines  # the quarter's one branch
    assert "• 某某智能科技有限公司 · 第7党支部（自 12月3日）" in lines  # the one list that asks for action
    shown = sum(1 for line in lines if line.startswith("• 某某智能科技有限公司") and "主题党日" in line)
    assert 10 <= shown < 70
    assert f"……另有 {70 - shown} 个支部未列出" in lines
    assert "/branches 查看全部支部" not in plain
    assert lines[-1] == "未列出的：发送 /status 2026-12 查看全部支部的完成情况。"


def test_the_closing_line_offers_the_dashboard_when_it_is_configured() -> None:
    plain, _ = parse_html(digest_html(long_digest(), SHANGHAI, dashboard=True))
    assert plain.splitlines()[-1] == (
        "未列出的：发送 /status 2026-12 查看全部支部的完成情况，或发送 /dashboard 在网页看板上查看。"
    )
    view = DeliveryView(
        id=1, audience=Audience.ADMIN, chat_id=1, branch_id=None, branch_name=None, cadence=Cadence.MONTHLY,
        period="2026-12", period_label="2026年12月", deadline=date(2026, 12, 31), stage=Stage.DIGEST, kinds=(),
        kind_names=(), cites=(), attempt=1, digest=long_digest(),
    )  # fmt: skip
    with_web = TelegramMessenger(None, lambda: None, SHANGHAI, dashboard=lambda: True).render(view)[0]
    assert "/dashboard" in with_web
    assert "/dashboard" not in TelegramMessenger(None, lambda: None, SHANGHAI).render(view)[0]


def test_many_unreachable_secretaries_share_the_room_and_the_rest_is_counted() -> None:
    plain, _ = parse_html(digest_html(long_digest(missed=70, unreachable=200), SHANGHAI))
    lines = plain.splitlines()
    assert len(plain) < 4096
    people = sum(1 for line in lines if line.endswith("（自 12月3日）"))
    assert 10 <= people < 200 and f"……另有 {200 - people} 人未列出" in lines
    assert lines[-1] == (
        "未列出的：发送 /status 2026-12 查看全部支部的完成情况；发送 /branches 查看全部无法联系的书记（标为“无法联系”）。"
    )


def test_a_short_digest_lists_everything_without_a_closing_line() -> None:
    digest = long_digest(missed=3)
    plain, _ = parse_html(digest_html(replace(digest, unreachable=()), SHANGHAI))
    assert "未列出" not in plain and "无法联系的书记" not in plain
    assert plain.splitlines()[-1] == "• 某某智能科技有限公司3 · 第3党支部：缺 观摩交流"


def test_fair_shares_give_what_one_section_does_not_need_to_the_others() -> None:
    assert fair_shares([100, 5000, 60], 3000) == [100, 2840, 60]
    assert fair_shares([5000, 5000], 3000) == [1500, 1500]
    assert fair_shares([10, 20], -5) == [0, 0]
