"""How much of a question a passage contains: the idf-weighted share of the question's content words.

Punctuation is ignored (“两新”组织 contains 两新组织); a content word is found if the passage contains it or one
of the speech terms the lexicon gives for it; its weight is its idf (the highest of its speech terms'), times its
focus (less for a light word such as 方面 or 主要, and for a word of the situation the user describes); a compound
the corpus lacks is judged by its parts (分工负责 -> 分工, 负责), for half its weight: parts found apart say less
than the word. The user's own numbers (800万, 2名) are not expected in the text.

Domain words once counted double here; with the lexicon bridging the secretaries' words that only made
off-topic questions that use one domain word (党费, 入党) look covered: measured on the tuning set, confident
answers to off-topic questions fell from 6 to 5 at the same threshold, and from 2 to 1 at 0.6.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

from knowledge.index_math import native_evidence
from knowledge.segment import AnalyzedQuery, Segmenter, bigrams, normalize, plain_text

# The user's own numbers in Chinese numerals ("两百多" 人, "五十来" 人).
_NUMERAL = re.compile(r"^[零〇一二两三四五六七八九十百千万亿几多余来]+$")
# A word the corpus lacks, found only as its parts, counts this much of its weight.
PARTS_CREDIT = 0.5
MEMO_SIZE = 16384  # words whose terms a memo keeps before it is emptied


class Term(NamedTuple):
    """One content word of a question: its spellings (as plain text), weight, credit when found, and whether
    it is a domain word (a named tuple, unpacked in ``measure_plain``'s loop)."""

    spellings: tuple[str, ...]
    weight: float
    credit: float = 1.0
    domain: bool = False


class Found(NamedTuple):
    """What a passage contains of a question's terms (a named tuple: made for every sentence and passage a
    question measures, it must be cheap to make)."""

    found: float  # idf units
    total: float
    domain: int  # domain terms found

    @property
    def share(self) -> float:
        return self.found / self.total if self.total else 0.0


_tuple_new = tuple.__new__  # makes a ``Found`` from a tuple in C (``measure_plain`` makes one per candidate)


def coverage_terms(
    query: AnalyzedQuery,
    segmenter: Segmenter,
    weight: Callable[[str], float],
    known: Callable[[str], bool],
    memo: dict | None = None,
) -> list[Term]:
    """The content words of ``query`` as ``Term``s; ``weight`` gives a word's idf, ``known`` whether the corpus
    has it as a word. ``memo`` (optional, owned by the caller, for one corpus) keeps each word's terms, which
    depend on the word, its synonyms and the corpus only, not on the question."""
    terms: list[Term] = []
    for word in query.content:
        expansions = query.expansions.get(word, ())
        entry = memo.get((word, expansions)) if memo is not None else None
        if entry is None:
            entry = _word_terms(word, expansions, segmenter, weight, known)
            if memo is not None:
                if len(memo) >= MEMO_SIZE:
                    memo.clear()
                memo[word, expansions] = entry
        own, word_terms = entry
        focus = query.focus.get(word, 1.0) if own else 1.0
        if focus == 1.0:
            terms.extend(word_terms)
        else:
            term = word_terms[0]
            terms.append(Term(term.spellings, term.weight * focus, term.credit, term.domain))
    return terms


def _word_terms(
    word: str,
    expansions: tuple[str, ...],
    segmenter: Segmenter,
    weight: Callable[[str], float],
    known: Callable[[str], bool],
) -> tuple[bool, tuple[Term, ...]]:
    """A content word's terms before its focus: (whether it is one term of its own, which the focus scales;
    the terms). Nothing for the user's own numbers, its parts for a compound the corpus lacks."""
    if word.isdigit() or _NUMERAL.match(word):
        return False, ()
    parts = segmenter.parts(word) if not expansions and not known(word) else []
    if parts:
        return False, tuple(Term((plain_text(part),), weight(part), PARTS_CREDIT) for part in parts)
    # A colloquial word weighs what its speech terms weigh (its own idf too, where the corpus uses it).
    if expansions and not known(word):
        w = max(phrase_weight(f, weight, known) for f in expansions)
    elif expansions:
        w = max(weight(f) for f in (*expansions, word))
    else:
        w = weight(word)
    domain = segmenter.is_domain_word(word)
    return True, (Term(tuple(plain_text(a) for a in (word, *expansions)), w, 1.0, domain),)


def phrase_weight(term: str, weight: Callable[[str], float], known: Callable[[str], bool]) -> float:
    """What a speech term weighs for a word the corpus lacks: its idf as a word, or for a phrase the corpus does not
    index as one word (组织章程, 好经验、好做法) the mean ``weight`` of its character pairs. ``weight`` alone gives such
    a phrase the least of them (组织章程 weighed what 组织 weighs, 0.19). Measured on every seen set (4,779 in scope,
    1,294 off topic): top-1 +10, top-3 +10, right and confident +24, wrong and confident -1, off-topic confident +2
    (13 refusals of near off-topic questions became tentative)."""
    if known(term):
        return weight(term)
    pairs = bigrams(normalize(term))
    return sum(weight(p) for p in pairs) / len(pairs) if pairs else weight(term)


@lru_cache(maxsize=4096)
def _plain(text: str) -> str:
    """``plain_text`` of a passage or sentence, once (not again for every query that measures it); bounded, so a
    large corpus never holds a second, plain copy of itself."""
    return plain_text(text)


def measure(terms: list[Term], text: str) -> Found:
    """What ``text`` contains of ``terms``."""
    return measure_plain(terms, _plain(text))


def measure_plain(terms: list[Term], plain: str) -> Found:
    """What ``plain`` (a ``plain_text``) contains of ``terms`` (``_evidence.measure`` where it is built)."""
    return _measure(Found, terms, plain)


def measure_plain_py(terms: list[Term], plain: str) -> Found:
    """``measure_plain`` in Python: the reference the C loop is tested against, and the path without it."""
    total = found = 0.0
    domain = 0
    for spellings, weight, credit, is_domain in terms:
        total += weight
        for spelling in spellings:
            if spelling in plain:
                found += weight * credit
                domain += is_domain
                break
    # ``Found(found, total, domain)``, made without a call of its Python ``__new__``.
    return _tuple_new(Found, (found, total, domain))


_evidence = native_evidence()
_measure = (
    _evidence.measure if _evidence is not None else lambda _type, terms, plain: measure_plain_py(terms, plain)
)
