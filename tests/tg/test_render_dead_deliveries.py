"""The administrators' list of undelivered reminders fits in one Telegram message however long the names."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from handlers.services.clock import SHANGHAI
from handlers.tg.render_dead import dead_html
from tests.emulator import parse_html


def _row(n: int, status: str) -> SimpleNamespace:
    return SimpleNamespace(
        status=status,
        unreachable=True,
        branch_id=n,
        branch_name=f"某某科技有限公司第{n}党支部" + "长" * 80,
        audience="secretary",
        chat_id=1000 + n,
        updated_at=datetime(2026, 12, 1, 1, 30, tzinfo=UTC),
        kinds=["theme_day", "committee", "group_meeting", "assembly", "lecture"],
        period="2026-12",
        period_label="2026年12月",
        stage="open",
        attempts=5,
        last_error="network error or 5xx",
    )


def test_twenty_long_rows_of_each_kind_stay_within_one_message():
    dead = [_row(n, "failed") for n in range(20)] + [_row(n, "dead") for n in range(20)]
    html = dead_html(dead, SHANGHAI)
    text, _ = parse_html(html)
    assert len(text) <= 4096 and "条未列出" in text
    assert "第0党支部" in text  # the newest first are kept
