"""``python -m bench.asked --leave-out``: each tuning half is measured with a field its own questions are not in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import asked as asked_tool
from knowledge import asked


def _write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def test_each_half_is_measured_without_its_own_questions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = [{"q": "每个月开会有啥要求", "expect": ["1+6+X"]}, {"q": "联合建是啥意思", "expect": ["联合建"]}]
    second = [{"q": "每月的主题党日怎么搞", "expect": ["1+6+X"]}, {"q": "今天天气", "kind": "far"}]
    _write(tmp_path / "qa1_tune.jsonl", first)
    _write(tmp_path / "qa2_tune.jsonl", second)
    _write(tmp_path / "qa1_valid.jsonl", [{"q": "联合建是啥意思", "expect": ["联合建"]}])
    seen: list[set[str]] = []
    build = asked.build

    def spy(questions, passages, own):
        questions = list(questions)
        seen.append({row["q"] for row in questions})
        return build(questions, passages, own)

    monkeypatch.setattr(asked, "build", spy)
    totals = asked_tool.leave_out(tmp_path)
    # qa1 is measured with qa2's question only; qa2 with qa1's, less the one a validation half holds.
    assert seen == [{"每月的主题党日怎么搞"}, {"每个月开会有啥要求"}]
    assert totals["no field"]["in"] == totals["others' field"]["in"] == 3
    assert totals["no field"]["off"] == 0  # off-topic lines are not measured here
