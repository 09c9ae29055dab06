"""What of a message is read as the question (``handlers.services.qa.clean_question``)."""

from __future__ import annotations

from handlers.services.qa import MAX_QUERY_CHARS, clean_question


def test_a_short_question_is_folded_only():
    assert clean_question("  党费 \u200b怎么交 \n") == "党费 怎么交"


def test_a_long_paste_keeps_the_question_at_its_end():
    notice = "关于开展主题党日活动的通知。各支部：" + "请按照要求认真组织开展活动，做好记录。" * 40
    question = "请问我们支部只有两个党员，能自己建支部吗？"
    kept = clean_question(notice + question)
    assert kept.endswith(question)
    assert len(kept) <= MAX_QUERY_CHARS
    assert kept.startswith("请按照要求")  # from the start of a sentence, not the middle of one


def test_a_long_text_without_sentence_ends_keeps_its_last_characters():
    text = "党" * 600
    assert clean_question(text) == "党" * MAX_QUERY_CHARS


def test_links_signatures_tags_and_laughter_are_no_part_of_the_question():
    # helper-88's review: each of these was refused, the question alone is answered.
    question = "党员不足3名怎么办"
    for junk in (
        " 发自我的华为手机",
        " https://mp.weixin.qq.com/s/AbC_dEf?x=1",
        " 哈哈哈哈哈",
        "哈" * 600,
        " Sent from my iPhone",
    ):
        assert clean_question(question + junk) == question, junk
    assert clean_question("@张三 主题党日多久一次 #党建#") == "主题党日多久一次"
    assert clean_question("哈哈哈") == "哈哈哈"  # nothing else: kept, and answered as it is


def test_english_question_words_in_a_chinese_question_are_dropped_names_kept():
    assert clean_question("党员不足3名how to do") == "党员不足3名"
    assert clean_question("App积分怎么算 please") == "App积分怎么算"
    assert clean_question("how to do") == "how to do"  # no Chinese: left alone
