"""Segmentation: the private jieba tokenizer, query analysis, synonyms, bigrams and normalisation."""

from __future__ import annotations

from pathlib import Path

import jieba
import pytest

from knowledge.segment import (
    COLLOQUIAL_WEIGHT,
    QUESTION_WORDS,
    Segmenter,
    bigrams,
    load_synonyms,
    normalize,
    plain_text,
)

DOMAIN_WORDS = ("两新组织", "五星支部", "标杆式党支部", "双强六好", "党建工作指导员", "三会一课")


@pytest.fixture(scope="module")
def seg() -> Segmenter:
    return Segmenter()


# -- the private tokenizer --------------------------------------------------------------------------------


def test_creating_a_segmenter_leaves_the_global_jieba_alone():
    initialized = jieba.dt.initialized
    freq_before = dict(jieba.dt.FREQ)
    tags_before = dict(jieba.dt.user_word_tag_tab)
    segmenter = Segmenter()
    assert "两新组织" in segmenter.words("两新组织")  # the private one did load the dictionary
    assert jieba.dt.initialized == initialized
    assert jieba.dt.FREQ == freq_before
    assert jieba.dt.user_word_tag_tab == tags_before
    for word in DOMAIN_WORDS:
        assert word not in jieba.dt.FREQ
        assert word not in jieba.dt.user_word_tag_tab


def test_segmenters_do_not_share_dictionaries(tmp_path: Path, seg):
    userdict = tmp_path / "userdict.txt"
    userdict.write_text("青橙驿站 2000 n\n", encoding="utf-8")
    own = Segmenter(userdict=userdict)
    text = "建设青橙驿站"
    assert "青橙驿站" in own.words(text)
    assert own.is_domain_word("青橙驿站")
    assert "青橙驿站" not in seg.words(text)
    assert not seg.is_domain_word("青橙驿站")
    # The other segmenter lacks the project's dictionary.
    assert "双强六好" not in own.words("双强六好")
    assert "双强六好" in seg.words("双强六好")


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("两新组织党建工作怎么开展", "两新组织"),
        ("全市两新组织要加强党建", "两新组织"),
        ("提升全市非“两新”组织党建工作质量", "两新组织"),
        ("认真落实三会一课制度", "三会一课"),
        ("共同开展“主题党日”“三会一课”等", "三会一课"),
        ("每月开展一次主题党日活动", "主题党日"),
        ("选派党建工作指导员", "党建工作指导员"),
        ("对创建为五星支部的给予奖励", "五星支部"),
        ("成功创建市级标杆式党支部", "标杆式党支部"),
        ("建设六有党员活动阵地", "六有"),
        ("按照五清要求", "五清"),
        ("对照双强六好内容", "双强六好"),
        ("成立联合党组织", "联合党组织"),
        ("网上缴纳党费", "党费"),
        ("注意取得出资人理解和支持", "出资人"),
        ("按照1+6+X方式进行", "1+6+x"),
    ],
)
def test_domain_words_stay_whole(seg, text, word):
    assert word in seg.words(text)


def test_words_drop_punctuation_and_single_characters(seg):
    words = seg.words("“两新”组织，要（加强）党建！")
    assert all(len(w) >= 2 for w in words)
    assert not any(c in w for w in words for c in "“”，（）！")


def test_quoted_and_unquoted_text_are_cut_alike(seg):
    assert seg.words("非“两新”组织") == seg.words("非两新组织")
    assert seg.words("“五星支部”") == seg.words("五星支部")


def test_parts_of_a_compound(seg):
    assert seg.parts("分工负责") == ["分工", "负责"]
    assert "分工负责" not in seg.parts("分工负责")


# -- query analysis ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "removed", "kept"),
    [
        ("党员不足怎么办", "怎么办", ("党员", "不足")),
        ("观摩交流多久一次", "多久", ("观摩交流",)),
        ("什么是五星支部", "什么", ("五星支部",)),
        ("党组织书记可以当人大代表吗", "吗", ("党组织书记", "人大代表")),
        ("党建宣讲团怎么组建", "怎么", ("党建宣讲团", "组建")),
        ("请问党费如何缴纳呢", "如何", ("党费", "缴纳")),
    ],
)
def test_analyze_strips_question_words(seg, query, removed, kept):
    analyzed = seg.analyze(query)
    assert removed not in analyzed.content
    assert removed not in analyzed.words
    assert not any(removed in g or g in removed for g in analyzed.bigrams if len(removed) > 1)
    for word in kept:
        assert word in analyzed.content
        assert word in analyzed.words
    assert not (set(analyzed.content) & QUESTION_WORDS)


@pytest.mark.parametrize(
    ("query", "word"),
    [("没有党员的企业怎么建组织", "没有"), ("出资人一般要担任书记吗", "一般"), ("有没有党员", "党员")],
)
def test_analyze_keeps_meaningful_words(seg, query, word):
    analyzed = seg.analyze(query)
    # In content itself, or inside a colloquial phrase of the lexicon that stands for it (没有 in 没有党员).
    assert any(word in content for content in analyzed.content)
    assert word in analyzed.words


def test_analyze_keeps_you_in_the_bigram_stream(seg):
    # 有 is one character, so not a word term, but "有场所" must still match the text's bigrams.
    assert "有场" in seg.analyze("有场所吗").bigrams
    assert "有党" in seg.analyze("没有党员").bigrams


