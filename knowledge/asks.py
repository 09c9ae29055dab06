"""What kind of answer a question asks for, where it can be told from its words alone.

A question that asks for a quantity ("党费按工资的多少比例交", "一年能休几天年假", "多久开一次") is not answered by a
passage that states no quantity at all: the speeches may talk about the topic (党费, 职工) without the figure the
user wants. Such a lead is offered as the closest passage (a tentative answer), never as a confident one. So is a
lead that describes no procedure for a question that asks how something is done step by step or where
("预备党员转正要走哪些程序", "流动党员证去哪办", "民主评议分几档"): the speeches name such things (民主评议党员, 组织关系)
without the procedure. The patterns are about how Chinese questions ask for and state amounts and procedures, not
about the speeches' topics. Measured on the seen sets and qa7/qa8 tuning halves: the procedure check took 9
off-topic questions from confident to tentative and 2 of 1788 answerable ones (right either way).

A question that asks for money, a head count or a span of time needs a figure of that kind in the lead, not just
any number (``_MEASURES``): on every seen blind set and qa16's tuning half, 29 off-topic questions went from
confident to tentative (the amounts the speech writes as ×, 支委会最少几个委员, 几天年假) and 7 answerable ones, each
asking for an amount the speech writes as ×, from confident to tentative (right either way).

A question that asks when (哪天, 啥时候) prefers, among near-tied candidates, one that states a date
(``dated_first``): on every seen blind set, top-1 +4 and nothing worse. Making an undated lead tentative for such a
question was measured too and not kept: it took two right answers from confident and no off-topic one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

# Asks for an amount: 多少, 多久, 多长时间, 几次/几天/几个 ... (not "有几个" which describes: "我们有几个骨干"; not
# 哪几个, which asks which ones, nor 那几个/这几个 but 那几个人, which point at things named (那 opening a question,
# 那几点开会, still asks), nor 好几个/十几人/60几个, a situation's
# rough size), 百分之几, 比例. Measured on the tuning halves, right and confident of 3,132: 哪/那/这 2,944 -> 2,958,
# 好/十/digits -> 2,962; nothing else moved.
_ASKS_QUANTITY = re.compile(
    r"多少|多久|多长时间|(?<![有哪那这好十0-9０-９])几(?:个|次|天|年|月|人|名|家|岁|回|点|成|号|级)"
    r"|(?<=[那这])几(?:个人|次|天|年|月|人|名|家|岁|回|点|成|号|级)|百分之几|比例"
)
# States one: a digit, a Chinese numeral with a measure word, a period (每月, 每季度), "每市一院", a bound.
_STATES_QUANTITY = re.compile(
    r"[0-9０-９%％]|[一二三四五六七八九十两百千万]+(?:个|次|名|人|家|年|月|天|万|元|项|条|季度|级)"
    r"|每(?:月|年|季度|周|半年)|每.{1,2}一|不超过|不少于|至少|以上|以下"
)


# A figure of money, a head count or a span of time, and what a question asks for of each: the lead must state a
# figure of that kind ("给予×万元" states none: the speech left the amount out). A figure of another kind (每月至少
# 组织1次 for 支部委员会最少要几个委员) does not answer.
_FIGURE = r"\d+(?:\.\d+)?|[一二两三四五六七八九十百千万]+|×"
_MONEY = (
    re.compile(
        r"多少钱|多少元|多少万|几万|几百块|几千块|几百元|几千元|金额|(?:交|缴|缴纳|拿|给|发|赔|领)多少"
        r"|(?:奖励|补助|补贴|津贴|党费|标准)[^，。？?]{0,5}多少|多少(?:的)?(?:奖励|补助|补贴|津贴|奖金)"
        r"|(?:奖励|补助|补贴|津贴)(?:的)?(?:标准|额度)"
    ),
    r"(?:元|万元|千元|块)",
)
_MONEY_WORD = re.compile(
    "工作津贴|经费奖励|补助|补贴|津贴|奖励|经费|奖金|费用|金额|标准|报酬|待遇|万元|钱|元"
)
_MEASURES = (
    _MONEY,
    (
        re.compile(r"(?:最少|至少|最多|要|需要|得|必须)(?:有|配|设|选|配备)?几(?:个|名|位|人)(?!党员)"),
        r"(?:个|名|人|位)",
    ),
    (
        re.compile(r"(?<![哪有])几(?:天|个月|周|小时)|(?<![哪有这近前])几年|多少天"),
        r"(?:天|年|个月|周|日|小时)",
    ),
)

# Every match of a ``_MEASURES`` pattern holds one of these: a question with none asks for no figure.
_MEASURE_WORD = re.compile("几|多少|金额|奖励|补助|补贴|津贴")

# Asks how something is done or where: a procedure, formalities, steps, grades.
_ASKS_PROCEDURE = re.compile(
    r"流程|程序|步骤|手续|办理|去哪(?:里)?办|在哪(?:里)?办|几档|等次|怎么(?:申请|计算|算|登记|注册|刻)"
)
# Describes one: the words in which procedures are told.
_STATES_PROCEDURE = re.compile(
    r"程序|流程|步骤|手续|备案|报告|审批|批准|同意|申请|等次|档次|分为|登记|注册|计算"
)


# Asks when: 哪天, 啥时候, 几月几号 ... ; states a date: 4月30日, 2020年, 年初, 月底.
_ASKS_WHEN = re.compile(r"哪天|哪一天|啥时候|什么时候|几月几[号日]|几号|何时|哪年|哪一年|什么时间|啥时间")
_STATES_WHEN = re.compile(
    r"\d+月\d+日|\d{4}年|[一二三四五六七八九十]+月[一二三四五六七八九十]+日|年初|年底|年末|月底|月初|季度末"
)
# A dated candidate among the first three goes first for a "when" question if it scores at least this share of
# an undated lead (0.5 and 0.75 chose the same on the seen sets; 0.9 half as many).
WHEN_RATIO = 0.75


def asks_quantity(question: str) -> bool:
    # Every match of ``_ASKS_QUANTITY`` holds 多, 几 or 比例: a question with none is not searched.
    return ("多" in question or "几" in question or "比例" in question) and bool(
        _ASKS_QUANTITY.search(question)
    )


def states_quantity(text: str) -> bool:
    return bool(_STATES_QUANTITY.search(text))


def asks_procedure(question: str) -> bool:
    return bool(_ASKS_PROCEDURE.search(question))


def states_procedure(text: str) -> bool:
    return bool(_STATES_PROCEDURE.search(text))


def _measured(question: str, lead: str) -> bool:
    """Whether the lead states a figure of a kind the question asks for, where it asks for money, a head count or
    a span of time; True when it asks for none of them."""
    if not _MEASURE_WORD.search(question):
        return True
    asked = [unit for asks, unit in _MEASURES if asks.search(question)]
    # One figure asked and stated is an answer (补贴有多少，发几年: ×元, but 发放周期为1年).
    return not asked or any(n != "×" for unit in asked for n in re.findall(rf"({_FIGURE})\s*{unit}", lead))


def answer_missing(question: str, lead: str | None) -> bool:
    """The question asks for an amount or a procedure and the lead passage (its text) states none."""
    if lead is None:
        return False
    return (
        (asks_quantity(question) and not states_quantity(lead))
        or (asks_procedure(question) and not states_procedure(lead))
        or not _measured(question, lead)
    )


def dated_first(
    question: str, ranked: list[tuple[int, float]], text_of: Callable[[int], str]
) -> list[tuple[int, float]]:
    """``ranked`` with, for a question that asks when, the first of the next two candidates that states a date
    put first, if the lead states none and that candidate scores at least ``WHEN_RATIO`` of it (the speeches
    mention 圆方's letter twice; only one passage says it came on 4月30日)."""
    if not ranked or not _ASKS_WHEN.search(question) or _STATES_WHEN.search(text_of(ranked[0][0])):
        return ranked
    top = ranked[0][1]
    for passage_id, score in ranked[1:3]:
        if score >= WHEN_RATIO * top and _STATES_WHEN.search(text_of(passage_id)):
            return [(passage_id, top)] + [(i, s) for i, s in ranked if i != passage_id]
    return ranked


REDACTED = re.compile(r"×\s*[万千百]?元")  # an amount the speeches as published leave out
REDACTED_SHOWN = "引文中的“×”是讲话公开稿略去的数额，具体标准请以当地组织部门的文件为准。"
REDACTED_NOTE = "讲话中这笔钱的数额写作“×”，没有公布具体标准，请以当地组织部门的文件为准。"


def redacted_amount(question: str, lead: str, subjects: Iterable[tuple[str, ...]] = ()) -> bool:
    """The question asks for money and the lead writes that amount as × (给予×万元经费奖励): the speeches as
    published leave it out, which the reply says in so many words. ``subjects``: the spellings of the question's
    other words; one of them must be in the sentence with the × (党建指导员补贴多少钱 is not answered by the
    secretary's ×元 allowance)."""
    asks, unit = _MONEY
    if not asks.search(question):
        return False
    # The subject of each spelling, its money word set aside (书记补贴 -> 书记).
    words = [c for spellings in subjects for w in spellings if len(c := _MONEY_WORD.sub("", w)) >= 2]
    for sentence in re.split(r"[。；！？]", lead):
        if re.search(rf"×\s*{unit}", sentence) and (not words or any(_shares(w, sentence) for w in words)):
            return True
    return False


def _shares(word: str, sentence: str) -> bool:
    """The word, or three running characters of it, is in the sentence (成立党组织: 单独新建党组织)."""
    return word in sentence or any(word[i : i + 3] in sentence for i in range(len(word) - 2))


# A mark a passage defines in quotes ("“6”即学习讨论…": the 1+6+X of 主题党日), asked for by itself: "里的6是指什么",
# not as the end of the whole formula ("1+6+X是什么意思" asks for all of it).
_ASKED_MARK = re.compile(
    r"(?<![+＋加0-9A-Za-z])[“\"]?([0-9A-Za-z零一二三四五六七八九十]{1,2})[”\"]?\s*"
    r"(?:是指|指的是|指|是什么|是啥|代表|包括|包含|有哪些|都有)"
)


# Every match of ``_ASKED_MARK`` holds one of these: a question without any asks for no mark.
_MARK_VERB = re.compile(r"指|是什么|是啥|代表|包括|包含|有哪些|都有")


def asked_marks(question: str) -> list[str]:
    """The marks ``question`` asks for by themselves (``_ASKED_MARK``), in order: read once for all of its hits."""
    if not _MARK_VERB.search(question):
        return []
    return [mark.group(1) for mark in _ASKED_MARK.finditer(question)]


def defined_sentence(question: str, text: str, marks: list[str] | None = None) -> str | None:
    """The sentence of ``text`` that defines the mark ``question`` asks for ("“6”即…"), or None (helper-88's review:
    "1+6+X里的6是指什么" quoted the “1”即 sentence). ``marks``: ``asked_marks(question)``, if read already."""
    for mark in asked_marks(question) if marks is None else marks:
        found = re.search(rf"“{re.escape(mark)}”即[^。；]*[。；]?", text)
        if found:
            return found.group(0)
    return None
