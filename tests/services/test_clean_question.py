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
