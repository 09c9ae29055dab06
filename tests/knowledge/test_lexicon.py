"""The lexicon (``knowledge/data/lexicon/*.txt``): its file format, its size and that it reaches the speeches."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from knowledge import lexicon
from knowledge.frames import FILLER_WORDS
from knowledge.segment import QUESTION_WORDS, Segmenter, load_synonyms, plain_text

FILES = sorted(lexicon.lexicon_dir().glob("*.txt"))


def test_the_lexicon_ships_several_hundred_entries_by_topic():
    entries = lexicon.load()
    assert len(FILES) >= 8
    assert len(entries) >= 300
    assert sum(len(e.keys) for e in entries) >= 1000
    assert {e.source for e in entries} <= lexicon.SOURCES
    # Most entries come from how secretaries talk and the speeches' own terms, not from the tuning questions.
    sources = Counter(e.source for e in entries)
    assert sources["tune"] < len(entries) / 3


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_file_names_its_topic_and_parses(path: Path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# ") and len(first) > 4
    entries = lexicon.read_file(path)
    assert entries
    for entry in entries:
        assert entry.topic == first.lstrip("# ").strip()
        assert entry.note, entry
        assert all(len(k) >= 2 for k in entry.keys)
        assert 0 < entry.weight < 1


def test_no_colloquial_spelling_is_in_two_entries():
    counts = Counter(k for e in lexicon.load() for k in e.keys)
    assert [k for k, n in counts.items() if n > 1] == []


def test_no_key_is_a_question_word():
    # A question word never reaches the lexicon as content; a key that is one would only add noise.
    keys = {k for e in lexicon.load() for k in e.keys}
    assert not keys & (FILLER_WORDS - {"麻烦"})
    assert not keys & (QUESTION_WORDS - {"多久", "多长时间", "几次", "频次"})


def test_speech_terms_are_the_speeches_words(kb):
    """Almost every speech term occurs in the shipped speeches (a few are for speeches like them)."""
    corpus = plain_text("".join(p.text for p in kb.passages))
    terms = [t for e in lexicon.load() for t in e.terms]
    missing = [t for t in terms if plain_text(t) not in corpus]
    assert len(missing) <= len(terms) // 50, missing


@pytest.mark.parametrize(
    "line",
    [
        "老板\t出资人\t0.8\tchat",  # 4 fields
        "老\t出资人\t0.8\tchat\t一个字",  # a key of one character
        "老板\t出资人\t1.0\tchat\t权重",  # weight not below 1
        "老板\t出资人\t0.8\tguess\t来源",  # unknown source
        "老板\t\t0.8\tchat\t空",  # no speech term
    ],
)
def test_malformed_lines_are_rejected(line):
    with pytest.raises(ValueError):
        lexicon.parse_line(line)


def test_a_malformed_file_names_the_line(tmp_path: Path):
    (tmp_path / "01_x.txt").write_text(
        "# 话题\n老板\t出资人\t0.8\tchat\t好\n老板\t出资人\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="01_x.txt:3"):
        lexicon.load(tmp_path)


def test_a_segmenter_reads_its_own_lexicon(tmp_path: Path):
    (tmp_path / "01_x.txt").write_text("# 话题\n青橙|橙子\t驿站\t0.6\tchat\t测试\n", encoding="utf-8")
    assert load_synonyms(tmp_path) == {"青橙": (("驿站",), 0.6), "橙子": (("驿站",), 0.6)}
    analyzed = Segmenter(synonyms=tmp_path).analyze("青橙怎么建")
    assert analyzed.expansions["青橙"] == ("驿站",)


@pytest.mark.parametrize(
    ("question", "colloquial", "term"),
    [
        ("开会要多久开一次", "开会", "组织生活"),
        ("活动室怎么布置", "活动室", "阵地"),
        ("书记补贴怎么发", "补贴", "补助"),
        ("上级来检查要准备什么", "检查", "督查"),
        ("分公司的党员怎么管", "分公司", "下属单位"),
        ("公司拖欠工资支部能管吗", "拖欠工资", "合法权益"),
    ],
)
def test_the_secretaries_words_reach_the_speeches_words(kb, question, colloquial, term):
    expansions = kb.analyze(question).expansions
    # Under the colloquial word itself, or under a longer colloquial phrase that holds it (书记补贴).
    assert any(term in terms for key, terms in expansions.items() if colloquial in key), expansions


def test_a_key_inside_a_domain_word_is_not_expanded(kb):
    # 三会 is a key (-> 三会一课); inside 三会一课 itself it must not add a second, colloquial content word.
    analyzed = kb.analyze("三会一课怎么开")
    assert "三会" not in analyzed.expansions
    assert "三会一课" in analyzed.content


@pytest.mark.parametrize(
    ("question", "key", "term"),
    [
        ("几家公司离得都挺近的，能一起建支部吗", "离得近", "地域相邻"),
        ("专业性很强的企业归谁管", "专业性强", "专业性"),
    ],
)
def test_a_colloquial_phrase_is_found_with_degree_adverbs_inside(kb, question, key, term):
    assert term in kb.analyze(question).expansions.get(key, ()), kb.analyze(question).expansions


_ADVERB_KEYS = [key for key in load_synonyms() if any(adverb in key for adverb in "都也很挺")]


def test_some_keys_hold_a_degree_adverb():
    assert "应建都建" in _ADVERB_KEYS


@pytest.mark.parametrize("key", _ADVERB_KEYS)
def test_a_key_that_holds_a_degree_adverb_is_still_found_as_typed(kb, key):
    expansions = kb.analyze(f"请问{key}怎么办").expansions
    assert any(key in found for found in expansions), expansions


def test_a_situation_is_recognised_with_degree_adverbs_inside(kb):
    # 专业性强 describes the user's situation with or without 很: it weighs as context, not as the topic.
    assert (
        kb.analyze("我们企业专业性很强，党费怎么交").focus == kb.analyze("我们企业专业性强，党费怎么交").focus
    )


def test_a_spelling_with_a_chinese_numeral_is_read_as_questions_are():
    """Questions have their people counts in digits (第一位 -> 第1位) before the lexicon is looked up: a key
    written 第一位 must be stored so, or it never matches."""
    synonyms = load_synonyms()
    assert "第1位" in synonyms and "第一位" not in synonyms
    assert "首要任务" in synonyms["第1位"][0]


def test_first_place_finds_the_primary_task(kb):
    answer = kb.ask("私企党建第一位的任务是啥？")
    assert answer.hits and "首要任务" in answer.hits[0].text
