"""Segmentation: one ``jieba.Tokenizer`` of our own with the domain dictionary, and query analysis.

Documents and queries go through the same normalisation and ``cut_for_search`` so a word is cut the same way on
both sides. Queries additionally lose their question words (吗, 多久, 怎么办, ...) and gain weighted synonyms where
people and the speeches use different words (老板 -> 出资人). A character-bigram stream is produced alongside the
word stream, to catch words jieba splits differently in a question and in the text.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from knowledge import lexicon
from knowledge.boundaries import rejoin
from knowledge.frames import FILLER_WORDS, LIGHT_WEIGHT, LIGHT_WORDS, is_listing, strip
from knowledge.numbers import CN_DIGITS
from knowledge.tokenizer import make_tokenizer
from knowledge.traditional import fold
from knowledge.typos import TypoFixer

_CJK = re.compile(r"[\u4e00-\u9fff]")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+|[0-9a-z]+(?:[+.][0-9a-z]+)*")
_ALNUM = re.compile(r"[0-9a-z]")
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
# Terms the speeches set in quotes (“三先”, “五清”): added to the tokenizer so they stay whole.
_QUOTED_TERM = re.compile(r"“([\u4e00-\u9fff0-9A-Za-z+]{2,8})”")


@lru_cache(maxsize=65536)
def is_question_token(token: str) -> bool:
    return token in QUESTION_WORDS or token in FILLER_WORDS or bool(_QUESTION_TOKEN.search(token))


def quoted_terms(texts: Iterable[str]) -> set[str]:
    """The short terms a corpus sets in quotes."""
    return {normalize(term) for text in texts for term in _QUOTED_TERM.findall(text)}


# Question frames whose nouns ask rather than say: "包括哪些内容", "有什么要求".
_QUESTION_FRAME = re.compile(r"(?:包括|包含|有)?(?:哪些|什么|哪几个|几个)(?:内容|方面|要求|规定)")


COLLOQUIAL_WEIGHT = 0.5
_MEMO_SIZE = 4096  # words whose pieces a segmenter remembers
# Words found only in the clauses that describe the user's situation ("我们是一家50人的企业，…") weigh this much
# in coverage, and this much in the ranking.
CONTEXT_WEIGHT = 0.5
CONTEXT_RANK_WEIGHT = 0.7


@dataclass(frozen=True, slots=True)
class AnalyzedQuery:
    """A query ready for the index: weighted word and bigram terms, and its content words for coverage."""

    words: dict[str, float]
    bigrams: dict[str, float]
    content: tuple[str, ...]  # the query's own content words, for coverage and highlighting
    expansions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # content word -> formal synonyms
    # content word -> its weight in coverage when below 1 (a word of the situation the user describes, not of
    # the question itself)
    focus: dict[str, float] = field(default_factory=dict)
    listing: bool = False  # the question asks for a list ("有哪几项", "都包括什么")

    @property
    def empty(self) -> bool:
        return not self.words and not self.bigrams


_QUOTES = str.maketrans("", "", "“”‘’\"'「」『』")


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits to ASCII), lower case, people counts as digits, quotes dropped.

    Quotes sit inside words in the speeches (非“两新”组织, “五星支部”), so they would split them.
    """
    text = unicodedata.normalize("NFKC", text).lower().translate(_QUOTES)
    return _PEOPLE_COUNT.sub(lambda m: str(CN_DIGITS.get(m.group(1), 10)), text)


# Control, zero-width and lone surrogate characters a pasted question may carry: they split nothing the user
# meant to split ("党费\x00怎么交" is "党费怎么交").
_UNSEEN = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u2028-\u202e\ufeff\ud800-\udfff]")

_NOT_WORD = re.compile(r"[^\u4e00-\u9fff0-9a-z+]+")


def plain_text(text: str) -> str:
    """Normalised text with punctuation and spaces removed, for substring tests."""
    return _NOT_WORD.sub("", normalize(text))


def bigrams(text: str) -> list[str]:
    """Overlapping character bigrams of every Chinese run (``cjk_bigram``); ASCII words stay whole."""
    out: list[str] = []
    for run in _CJK_RUN.findall(text):
        if _CJK.match(run):
            out.extend(map(operator.add, run, run[1:]))  # each character and the next
        else:
            out.append(run)
    return out


