"""Pinyin slips are mended only where a word of the corpus sounds the same (knowledge/typos.py)."""

from __future__ import annotations

import pytest

from knowledge.segment import Segmenter, is_question_token, normalize
from knowledge.typos import Sounds, TypoFixer, read_table, table_path, write_table

VOCABULARY = [
    "支部",
    "工作",
    "指导站",
    "指导",
    "党员",
    "问题",
    "讲解",
    "实在",
    "必学",
    "借鉴",
    "保障",
    "授牌",
]


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter()


@pytest.fixture(scope="module")
def sounds() -> Sounds:
    return Sounds(read_table())


def fix(segmenter: Segmenter, sounds: Sounds, text: str, seen=lambda _: False, vocabulary=VOCABULARY) -> str:
    fixer = TypoFixer(lambda: vocabulary, seen, lambda: sounds)
    return fixer.correct(normalize(text), segmenter.cut, is_question_token)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("党员不足3人咋建支布", "党员不足3人咋建支部"),
        ("党员思想政治工做责任区是啥制度", "党员思想政治工作责任区是啥制度"),
        ("非公党建指到站设在哪里", "非公党建指导站设在哪里"),
        ("在复工一线能不能发展党圆", "在复工一线能不能发展党员"),
        ("观摩交流借见的是哪个做法", "观摩交流借鉴的是哪个做法"),
        ("示范点由谁命名受牌", "示范点由谁命名授牌"),
    ],
)
def test_a_slip_is_mended(segmenter, sounds, typed, meant):
    assert fix(segmenter, sounds, typed) == normalize(meant)


@pytest.mark.parametrize(
    "text",
    [
        "党员不足3人怎样建立党组织",  # nothing to mend
        "党建宣讲主要讲些什么",  # 讲解 is jiang jie by its commonest readings: 讲些 is no slip
        "这五项行动是在推广哪家企业的经验",  # 是 is a question word: 是在 is no slip for 实在
    ],
)
def test_a_question_typed_right_is_left_alone(segmenter, sounds, text):
    assert fix(segmenter, sounds, text) == normalize(text)


def test_what_the_corpus_writes_is_no_slip(segmenter, sounds):
    text = "激励企业比学先进"
    assert fix(segmenter, sounds, text, vocabulary=["必学", *VOCABULARY]) != normalize(text)
    assert fix(segmenter, sounds, text, seen=lambda t: t == "比学", vocabulary=["必学"]) == normalize(text)


def test_two_words_that_sound_alike_mend_nothing(segmenter, sounds):
    assert fix(segmenter, sounds, "建支布", vocabulary=["支部", "支步"]) == "建支布"


def test_sounds_commonest_reading_first(sounds):
    assert sounds.of("解")[0] == "jie"
    assert "xie" in sounds.of("解")
    assert sounds.keys("讲解", readings=1) == [("jiang", "jie")]


def test_the_shipped_table_is_pypinyin_s(tmp_path):
    pytest.importorskip("pypinyin")
    written = tmp_path / "pinyin.txt"
    write_table(written)
    assert written.read_text(encoding="utf-8") == table_path().read_text(encoding="utf-8")


def test_a_character_the_corpus_writes_with_its_neighbour_is_no_slip(segmenter, sounds):
    # 补是 sounds like 不是 (bu shi), but the corpus writes 代补 (以奖代补): 补 was typed as meant.
    written = {"代补", "以奖", "奖代"}
    assert (
        fix(segmenter, sounds, "以奖代补是怎么回事", written.__contains__, ["不是"]) == "以奖代补是怎么回事"
    )
    assert fix(segmenter, sounds, "补是怎么回事", written.__contains__, ["不是"]) == "不是怎么回事"


def test_a_slip_is_mended_where_the_question_holds_spaces(segmenter, sounds):
    # A stripped question frame leaves a space; the tokens then do not join into the text.
    assert fix(segmenter, sounds, "书记信相是 用的", vocabulary=["信箱"]) == "书记信箱是 用的"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("zhi部怎么建", "支部怎么建"),
        ("正式dang员", "正式党员"),
        ("结对共jian", "结对共建"),  # the longest word around the syllable
        ("问gong作", "问工作"),
    ],
)
def test_a_syllable_typed_in_letters_is_spelt(segmenter, sounds, typed, meant):
    vocabulary = [*VOCABULARY, "结对共建", "共建"]
    assert fix(segmenter, sounds, typed, vocabulary=vocabulary) == normalize(meant)


@pytest.mark.parametrize("text", ["主题党日x可以搞啥", "用excel做台账", "shu怎么写", "dang员"])
def test_letters_that_spell_no_word_stay(segmenter, sounds, text):
    # A single letter, no syllable, a syllable beside no vocabulary word, and two words that fit (党员, 荡员).
    assert fix(segmenter, sounds, text, vocabulary=[*VOCABULARY, "荡员"]) == normalize(text)


@pytest.mark.parametrize("text", ["用AI党建有什么好处", "ＡＩ党建"])
def test_letters_typed_in_capitals_are_an_abbreviation_not_pinyin(kb, text):
    # ai is a syllable and 爱党 a corpus word, but AI is an abbreviation.
    assert "爱党" not in kb.analyze(text).content


def test_a_capital_that_starts_a_sentence_is_still_pinyin(kb):
    assert "支部" in kb.analyze("Zhi部怎么建").content


@pytest.mark.parametrize(
    ("text", "vocabulary"),
    [
        ("上头是想把比例往上拱吧", ["网上"]),
        ("要上会研究吗", ["商会"]),
        ("嗯领导我问个事啊", ["干事"]),
        ("党建经费一直没个说法", ["每个"]),
    ],
)
def test_the_commonest_characters_of_speech_are_never_taken_for_slips(segmenter, sounds, text, vocabulary):
    assert fix(segmenter, sounds, text, vocabulary=[*vocabulary, *VOCABULARY]) == normalize(text)
