"""Question words jieba cuts one character off (``knowledge.boundaries``)."""

from __future__ import annotations

import pytest

from knowledge.boundaries import rejoin

CORPUS = "每月召集支部委员会，党建工作有意义，对接企业诉求，向上级党组织报告"
VOCABULARY = {
    "支部",
    "委员会",
    "党建",
    "工作",
    "意义",
    "对接",
    "企业",
    "诉求",
    "上级",
    "党组织",
    "报告",
    "主要",
}


def _rejoin(tokens: list[str]) -> list[str]:
    return rejoin(tokens, lambda text: text in CORPUS, VOCABULARY.__contains__)


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        (["开支", "部会", "学", "什么"], ["开", "支部", "会", "学", "什么"]),
        (["私企", "党", "建有", "意义"], ["私企", "党建", "有", "意义"]),
        (["要", "对", "接上"], ["要", "对接", "上"]),
    ],
)
def test_a_boundary_one_character_off_is_moved(tokens, expected):
    assert _rejoin(tokens) == expected


@pytest.mark.parametrize(
    "tokens",
    [
        ["开会", "主要", "讲", "什么"],  # 主要 is a word of the corpus: 开会 stays whole
        ["党建", "工作"],  # both are written
        ["支部", "委员会"],
        ["党", "x建有"],  # not Chinese characters alone
        [],
        ["开支"],
    ],
)
def test_a_cut_the_corpus_knows_is_kept(tokens):
    assert _rejoin(tokens) == tokens


def test_questions_keep_their_subject(kb):
    assert "支部" in kb.analyze("开支部会第一项一般学什么").content
    assert "党建" in kb.analyze("圆方集团的事为啥对我们这种私企党建有意义").content
    assert kb.segmenter.cut("开会主要讲什么")[:2] == ["开会", "主要"]
