"""What /cancel would lose, named briefly: nothing beyond the kind means no question."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from handlers.services.form.cancel import ASKED, double_tap, entered, question, without_mark
from handlers.services.form.model import Act
from knowledge.activities import activity_by_code

THEME = activity_by_code("theme_day")
PHOTO = {"sha256": "0" * 64}


@pytest.mark.parametrize(
    ("data", "lost"),
    [
        ({}, []),
        ({"kind": "theme_day"}, []),
        ({"kind": "theme_day", "photos": []}, []),
        ({"kind": "theme_day", "held_on": "2026-11-20"}, ["日期"]),
        (
            {
                "kind": "theme_day",
                "held_on": "2026-11-20",
                "topic": "学习党章",
                "expected": None,
                "absentees": [],
            },
            ["日期", "主题"],
        ),
        (
            {"kind": "theme_day", "expected": 8, "actual": 7, "absentees": [{"name": "张三"}]},
            ["出勤", "缺席人员"],
        ),
        ({"kind": "theme_day", "minutes_files": [PHOTO], "photos": [PHOTO, PHOTO]}, ["会议记录", "照片2张"]),
    ],
)
def test_what_would_be_lost(data, lost) -> None:
    assert entered(THEME if data else None, data) == lost


def test_a_kind_field_is_named_by_its_label() -> None:
    spec = THEME.fields[0]
    value = spec.options[:1] if spec.options else "内容"
    assert entered(THEME, {"kind": "theme_day", "details": {spec.key: value}}) == [spec.label]


def test_the_question_offers_to_confirm_or_continue() -> None:
    reply = question(["日期", "照片3张"])
    assert reply.text == "确定要取消吗？已填写的内容（日期、照片3张）将被删除。"
    assert [[(label, a.act) for label, a in row] for row in reply.buttons] == [
        [("确认取消", Act.DISCARD), ("继续填写", Act.RESUME)]
    ]


def test_the_mark_is_dropped() -> None:
    assert without_mark({"kind": "x", ASKED: True}) == {"kind": "x"}


def test_a_cancel_within_two_seconds_of_the_question_is_a_double_tap() -> None:
    asked = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
    assert double_tap(asked, asked + timedelta(seconds=1, milliseconds=999))
    assert not double_tap(asked, asked + timedelta(seconds=2))
