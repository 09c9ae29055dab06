"""Corpus ingestion: cleaning the speeches as received, their structure, and splitting into passages."""

from __future__ import annotations

import logging
import re

import pytest

from knowledge.base import shipped_corpus
from knowledge.ingest import (
    MAX_PASSAGE_CHARS,
    Document,
    parse_document,
    read_documents,
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