@pytest.mark.parametrize(
    ("query", "colloquial", "formal"),
    [
        ("老板不支持党建怎么办", "老板", ("出资人",)),
        ("民营企业怎么开展党建", "民营企业", ("非公企业",)),
        ("观摩交流多久开展", "多久", ("每月", "每季度", "每年")),
    ],
)
def test_synonyms_are_added_with_a_weight_below_one(seg, query, colloquial, formal):
    analyzed = seg.analyze(query)
    assert set(formal) <= set(analyzed.expansions[colloquial])
    for term in formal:
        assert 0 < analyzed.words[term] < 1, term
    if colloquial not in QUESTION_WORDS:
        # The colloquial spelling stays in the query, but weaker than a plain word: where the speeches
        # use it, it is in passing.
        assert analyzed.words[colloquial] == COLLOQUIAL_WEIGHT < 1.0
        assert colloquial in analyzed.content


def test_a_key_the_lexicon_names_among_its_speech_terms_keeps_its_weight(seg):
    # 宣传 -> 宣讲, 宣传, 宣传员: the entry says the speeches use 宣传 itself, so it is no colloquial stand-in.
    analyzed = seg.analyze("宣传主要宣传哪几方面内容")
    assert "宣传" in seg.synonyms["宣传"][0]
    assert analyzed.expansions["宣传"]
    assert analyzed.words["宣传"] == 1.0
    assert analyzed.words["宣讲"] < 1.0


def test_longest_synonym_wins(seg):
    analyzed = seg.analyze("民营企业怎么开展党建")
    assert "民营" not in analyzed.expansions or analyzed.expansions["民营"] == ("非公企业",)
    assert analyzed.words["非公企业"] == pytest.approx(0.8)


def test_no_synonyms_without_their_key(seg):
    analyzed = seg.analyze("出资人一般要担任党组织书记吗")
    assert analyzed.expansions == {}
    assert all(w == 1.0 for w in analyzed.words.values())


def test_synonym_table_weights_are_below_one():
    table = load_synonyms()
    assert {"老板", "民营企业", "多久"} <= set(table)
    for colloquial, (formal, weight) in table.items():
        assert 0 < weight < 1, colloquial
        assert formal and all(formal), colloquial


@pytest.mark.parametrize(
    ("query", "inside", "bridges"),
    [
        ("主题党日多久开一次", ("党日", "一次"), ("日多", "久开", "日开")),
        ("党员不足怎么办呢", ("党员", "不足"), ("足怎", "办呢", "足呢")),
        ("党费什么时间交", ("党费", "时间"), ("费什", "么时", "费时")),
        ("五星支部吗有奖励", ("五星", "奖励"), ("部吗", "吗有", "部有")),
    ],
)
def test_bigrams_never_bridge_a_removed_question_word(seg, query, inside, bridges):
    grams = seg.analyze(query).bigrams
    for gram in inside:
        assert gram in grams
    for gram in bridges:
        assert gram not in grams


def test_question_frame_is_removed(seg):
    analyzed = seg.analyze("企业家教育培训包括哪些内容")
    assert "内容" not in analyzed.content
    assert "企业家" in analyzed.content


@pytest.mark.parametrize("query", ["", "   ", "？！。", "😀🎉", "吗", "怎么办呢", "\x00\x1b"])
def test_empty_queries(seg, query):
    analyzed = seg.analyze(query)
    assert analyzed.empty
    assert analyzed.content == ()


def test_analyze_normalises_the_query(seg):
    analyzed = seg.analyze("“五星支部”的ＡＢＣ平台有两名党员")
    assert "五星支部" in analyzed.content
    assert "abc" in analyzed.words
    assert "2" in analyzed.words


# -- normalisation and bigrams ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("１２３名", "123名"),
        ("ＡＢＣ党建", "abc党建"),
        ("我们有两名党员", "我们有2名党员"),
        ("不足三人", "不足3人"),
        ("俩人", "2人"),
        ("五位同志", "5位同志"),
        ("“两新”组织", "两新组织"),
        ("‘五星支部’「六有」『五清』\"X\"'Y'", "五星支部六有五清xy"),
        ("十二名党员", "十二名党员"),  # only single-digit counts are rewritten
        ("三会一课", "三会一课"),
        ("两新组织", "两新组织"),
    ],
)
def test_normalize(raw, normal):
    assert normalize(raw) == normal


def test_plain_text_removes_punctuation_and_spaces():
    assert plain_text("“两新”组织， 党建！") == "两新组织党建"
    assert plain_text("1+6+X") == "1+6+x"


@pytest.mark.parametrize(
    ("text", "grams"),
    [
        ("党建工作", ["党建", "建工", "工作"]),
        ("党，建", []),
        ("两新组织 1+6+x 方式", ["两新", "新组", "组织", "1+6+x", "方式"]),
        ("abc", ["abc"]),
        ("", []),
    ],
)
def test_bigrams(text, grams):
    assert bigrams(text) == grams


@pytest.mark.parametrize(("text", "expected"), [("十名党员", "10名党员"), ("两人", "2人"), ("三位", "3位")])
def test_counts_of_people_in_chinese_numerals_become_digits(text, expected):
    """十 was missing from the numeral table: "我们有十名党员" raised KeyError."""
    assert normalize(text) == expected
