"""How ``bench.qa`` decides that a reply shows an expected phrase."""

from __future__ import annotations

from bench.qa import shows
from knowledge.types import Passage

PASSAGE = Passage(
    7,
    "同志们，让我们凝心聚力，以钉钉子精神，深入实施创新驱动发展战略。",
    "在全市企业创新工程动员部署会上的讲话",
    ("结束语",),
)


def test_a_phrase_in_the_text_the_heading_or_the_speech_cited():
    assert shows(PASSAGE, "凝心聚力")
    assert shows(PASSAGE, "结束语")
    assert shows(PASSAGE, "动员部署会上的讲话")
    assert not shows(PASSAGE, "党费全额返还")


def test_a_phrase_copied_from_the_raw_speech_is_cleaned_as_the_speech_was():
    # The source has an ASCII comma here; ingestion writes "，".
    assert shows(PASSAGE, "以钉钉子精神,深入实施创新驱动发展战略")
