"""Corpus ingestion: cleaning the speeches as received, their structure, and splitting into passages."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from knowledge.base import shipped_corpus
from knowledge.ingest import (
    MAX_PASSAGE_CHARS,
    Document,
    clean_text,
    cn_numeral,
    parse_document,
    read_documents,
    split_long,
)

TITLE_000 = "市委组织部长在全市“两新”组织党建工作推进会上的讲话"
TITLE_004 = "在深入开展“强党建促发展五项行动”动员部署会上的讲话"

SECTIONS_000 = (
    "一、推进组建规范化，提高党的组织和党的工作覆盖质量",
    "二、推进活动规范化，把党组织活动与生产经营发展紧密结合起来",
    "三、推进保障规范化，确保党组织有资源有能力开展工作",
    "四、开展争当“四个先锋”活动，建强党组织战斗堡垒",
    "五、切实强化组织保障，确保“两新”组织党建工作抓出成效",
)
SECTIONS_004 = (
    "一、实施企业家政治引领行动",
    "二、实施“双覆盖”提质增效行动",
    "三、实施生产经营引航助推行动",
    "四、实施企业文化培育塑造行动",
    "五、实施标杆示范带动行动",
    "六、强化组织保障",
)
AD_WORDS = ("仅供学习", "禁止外传", "会员", "QQ", "订阅", "酷乐文行", "倒卖", "自建平台")


@pytest.fixture(scope="module")
def docs() -> dict[str, Document]:
    documents = read_documents(shipped_corpus())
    return {d.title: d for d in documents}


def _passage_with(doc: Document, phrase: str):
    found = [p for p in doc.passages if phrase in p.text]
    assert found, f"no passage of {doc.title} contains {phrase!r}"
    return found[0]


def _all_texts(docs: dict[str, Document]) -> list[str]:
    return [p.text for d in docs.values() for p in d.passages]


# -- the shipped speeches ---------------------------------------------------------------------------------


def test_both_speeches_are_read_with_their_titles(docs):
    assert set(docs) == {TITLE_000, TITLE_004}
    assert docs[TITLE_000].name.startswith("000_")
    assert docs[TITLE_004].name.startswith("004_")


def test_advertising_header_is_gone(docs):
    raw = shipped_corpus()[0].read_text(encoding="utf-8")
    assert "酷乐文行" in raw and "会员" in raw  # the test data still has the header to remove
    for doc in docs.values():
        for word in AD_WORDS:
            assert word not in doc.title
            for p in doc.passages:
                assert word not in p.text, (doc.title, word, p.text[:40])
                assert all(word not in h for h in p.headings)


def test_salutation_is_not_a_passage(docs):
    for doc in docs.values():
        assert all(p.text != "同志们：" for p in doc.passages)
        assert doc.passages[0].headings == ("开篇",)
        assert doc.passages[-1].headings == ("结束语",)
        assert doc.passages[-1].text.startswith("同志们，")


def test_opening_passage_is_the_first_paragraph_after_the_salutation(docs):
    assert docs[TITLE_000].passages[0].text.startswith("这次会议的主要任务是")
    assert docs[TITLE_004].passages[0].text.startswith("习总书记高度重视企业发展")


def test_section_headings_in_order(docs):
    assert docs[TITLE_000].sections == SECTIONS_000
    assert docs[TITLE_004].sections == SECTIONS_004


def test_repeated_section_number_is_renumbered(docs, caplog):
    doc = docs[TITLE_000]
    # The source repeats "三、" for its fifth section.
    raw = shipped_corpus()[0].read_text(encoding="utf-8")
    assert "\n三、切实强化组织保障" in raw and "\n五、" not in raw
    assert "五、切实强化组织保障，确保“两新”组织党建工作抓出成效" in doc.sections
    assert [s for s in doc.sections if s.startswith("三、")] == [SECTIONS_000[2]]
    p = _passage_with(doc, "一要强化责任落实")
    assert p.headings[0] == SECTIONS_000[4]
    with caplog.at_level(logging.INFO, logger="knowledge.ingest"):
        parse_document(raw, "000.txt")
    assert any("renumbered" in r.getMessage() for r in caplog.records)


def test_every_passage_carries_a_section_from_its_document(docs):
    for doc in docs.values():
        for p in doc.passages:
            assert p.headings
            assert p.headings[0] in {*doc.sections, "开篇", "结束语"}


@pytest.mark.parametrize(
    ("title", "phrase", "headings"),
    [
        (TITLE_000, "对职工中正式党员不足3名的", (SECTIONS_000[0], "二是联合建、挂靠建查漏补缺")),
        (TITLE_000, "“6”即学习讨论", (SECTIONS_000[1], "一是每月开展一次“主题党日”活动")),
        (TITLE_000, "不超过职工年度工资薪金总额1%", (SECTIONS_000[2], "一要拓展党建经费来源")),
        (TITLE_000, "小微企业、个体工商户", (SECTIONS_000[4], "二要理顺隶属关系")),
        (
            TITLE_004,
            "有3名以上正式党员的，必须单独建立党组织",
            (SECTIONS_004[1], "一要坚持常态排查与应建尽建结合，确保党的组织和工作全覆盖"),
        ),
        (TITLE_004, "企业家教育培训制度", (SECTIONS_004[0], "二要加强教育培训")),
        (TITLE_004, "充分发挥工会、共青团、妇联", (SECTIONS_004[3], "二要坚持党建带动群建")),
        (TITLE_004, "从各级留存的党费中", (SECTIONS_004[5], "三要强化基础保障")),
    ],
)
def test_item_titles_in_heading_paths(docs, title, phrase, headings):
    assert _passage_with(docs[title], phrase).headings == headings


def test_item_paragraphs_have_their_item_title_and_others_do_not(docs):
    item = re.compile(r"^[一二三四五六七八九十]{1,3}[是要]")
    n_items = 0
    for doc in docs.values():
        for p in doc.passages:
            if item.match(p.text):
                n_items += 1
                assert len(p.headings) == 2, p.text[:30]
                assert p.text.startswith(p.headings[1].rstrip("…"))
                assert len(p.headings[1]) <= 41
            else:
                assert len(p.headings) == 1, p.text[:30]
    assert n_items >= 35


def test_section_intro_paragraph_has_only_the_section(docs):
    p = _passage_with(docs[TITLE_000], "全面梳理园区企业党组织建立情况")
    assert p.headings == (SECTIONS_000[0],)


@pytest.mark.parametrize(
    ("fixed", "broken"),
    [("创新优势，为企业", "创新优势9为企业"), ("党建带动群建，充分发挥", "党建带动群建6充分发挥")],
)
def test_stray_digits_are_fixed(docs, fixed, broken):
    texts = _all_texts(docs)
    assert any(fixed in t for t in texts)
    assert not any(broken in t for t in texts)


@pytest.mark.parametrize(
    "count",
    [
        "每月至少组织1次",
        "打造1个示范园区",
        "有3名以上",
        "正式党员3名以上",
        "不足3名的",
        "党员不足3人的",
        "有10名以上员工",
        "4月30日",
        "7月21日",
        "提出了5个要求",
        "3—5个示范非公企业",
        "“1+6+X”",
        "覆盖单位数不超过5个",
        "工资薪金总额1%的部分",
        "覆盖率均达到100%",
        "发放周期为1年",
        "重点培育1个非公党建示范县",
    ],
)
def test_real_counts_stay(docs, count):
    assert any(count in t for t in _all_texts(docs))


@pytest.mark.parametrize(
    "fixed", ["打造一批“非公党建学院”，逐步", "齐抓共管，行业（系统）", "以钉钉子精神，深入实施"]
)
def test_ascii_commas_between_chinese_become_full_width(docs, fixed):
    assert any(fixed in t for t in _all_texts(docs))


def test_no_ascii_comma_left_between_chinese(docs):
    between = re.compile(r"[\u4e00-\u9fff”’）]\s*,\s*[\u4e00-\u9fff“‘（]")
    assert not [t for t in _all_texts(docs) if between.search(t)]


def test_no_empty_or_oversized_passage(docs):
    for doc in docs.values():
        assert doc.passages
        for p in doc.passages:
            assert p.text.strip() == p.text and p.text
            assert len(p.text) <= MAX_PASSAGE_CHARS


def test_no_passage_is_a_heading(docs):
    for doc in docs.values():
        headings = set(doc.sections)
        assert not [p for p in doc.passages if p.text in headings]


# -- cleaning ---------------------------------------------------------------------------------------------


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


# -- split_long -------------------------------------------------------------------------------------------


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


# -- parse_document on synthetic files --------------------------------------------------------------------

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


# -- read_documents ---------------------------------------------------------------------------------------


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
