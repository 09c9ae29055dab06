"""Segmentation: one ``jieba.Tokenizer`` of our own with the domain dictionary, and query analysis.

Documents and queries go through the same normalisation and ``cut_for_search`` so a word is cut the same way on
both sides. Queries additionally lose their question words (吗, 多久, 怎么办, ...) and gain weighted synonyms where
people and the speeches use different words (老板 -> 出资人). A character-bigram stream is produced alongside the
word stream, to catch words jieba splits differently in a question and in the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from knowledge import lexicon
from knowledge.boundaries import rejoin
from knowledge.colloquial import COLLOQUIAL_WEIGHT as COLLOQUIAL_WEIGHT
from knowledge.colloquial import Colloquial
from knowledge.frames import LIGHT_WEIGHT, LIGHT_WORDS, is_listing, stripped
from knowledge.patterns import opening, quick
from knowledge.textforms import (
    _ALNUM,
    _CJK,
    is_query_term,
    is_question_token,
    is_term,
    nfkc,
    normalize,
    normalize_nfkc,
)
from knowledge.textforms import QUESTION_WORDS as QUESTION_WORDS
from knowledge.textforms import bigrams as bigrams
from knowledge.textforms import plain_text as plain_text
from knowledge.tokenizer import make_tokenizer
from knowledge.traditional import fold
from knowledge.typos import TypoFixer

# Terms the speeches set in quotes (“三先”, “五清”): added to the tokenizer so they stay whole.
_QUOTED_TERM = re.compile(r"“([\u4e00-\u9fff0-9A-Za-z+]{2,8})”")


def quoted_terms(texts: Iterable[str]) -> set[str]:
    """The short terms a corpus sets in quotes."""
    return {normalize(term) for text in texts for term in _QUOTED_TERM.findall(text)}


# Question frames whose nouns ask rather than say: "包括哪些内容", "有什么要求".
_QUESTION_FRAME = quick(r"(?:包括|包含|有)?(?:哪些|什么|哪几个|几个)(?:内容|方面|要求|规定)")
_FRAME_OPENING = opening(_QUESTION_FRAME)


_MEMO_SIZE = 4096  # texts whose ``writes`` a segmenter remembers
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


# Control, zero-width and lone surrogate characters a pasted question may carry: they split nothing the user
# meant to split ("党费\x00怎么交" is "党费怎么交").
_UNSEEN = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u2028-\u202e\ufeff\ud800-\udfff]")
_SPACE = re.compile(r"\s")


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
        self._colloquial = Colloquial(
            self.synonyms, lambda text: self._tokenizer.cut_for_search(text, HMM=False)
        )

    def attach(
        self,
        vocabulary: Callable[[], Iterable[str]],
        writes: Callable[[str], bool],
        known: Callable[[str], bool] | None = None,
    ) -> None:
        """Reads questions against a corpus: its words (``knowledge.typos``), what it writes, its own (``known``).

        ``writes`` is asked of a question's tokens and short runs again and again: its answers are remembered
        (at most ``_MEMO_SIZE``), so the corpus must not change under it."""
        writes = lru_cache(maxsize=_MEMO_SIZE)(writes)
        self.typos = TypoFixer(vocabulary, writes)
        self.writes, self.known = writes, known

    def parts(self, word: str) -> list[str]:
        """The shorter dictionary words inside a compound (分工负责 -> 分工, 负责)."""
        return [w for w in self._tokenizer.cut_for_search(word, HMM=False) if w != word and is_term(w)]

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
        tokens = self._tokenizer.cut(text, HMM=False)
        if _SPACE.search(text) or "" in tokens:  # a token is blank only where the text has a space
            tokens = [t for t in tokens if t.strip()]
        return rejoin(tokens, self.writes, self.known) if self.writes and self.known else tokens

    def words(self, text: str) -> list[str]:
        """Index terms of a document: ``cut_for_search`` with the user dictionary, punctuation dropped."""
        return [t for t in self._tokenizer.cut_for_search(normalize(text), HMM=False) if is_term(t)]

    def analyze(self, query: str) -> AnalyzedQuery:
        compatible = nfkc(query)
        cleaned = fold(_UNSEEN.sub("", query))  # 組織 -> 组织 (knowledge.traditional)
        normal = normalize_nfkc(compatible) if cleaned == query else normalize(cleaned)
        framed = _QUESTION_FRAME.sub(" ", normal) if _FRAME_OPENING.search(normal) else normal
        text, listing, situation = stripped(framed)
        tokens = self.cut(text)
        if self.typos is not None:  # 支布 -> 支部 (knowledge.typos)
            capitals = (
                frozenset(c.lower() for c in _CAPITALS.findall(compatible))
                if _UPPER.search(compatible)
                else frozenset()
            )
            text, tokens = self.typos.mend(text, tokens, self.cut, is_question_token, capitals)
        segments, content = _split_questions(tokens)
        if self.writes is not None:  # 抓点带面, cut into characters, is a phrase of the corpus
            content += _written_runs(tokens, self.writes)
        words: dict[str, float] = {}
        grams: dict[str, float] = {}
        for segment in segments:
            for w in self._tokenizer.cut_for_search(segment, HMM=False):
                if is_query_term(w):
                    words[w] = 1.0
            for g in bigrams(segment):
                grams[g] = 1.0
        # Colloquial keys are looked up as typed and without degree adverbs (离得都挺近 -> 离得近; 应建都建 keeps 都).
        plain = _DEGREE.sub("", text) if _DEGREE_OPENING.search(text) else text
        expansions = self._colloquial.expand(
            text if plain == text else f"{text}\n{plain}", tokens, self.domain_words, words, grams, content
        )
        context = _context_words(text, situation, content)
        if plain != text:
            context |= _context_words(plain, tuple(_DEGREE.sub("", c) for c in situation), content)
        for word in context:
            self._colloquial.cap(word, CONTEXT_RANK_WEIGHT, words, grams)
        focus = {w: CONTEXT_WEIGHT for w in context}
        if not LIGHT_WORDS.isdisjoint(content):
            focus.update({w: min(focus.get(w, 1.0), LIGHT_WEIGHT) for w in content if w in LIGHT_WORDS})
        return AnalyzedQuery(
            words=words,
            bigrams=grams,
            content=tuple(dict.fromkeys(content)),
            expansions=expansions,
            focus=focus,
            # ``stripped`` told whether ``framed`` asks for a list; ``normal`` may only differ where a frame was.
            listing=listing or (framed != normal and is_listing(normal)),
        )


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
    return _CONTENT if is_term(token) else _KEPT


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
_UPPER = re.compile("[A-Z]{2}")  # what each of them holds (a cheap test first)
# Degree adverbs between characters (离得都挺近, 专业性很强): colloquial keys are matched without them.
_DEGREE = quick(
    r"(?<=[\u4e00-\u9fff])(?:都挺|都很|都比较|也挺|也很|还挺|还算|挺|很|比较|特别|非常|蛮|都|也)(?=[\u4e00-\u9fff])"
)
_DEGREE_OPENING = opening(_DEGREE)
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
        if _runs_on(token):
            run += token
            continue
        if len(run) >= 2 and writes(run):
            runs.append(run)
        run = ""
    return runs


@lru_cache(maxsize=4096)
def _runs_on(token: str) -> bool:
    """Whether ``token`` is a single character that ``_written_runs`` joins to a run."""
    return (
        len(token) == 1
        and bool(_CJK.search(token))
        and _token_kind(token) == _KEPT
        and token not in _FUNCTION
    )
