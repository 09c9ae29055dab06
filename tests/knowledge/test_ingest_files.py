"""Corpus ingestion of files other than the shipped speeches (no salutation, footers, odd encodings and line ends,
numbered sentences) and its text helpers: cleaning, numerals, splitting long paragraphs (the shipped speeches
themselves: ``test_ingest``)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from knowledge.ingest import (
    MAX_PASSAGE_CHARS,
    clean_text,
    cn_numeral,
    parse_document,
    read_documents,
    split_long,
)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("竞争优势9为企业发展", "竞争优势，为企业发展"),
        ("带动群建6充分发挥", "带动群建，充分发挥"),
        ("每月组织1次学习", "每月组织1次学习"),
        ("打造1个示范园区", "打造1个示范园区"),
        ("有3名以上正式党员", "有3名以上正式党员"),
        ("有10名以上员工", "有10名以上员工"),
        ("拨付5万元经费", "拨付5万元经费"),
        ("第3批试点", "第3批试点"),
        ("2020年全面完成", "2020年全面完成"),
        ("1+6+X方式", "1+6+X方式"),
        ("组织,党员", "组织，党员"),
        ("“学院”,逐步", "“学院”，逐步"),
        ("齐抓共管 , 行业", "齐抓共管，行业"),
        ("（系统）,园区", "（系统），园区"),
        ("学习,2020年", "学习,2020年"),  # a comma before a digit is not between Chinese text
        ("A,B", "A,B"),
    ],
)
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    "text", ["每个支部3至5人", "开展1对1帮扶", "选派3到5名指导员", "评为3星级支部", "第2句话"]
)
def test_clean_text_keeps_counts_before_non_measure_words(text):
    assert clean_text(text) == text


@pytest.mark.parametrize(
    ("n", "numeral"), [(1, "一"), (5, "五"), (10, "十"), (11, "十一"), (20, "二十"), (35, "三十五")]
)
def test_cn_numeral(n, numeral):
    assert cn_numeral(n) == numeral


def test_split_long_keeps_a_short_paragraph_whole():
    assert split_long("短段落。") == ["短段落。"]
    text = "字" * MAX_PASSAGE_CHARS
    assert split_long(text) == [text]


def test_split_long_cuts_at_sentence_ends():
    sentences = [f"第{i}条讲的是党建工作的第{i}项具体要求和落实措施。" for i in range(80)]
    text = "".join(sentences)
    assert 2000 <= len(text) <= 2500
    pieces = split_long(text)
    assert "".join(pieces) == text
    assert len(pieces) >= 4
    assert all(0 < len(p) <= MAX_PASSAGE_CHARS for p in pieces)
    assert all(p.endswith("。") for p in pieces)
    # Each piece is a run of whole sentences.
    assert all(p.startswith("第") for p in pieces)


def test_split_long_honours_other_sentence_ends_and_limit():
    text = "甲乙丙丁戊己庚辛；" * 50 + "问句吗？" * 20
    pieces = split_long(text, limit=100)
    assert "".join(pieces) == text
    assert all(len(p) <= 100 for p in pieces)
    assert all(p[-1] in "；？" for p in pieces)


def test_split_long_cuts_a_run_on_sentence_hard():
    text = "没有标点的长句" * 300  # 2100 characters, no sentence end
    pieces = split_long(text)
    assert "".join(pieces) == text
    assert all(0 < len(p) <= MAX_PASSAGE_CHARS for p in pieces)
    assert len(pieces) == 4


def test_split_long_cuts_a_run_on_sentence_after_a_comma():
    """A pasted notice with commas but no sentence end is cut after a comma, not in the middle of a word."""
    text = "各支部要认真组织党员学习，" * 100  # 1300 characters, commas only
    pieces = split_long(text)
    assert "".join(pieces) == text
    assert all(p.endswith("，") and len(p) <= MAX_PASSAGE_CHARS for p in pieces)


def test_long_paragraph_becomes_several_passages_under_one_heading():
    paragraph = "".join(f"第{i}条讲的是党建工作的第{i}项具体要求和落实措施。" for i in range(80))
    doc = parse_document(f"标题\n同志们：\n一、要求\n一是做好{paragraph}\n", "long.txt")
    assert len(doc.passages) >= 4
    assert all(len(p.text) <= MAX_PASSAGE_CHARS for p in doc.passages)
    assert {p.headings for p in doc.passages} == {
        ("一、要求", "一是做好第0条讲的是党建工作的第0项具体要求和落实措施")
    }
    assert "".join(p.text for p in doc.passages) == "一是做好" + paragraph


NO_SALUTATION = """仅供学习 禁止外传
现在订阅立享会员权益

关于加强党建工作的意见
一、总体要求
坚持党的领导,加强组织建设。
一是抓好组建。有3名以上正式党员的单独组建。
二、保障措施
落实经费保障9确保工作开展。

