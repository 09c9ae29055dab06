"""bench.followups reads a follow-up set as the chat does, and as before stop 20, and counts both."""

from __future__ import annotations

import json

from bench import followups


def test_a_subject_follow_up_is_counted_right_only_as_the_chat_reads_it(tmp_path, capsys) -> None:
    path = tmp_path / "f.jsonl"
    row = {"id": "f1", "first": "主题党日每月搞几次", "follow": "那党课呢？", "kind": "subject"}
    row["expect"] = ["认真落实“三会一课”"]
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    totals = followups.measure([row])
    assert totals["the code"]["first"] == 1 and totals["the code"]["subject"] == 1
    assert totals["joined (before)"]["first"] == 0 and totals["joined (before)"]["wrong high"] == 1
    assert followups.main(["--set", str(path)]) == 0
    assert "the code" in capsys.readouterr().out
