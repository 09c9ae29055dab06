"""Politeness, question frames, fillers and situations around a question; list questions and their key sentence.

Made-up questions, none from the tuning or validation sets.
"""

from __future__ import annotations

import pytest

from knowledge.frames import context_clauses, is_listing, strip
from knowledge.listing import items, listing_sentence
from knowledge.segment import normalize


@pytest.mark.parametrize(
    ("question", "gone"),
    [
        ("您好，请问主题党日怎么开？谢谢！", ("您好", "请问", "谢谢")),
        ("老师好，想咨询一下党费怎么交，麻烦了", ("老师好", "咨询", "麻烦")),
        ("建联合支部需要满足什么条件", ("满足", "条件")),
        ("党员关系转接应该找谁", ("找谁",)),
        ("活动室面积有没有硬性规定", ("有没有硬性规定",)),
        ("这个算不算违规", ("算不算",)),
        ("书记可不可以兼任工会主席", ("可不可以",)),
        ("能不能在网上交党费", ("能不能",)),
        ("要不要建台账", ("要不要",)),
        ("这个活动还要接着搞不", ("搞不",)),
        ("省里那个行动叫啥名", ("叫啥名",)),
        # 问下 is a request ("问下企业…" must not read as 下企业, a visit to enterprises).
        ("麻烦问下企业的党建场地有没有统一标准", ("问下", "下企业")),
        ("我问下，联合支部最多几家", ("问下",)),
        # The speech named as the place of the answer says nothing about the topic.
        ("流动党员怎么管，讲话里咋说的", ("讲话里", "咋说")),
        ("文件中有没有提到活动场所", ("文件中", "有没有提到")),
    ],
)
def test_wrapping_and_frames_are_removed(question, gone):
    text = strip(normalize(question)).text
    for piece in gone:
        assert piece not in text


@pytest.mark.parametrize(
    ("question", "kept"),
    [
        ("您好，请问主题党日怎么开？谢谢！", "主题党日"),
        ("书记可不可以兼任工会主席", "兼任工会主席"),
        ("上级问下来怎么答复", "上级问下来"),
        ("流动党员怎么管，讲话里咋说的", "流动党员怎么管"),
        ("讲话精神怎么学", "讲话精神"),  # the speech as a topic, not as the place of the answer
    ],
)
def test_the_content_stays(question, kept):
    assert kept in strip(normalize(question)).text


def test_frames_do_not_count_against_coverage(kb):
    plain = kb.rank("书记可以兼任工会主席吗").evidence().coverage
    framed = kb.rank("您好，请问书记可不可以兼任工会主席？有没有硬性规定？谢谢").evidence().coverage
    assert framed >= plain - 0.05


@pytest.mark.parametrize(
    ("question", "context"),
    [
        ("我们是一家50人的企业，要建党组织吗", ("我们是一家50人的企业，",)),
        ("我们是做物流的，员工两百多人，党费怎么交", ("我们是做物流的，", "员工两百多人，")),
        ("有个党员生病了，支部该怎么关心他", ("有个党员生病了，",)),
        # No clause asks with content of its own: the first clause is the question.
        ("行业党委想开个系统账号，该找谁", ()),
        # One clause only.
        ("我们公司要建党组织吗", ()),
        # The first clause does not start from the user.
        ("公司要调薪，支部跟管理层怎么商量", ()),
    ],
)
def test_context_clauses(question, context):
    assert context_clauses(normalize(question)) == tuple(normalize(c) for c in context)


def test_situation_words_weigh_less(kb):
    analyzed = kb.analyze("我们是一家做餐饮的企业，主题党日多久开一次")
    assert analyzed.focus.get("餐饮", 1.0) < 1
    assert "主题党日" not in analyzed.focus


def test_a_situation_does_not_move_the_answer(kb):
    plain = kb.ask("主题党日多久开一次")
    wrapped = kb.ask("我们是一家做餐饮的企业，员工三十来人，主题党日多久开一次？谢谢")
    assert wrapped.hits[0].passage_id == plain.hits[0].passage_id
    assert wrapped.confidence == plain.confidence == "high"


# -- list questions ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "listing"),
    [
        ("六有都包括什么", True),
        ("三会一课有哪几项", True),
        ("五清是哪五清", True),
        ("党费怎么交", False),
        ("书记补贴发多久", False),
    ],
)
def test_list_questions_are_recognised(question, listing):
    assert is_listing(normalize(question)) is listing


@pytest.mark.parametrize(
    ("sentence", "n"),
    [
        ("按照有场所、有设施、有标志、有党旗、有书报、有制度的标准。", 6),
        ("建立“矛盾调解中心”“情感交流站”等平台。", 2),
        ("一是单独组建，二是联合建，三是挂靠建。", 3),
        ("每季度开展一次观摩交流。", 0),
    ],
)
def test_items(sentence, n):
    assert items(sentence) == n


def test_listing_sentence_prefers_the_list(kb):
    text = (
        "要建设党员活动阵地。按照有场所、有设施、有标志、有党旗、有书报、有制度的标准建设阵地。阵地要常用。"
    )
    terms = kb.coverage_terms(kb.analyze("党员活动阵地的标准有哪几项"))
    assert (
        listing_sentence(text, terms) == "按照有场所、有设施、有标志、有党旗、有书报、有制度的标准建设阵地。"
    )
    assert listing_sentence("没有列举的句子。也没有。", terms) is None


def test_a_list_question_leads_with_the_listing_sentence(kb):
    (first, *_) = kb.search("党员活动室的六有标准都包括什么")
    assert "有场所、有设施、有标志、有党旗、有书报、有制度" in first.highlight