更多资料请加QQ群订阅
版权所有 转载必究
"""


def test_file_without_salutation_and_with_advertising_footer():
    doc = parse_document(NO_SALUTATION, "x.txt")
    assert doc.title == "关于加强党建工作的意见"
    assert doc.sections == ("一、总体要求", "二、保障措施")
    assert [(p.text, p.headings) for p in doc.passages] == [
        ("坚持党的领导，加强组织建设。", ("一、总体要求",)),
        ("一是抓好组建。有3名以上正式党员的单独组建。", ("一、总体要求", "一是抓好组建")),
        ("落实经费保障，确保工作开展。", ("二、保障措施",)),
    ]


def test_advertising_footer_after_closing_is_dropped():
    raw = "标题\n同志们：\n一、节\n正文内容。\n同志们，让我们共同努力。\n\n\n欢迎订阅\n会员群：123\n"
    doc = parse_document(raw, "f.txt")
    assert [p.text for p in doc.passages] == ["正文内容。", "同志们，让我们共同努力。"]
    assert doc.passages[-1].headings == ("结束语",)


def test_title_falls_back_to_the_file_name():
    doc = parse_document("同志们：\n一、节\n正文内容。\n", "dir/my_speech.txt")
    assert doc.title == "my_speech"
    assert doc.passages[0].headings == ("一、节",)


def test_windows_line_endings_and_full_width_indentation():
    raw = "标题\r\n同志们：\r\n\u3000\u3000一、节\r\n\u3000\u3000正文，内容。\r\n"
    doc = parse_document(raw, "w.txt")
    assert doc.title == "标题"
    assert doc.sections == ("一、节",)
    assert [(p.text, p.headings) for p in doc.passages] == [("正文，内容。", ("一、节",))]


def test_headings_are_renumbered_in_order():
    raw = "标题\n同志们：\n一、第一\n正文一。\n三、第二\n正文二。\n三、第三\n正文三。\n"
    doc = parse_document(raw, "y.txt")
    assert doc.sections == ("一、第一", "二、第二", "三、第三")
    assert [p.headings for p in doc.passages] == [("一、第一",), ("二、第二",), ("三、第三",)]


def test_a_sentence_starting_with_a_numeral_is_not_a_heading():
    raw = "标题\n同志们：\n一、节\n二、三级党组织都要落实。这是正文。\n"
    doc = parse_document(raw, "h.txt")
    assert doc.sections == ("一、节",)
    assert doc.passages[0].text == "二、三级党组织都要落实。这是正文。"


@pytest.mark.parametrize("raw", ["", "\n\n  \n", "仅供学习 禁止外传\n会员群：\n免费QQ群：\n"])
def test_nothing_to_index(raw):
    assert parse_document(raw, "empty.txt").passages == ()


def test_title_mentioning_members_of_an_association_is_kept():
    doc = parse_document("在全市工会会员代表大会上的讲话\n同志们：\n正文内容。\n", "t.txt")
    assert doc.title == "在全市工会会员代表大会上的讲话"


def test_closing_paragraph_mentioning_members_is_kept():
    raw = "标题\n同志们：\n一、节\n正文内容。\n同志们，要积极发展新会员，扩大工会覆盖面。\n"
    assert len(parse_document(raw, "t.txt").passages) == 2


def test_file_starting_with_a_section_heading():
    doc = parse_document("一、总体要求\n坚持党的领导。\n二、措施\n抓落实。\n", "nohead.txt")
    assert doc.sections == ("一、总体要求", "二、措施")
    assert doc.passages[0].headings == ("一、总体要求",)


def test_non_utf8_file_is_skipped_with_a_warning(tmp_path: Path, caplog):
    good = tmp_path / "good.txt"
    good.write_text("好标题\n同志们：\n一、节\n正文内容。\n", encoding="utf-8")
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("旧标题\n同志们：\n一、节\n党建工作内容。\n".encode("gbk"))
    with caplog.at_level(logging.WARNING, logger="knowledge.ingest"):
        documents = read_documents([gbk, good])
    assert [d.title for d in documents] == ["好标题"]
    assert any("gbk.txt" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


def test_empty_file_is_skipped_with_a_warning(tmp_path: Path, caplog):
    ads = tmp_path / "ads.txt"
    ads.write_text("仅供学习 禁止外传\n会员群：\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="knowledge.ingest"):
        assert read_documents([ads]) == []
    assert any("ads.txt" in r.getMessage() for r in caplog.records)


def test_byte_order_mark_is_not_part_of_the_title(tmp_path: Path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeff带BOM的标题\n同志们：\n正文内容。\n".encode())
    (doc,) = read_documents([path])
    assert doc.title == "带BOM的标题"
    assert doc.name == "bom.txt"
