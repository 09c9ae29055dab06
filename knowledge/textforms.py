"""Text as both the index and a question read it: normalisation, character bigrams, index terms and question
words (``knowledge.segment`` cuts with them, and offers them to the rest of the knowledge layer)."""

from __future__ import annotations

import operator
import re
import unicodedata
from functools import lru_cache

from knowledge.frames import FILLER_WORDS
from knowledge.numbers import CN_DIGITS

_CJK = re.compile(r"[\u4e00-\u9fff]")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+|[0-9a-z]+(?:[+.][0-9a-z]+)*")
_ALNUM = re.compile(r"[0-9a-z]")
_ONE_RUN = re.compile(r"[\u4e00-\u9fff]+")
# "三名党员", "两人" -> "3名党员", "2人": counts of people are written both ways.
_PEOPLE_COUNT = re.compile(r"(?<![一二三四五六七八九十两])([一二两俩三四五六七八九十])(?=[名人位])")

# Question words and fillers removed from queries only (never from the text): a broad stopword list would drop
# words that carry meaning here (有, 没有, 一般).
QUESTION_WORDS = frozenset(
    """吗 呢 吧 啊 呀 么 嘛 哦 什么 啥 怎么 怎样 怎么样 如何 哪些 哪个 哪里 哪儿 哪 谁 多少 是否 能否 能不能 可不可以
    可以 应该 应当 需要 需不需要 要不要 请问 一下 为什么 为啥 怎么办 怎么做 咋办 咋 有没有 是不是 我们 我 你 您 咱们 咱
    多久 多长时间 几次 频次 东西 俺们 俺 咱家 中不中 行不行 咋整 啥子 整点 得劲 不咧 撒子
    的 了 吗? 是 指 指的是 是指 什么样 哪些人 问 想 知道 关于 有关 中 里 里面 这个 那个 这 那 该 要求""".split()
)

# A token built around a question word is a question phrase jieba keeps whole (谁来管, 怎么开, 哪几项).
_QUESTION_TOKEN = re.compile(r"谁|什么|^怎|^哪|^如何|^为何|^为啥|^多少|^几")


@lru_cache(maxsize=65536)
def is_question_token(token: str) -> bool:
    return token in QUESTION_WORDS or token in FILLER_WORDS or bool(_QUESTION_TOKEN.search(token))


_QUOTES = str.maketrans("", "", "“”‘’\"'「」『』")
# Cheap tests that tell a text holds a quote, or a count of people, before the slower pass that edits it.
_QUOTE = re.compile("[“”‘’\"'「」『』]")
_MAY_COUNT = re.compile("[一二两俩三四五六七八九十][名人位]")


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits to ASCII), lower case, people counts as digits, quotes dropped.

    Quotes sit inside words in the speeches (非“两新”组织, “五星支部”), so they would split them.
    """
    return normalize_nfkc(nfkc(text))


# Chinese characters are NFKC's own (starters, never decomposed, never part of a composition): NFKC changes
# nothing across them, so only the stretches between them need the slow pass.
_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, faster on Chinese text."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    return _NOT_HAN.sub(_nfkc_stretch, text)


def _nfkc_stretch(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", match.group())


def normalize_nfkc(text: str) -> str:
    """``normalize`` of a text already in NFKC."""
    text = text.lower()
    if _QUOTE.search(text):
        text = text.translate(_QUOTES)
    if _MAY_COUNT.search(text):
        text = _PEOPLE_COUNT.sub(lambda m: str(CN_DIGITS.get(m.group(1), 10)), text)
    return text


_NOT_WORD = re.compile(r"[^\u4e00-\u9fff0-9a-z+]+")


def plain_text(text: str) -> str:
    """Normalised text with punctuation and spaces removed, for substring tests."""
    return _NOT_WORD.sub("", normalize(text))


def bigrams(text: str) -> list[str]:
    """Overlapping character bigrams of every Chinese run (``cjk_bigram``); ASCII words stay whole."""
    if _ONE_RUN.fullmatch(text):  # one Chinese run (a question's, mostly)
        return list(map(operator.add, text, text[1:]))
    out: list[str] = []
    for run in _CJK_RUN.findall(text):
        if _CJK.match(run):
            out.extend(map(operator.add, run, run[1:]))  # each character and the next
        else:
            out.append(run)
    return out


@lru_cache(maxsize=65536)
def is_term(token: str) -> bool:
    """Whether ``token`` is an index term: two Chinese characters or more, or letters and digits."""
    return (len(token) >= 2 and bool(_CJK.search(token))) or bool(_ALNUM.search(token))


@lru_cache(maxsize=4096)
def is_query_term(token: str) -> bool:
    """Whether ``token`` is an index term that is not a question word: a term a query searches for."""
    return is_term(token) and not is_question_token(token)
