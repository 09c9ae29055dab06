"""The activity catalogue: every kind cites the speeches; periods and the earliest date allowed."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.activities import CATALOGUE, Cadence, activity_by_code, earliest_allowed, period_of


@pytest.mark.parametrize("ak", CATALOGUE, ids=lambda ak: ak.code)
def test_every_kind_cites_a_passage_of_the_speeches(kb, ak):
    assert kb.find(ak.cite) is not None, ak.cite
    assert 1 <= ak.min_photos <= ak.max_photos <= 20


def test_the_catalogue_holds_what_the_speeches_require():
    cadences = {ak.name: ak.cadence for ak in CATALOGUE}
    assert cadences["主题党日"] is Cadence.MONTHLY
    assert cadences["观摩交流"] is Cadence.QUARTERLY
    assert cadences["述职评议"] is Cadence.YEARLY
    assert cadences["党组织与管理层集体学习"] is Cadence.MONTHLY
    assert {"支部委员会", "党小组会", "党员大会", "党课"} <= set(cadences)
    assert activity_by_code("theme_day").fields[0].options == (
        "学习讨论",
        "现场教学",
        "党性分析",
        "民主议事",
        "缴纳党费",
        "志愿服务",
    )
    assert activity_by_code("nope") is None


@pytest.mark.parametrize(
    ("cadence", "day", "code", "label", "earliest"),
    [
        (Cadence.MONTHLY, date(2026, 11, 22), "2026-11", "2026年11月", date(2026, 10, 1)),
        (Cadence.MONTHLY, date(2026, 1, 5), "2026-01", "2026年1月", date(2025, 12, 1)),
        (Cadence.QUARTERLY, date(2026, 11, 22), "2026-Q4", "2026年第四季度", date(2026, 7, 1)),
        (Cadence.QUARTERLY, date(2026, 2, 1), "2026-Q1", "2026年第一季度", date(2025, 10, 1)),
        (Cadence.YEARLY, date(2026, 12, 31), "2026", "2026年度", date(2025, 1, 1)),
    ],
)
def test_periods(cadence, day, code, label, earliest):
    period = period_of(cadence, day)
    assert (period.code, period.label) == (code, label)
    assert period.start <= day <= period.end
    assert earliest_allowed(cadence, day) == earliest
