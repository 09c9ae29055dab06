"""List questions: the kind of item asked for (``knowledge.listing``)."""

from __future__ import annotations

from knowledge.listing import asked_kind, kind_factor, kind_items


def test_the_kind_a_list_question_asks_for(kb):
    cut = kb.segmenter.cut
    assert asked_kind("要弘扬哪几种精神", cut) == "精神"
    assert asked_kind("党员可以参加哪些社区公益活动", cut) == "公益活动"
    assert asked_kind("选党组织书记要符合哪些标准？", cut) == "标准"
    assert asked_kind("党建经费从哪来", cut) is None


def test_items_of_the_asked_kind_are_counted():
    assert kind_items("大力弘扬企业家精神、劳动精神、工匠精神，", "精神") == 3
    assert kind_items("按照“守信念、讲奉献、重品行”的标准，选优配强", "标准") == 3
    assert kind_items("弘扬优良传统，发扬精神", "精神") == 0
    assert kind_factor("任何文字", None) == 1.0


def test_a_list_of_the_asked_kind_leads(kb):
    answer = kb.ask("要弘扬哪几种精神")
    assert answer.hits and "工匠精神" in answer.hits[0].text


def test_a_long_enumeration_is_counted_in_linear_time():
    """An item could swallow a 、 and the matches grew exponentially (28 items took 25 s)."""
    import time

    start = time.perf_counter()
    assert kind_items("、".join(["甲乙丙丁戊"] * 40) + "的标准", "标准") == 4
    assert time.perf_counter() - start < 1.0