@lru_cache(maxsize=65536)
def _is_term(token: str) -> bool:
    return (len(token) >= 2 and bool(_CJK.search(token))) or bool(_ALNUM.search(token))


def _data_path(name: str) -> Path:
    return Path(str(resources.files("knowledge").joinpath("data", name)))


def load_synonyms(path: Path | None = None) -> dict[str, tuple[tuple[str, ...], float]]:
    """colloquial spelling -> (speech terms, weight): the lexicon (``knowledge.lexicon``) in ``path``, a folder
    of topic files (default: the shipped one). Each spelling is normalised as a question is (第一位 -> 第1位), or
    it could never match."""
    return lexicon.table(lexicon.load(path), normalize)


class Segmenter:
    """Owns a private tokenizer (never jieba's global one) loaded with the domain dictionary: jieba, or rjieba
    where it cuts the same (``knowledge.tokenizer``)."""

    def __init__(self, userdict: Path | None = None, synonyms: Path | None = None) -> None:
        path = userdict or _data_path("userdict.txt")
        self._tokenizer = make_tokenizer(path)
        self.domain_words = frozenset(
            normalize(line.split()[0])
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        )
        self.synonyms = load_synonyms(synonyms)
        self.typos: TypoFixer | None = None  # set by the knowledge base, which knows the corpus' words
        self.writes: Callable[[str], bool] | None = None  # whether the corpus writes a text (idem)
        self.known: Callable[[str], bool] | None = None  # whether a word is a word of its vocabulary (idem)
        # Longest first, so 民营企业 wins over 民营.
        self._synonym_keys = sorted(self.synonyms, key=len, reverse=True)
        self._synonym_rank = {key: n for n, key in enumerate(self._synonym_keys)}
        # The lengths of the keys that start with each pair of characters, longest first: a query is scanned
        # once, each position testing only the lengths a key starting there can have.
        self._key_lengths: dict[str, tuple[int, ...]] = {}
        for key in self._synonym_keys:
            if len(key) >= 2:
                lengths = self._key_lengths.get(key[:2], ())
                self._key_lengths[key[:2]] = lengths + ((len(key),) if len(key) not in lengths else ())
        self._key_terms: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self._word_pieces: dict[str, tuple[list[str], list[str]]] = {}

    def attach(
        self,
        vocabulary: Callable[[], Iterable[str]],
        writes: Callable[[str], bool],
        known: Callable[[str], bool] | None = None,
    ) -> None:
        """Reads questions against a corpus: its words (``knowledge.typos``), what it writes, its own (``known``)."""
        self.typos = TypoFixer(vocabulary, writes)
        self.writes, self.known = writes, known

    def parts(self, word: str) -> list[str]:
        """The shorter dictionary words inside a compound (分工负责 -> 分工, 负责)."""
        return [w for w in self._tokenizer.cut_for_search(word, HMM=False) if w != word and _is_term(w)]

    def add_words(self, words: Iterable[str]) -> None:
        """More words to keep whole (the corpus' own quoted terms); they count as domain words."""
        words = set(words) - self.domain_words
        for word in sorted(words):
            self._tokenizer.add_word(word, freq=1000)
        self.domain_words = self.domain_words | frozenset(words)

    def is_domain_word(self, word: str) -> bool:
        return word in self.domain_words

    def cut(self, text: str) -> list[str]:
        """Precise-mode tokens of already normalised text (a question), boundaries mended against the corpus."""
        tokens = [t for t in self._tokenizer.cut(text, HMM=False) if t.strip()]
        return rejoin(tokens, self.writes, self.known) if self.writes and self.known else tokens

    def words(self, text: str) -> list[str]:
        """Index terms of a document: ``cut_for_search`` with the user dictionary, punctuation dropped."""
        return [t for t in self._tokenizer.cut_for_search(normalize(text), HMM=False) if _is_term(t)]

    def analyze(self, query: str) -> AnalyzedQuery:
        normal = normalize(fold(_UNSEEN.sub("", query)))  # 組織 -> 组织 (knowledge.traditional)
        shape = strip(_QUESTION_FRAME.sub(" ", normal))
        text = shape.text
        tokens = self.cut(text)
        if self.typos is not None:  # 支布 -> 支部 (knowledge.typos)
            capitals = frozenset(r.lower() for r in _CAPITALS.findall(unicodedata.normalize("NFKC", query)))
            text, tokens = self.typos.mend(text, tokens, self.cut, is_question_token, capitals)
        segments, content = _split_questions(tokens)
        if self.writes is not None:  # 抓点带面, cut into characters, is a phrase of the corpus
            content += _written_runs(tokens, self.writes)
        words: dict[str, float] = {}
        grams: dict[str, float] = {}
        for segment in segments:
            for w in self._tokenizer.cut_for_search(segment, HMM=False):
                if _is_term(w) and not is_question_token(w):
                    words[w] = 1.0
            for g in bigrams(segment):
                grams[g] = 1.0
        # Colloquial keys are looked up as typed and without degree adverbs (离得都挺近 -> 离得近; 应建都建 keeps 都).
        plain = _DEGREE.sub("", text)
        expansions = self._expand(
            text if plain == text else f"{text}\n{plain}", tokens, words, grams, content
        )
        context = _context_words(text, shape.context, content)
        if plain != text:
            context |= _context_words(plain, tuple(_DEGREE.sub("", c) for c in shape.context), content)
        for word in context:
            self._cap(word, CONTEXT_RANK_WEIGHT, words, grams)
        focus = {w: CONTEXT_WEIGHT for w in context}
        focus.update({w: min(focus.get(w, 1.0), LIGHT_WEIGHT) for w in content if w in LIGHT_WORDS})
        return AnalyzedQuery(
            words=words,
            bigrams=grams,
            content=tuple(dict.fromkeys(content)),
            expansions=expansions,
            focus=focus,
            listing=shape.listing or is_listing(normal),
        )

    def _keys_in(self, text: str) -> list[str]:
        """The colloquial keys that occur in ``text``, longest first (so 民营企业 wins over 民营)."""
        found = set()
        key_lengths, synonyms, size = self._key_lengths, self.synonyms, len(text)
        for i in range(size - 1):
            for length in key_lengths.get(text[i : i + 2], ()):
                if i + length <= size and text[i : i + length] in synonyms:
                    found.add(text[i : i + length])
        return sorted(found, key=lambda k: (-len(k), self._synonym_rank[k]))

    def _terms_of(self, key: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The index terms and bigrams of a key's speech terms (cut once per key, not once per question)."""
        cached = self._key_terms.get(key)
        if cached is None:
            formal = self.synonyms[key][0]
            cut = (w for term in formal for w in self._tokenizer.cut_for_search(term, HMM=False))
            cached = (
                tuple(dict.fromkeys(w for w in cut if _is_term(w))),
                tuple(dict.fromkeys(g for term in formal for g in bigrams(term))),
            )
            self._key_terms[key] = cached
        return cached

    def _cap(self, word: str, weight: float, words: dict[str, float], grams: dict[str, float]) -> None:
        """The terms and bigrams of ``word`` weigh at most ``weight`` in the ranking."""
        cut, pairs = self._pieces(word)
        for w in cut:
            if w in words:
                words[w] = min(words[w], weight)
        for g in pairs:
            if g in grams:
                grams[g] = min(grams[g], weight)

    def _pieces(self, word: str) -> tuple[list[str], list[str]]:
        """``cut_for_search`` and the bigrams of ``word``, cut once per word (a bounded memo)."""
        cached = self._word_pieces.get(word)
        if cached is None:
            if len(self._word_pieces) >= _MEMO_SIZE:
                self._word_pieces.clear()
            cached = self._word_pieces[word] = (
                self._tokenizer.cut_for_search(word, HMM=False),
                bigrams(word),
            )
        return cached

    def _mask_domain_words(self, text: str, tokens: list[str]) -> str:
        """``text`` with its domain words (三会一课, 两代表一委员) blanked: a colloquial key inside one (三会, 两代表)
        is part of a term the speeches use, not a colloquial word. ``tokens``: ``cut(text)``."""
        for token in tokens:
            if len(token) > 2 and self.is_domain_word(token):
                text = text.replace(token, " ")
        return text

    def _expand(
        self,
        text: str,
        tokens: list[str],
        words: dict[str, float],
        grams: dict[str, float],
        content: list[str],
    ) -> dict[str, tuple[str, ...]]:
        """Adds the formal synonyms of the colloquial words in ``text`` (cut into ``tokens``) to ``words``/
        ``grams`` (and the colloquial words to ``content``); returns content word -> formal synonyms."""
        expansions: dict[str, tuple[str, ...]] = {}
        keys = self._keys_in(text)
        if not keys:
            return expansions
        remaining = self._mask_domain_words(text, tokens)
        for key in keys:
            if key not in remaining:
                continue
            remaining = remaining.replace(key, " ")
            formal, weight = self.synonyms[key]
            expansions[key] = formal
            # The colloquial spelling itself is weak evidence: where the speeches use it, it is in passing; unless
            # the entry names it among its speech terms (宣传 -> 宣讲, 宣传, 宣传员): then it is the speeches' word.
            if key not in formal:
                self._cap(key, COLLOQUIAL_WEIGHT, words, grams)
            if key not in content and not is_question_token(key):
                content.append(key)
            term_words, term_grams = self._terms_of(key)
            for w in term_words:
                words[w] = max(words.get(w, 0.0), weight)
            for g in term_grams:
                grams[g] = max(grams.get(g, 0.0), weight)
        # A content word inside a longer colloquial key (民营 in 民营企业, 党员 in 没党员) is that key's: the key
        # stands for the phrase, with its speech terms.
        content[:] = [w for w in content if w in expansions or not any(w in key for key in expansions)]
        return expansions


def _context_words(text: str, context: tuple[str, ...], content: list[str]) -> set[str]:
    """Content words found only in the clauses that describe the user's situation."""
    if not context:
        return set()
    rest = text
    for clause in context:
        rest = rest.replace(clause, " ")
    return {w for w in content if w not in rest and any(w in c for c in context)}


_BREAK, _KEPT, _CONTENT = 0, 1, 2  # what a query token is to ``_split_questions``


@lru_cache(maxsize=65536)
def _token_kind(token: str) -> int:
    """A question word or punctuation breaks a run; a term is content; anything else (a single character) is
    kept in the run."""
    if is_question_token(token) or not (_CJK.search(token) or _ALNUM.search(token)):
        return _BREAK
    return _CONTENT if _is_term(token) else _KEPT


def _split_questions(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Runs of kept tokens (bigrams never bridge a removed question word) and the content words among them."""
    segments: list[str] = []
    current = ""
    content: list[str] = []
    for token in tokens:
        kind = _token_kind(token)
        if kind == _BREAK:
            if current:
                segments.append(current)
            current = ""
            continue
        current += token
        if kind == _CONTENT:
            content.append(token)
    if current:
        segments.append(current)
    return segments, content


_CAPITALS = re.compile(r"(?<![A-Za-z])[A-Z]{2,}(?![A-Za-z])")  # an abbreviation typed in capitals
# Degree adverbs between characters (离得都挺近, 专业性很强): colloquial keys are matched without them.
_DEGREE = re.compile(
    r"(?<=[\u4e00-\u9fff])(?:都挺|都很|都比较|也挺|也很|还挺|还算|挺|很|比较|特别|非常|蛮|都|也)(?=[\u4e00-\u9fff])"
)
# Characters that tie words together (prepositions, auxiliaries, modals): they end a run of characters.
_FUNCTION = frozenset(
    "要把按以向对跟给在和与同被让从往到为于将就才也都还又再很太最更能会可该得着了过的地这那之其此等及或而并且"
)


def _written_runs(tokens: list[str], writes: Callable[[str], bool]) -> list[str]:
    """Runs of two or more single characters (not question or function words) that the corpus writes, as
    ``writes`` judges it (the knowledge base: every character pair of the run occurs in the corpus): a phrase of
    the speeches that the dictionary lacks, so jieba cut it into characters."""
    runs: list[str] = []
    run = ""
    for token in [*tokens, ""]:
        if len(token) == 1 and _CJK.search(token) and _token_kind(token) == _KEPT and token not in _FUNCTION:
            run += token
            continue
        if len(run) >= 2 and writes(run):
            runs.append(run)
        run = ""
    return runs
