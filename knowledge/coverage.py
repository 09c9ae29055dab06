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
from dataclasses import dataclass
from functools import lru_cache

from knowledge.segment import AnalyzedQuery, Segmenter, plain_text

# The user's own numbers in Chinese numerals ("两百多" 人, "五十来" 人).
_NUMERAL = re.compile(r"^[零〇一二两三四五六七八九十百千万亿几多余来]+$")
# A word the corpus lacks, found only as its parts, counts this much of its weight.
PARTS_CREDIT = 0.5


@dataclass(frozen=True, slots=True)
class Term:
    """One content word of a question: its spellings (as plain text), weight, credit when found, and whether
    it is a domain word."""

    spellings: tuple[str, ...]
    weight: float
    credit: float = 1.0
    domain: bool = False


@dataclass(frozen=True, slots=True)
class Found:
    """What a passage contains of a question's terms."""

    found: float  # idf units
    total: float
    domain: int  # domain terms found

    @property
    def share(self) -> float:
        return self.found / self.total if self.total else 0.0


def coverage_terms(
    query: AnalyzedQuery, segmenter: Segmenter, weight: Callable[[str], float], known: Callable[[str], bool]
) -> list[Term]:
    """The content words of ``query`` as ``Term``s; ``weight`` gives a word's idf, ``known`` whether the corpus
    has it as a word."""
    terms = []
    for word in query.content:
        if word.isdigit() or _NUMERAL.match(word):
            continue
        expansions = query.expansions.get(word, ())
        parts = segmenter.parts(word) if not expansions and not known(word) else []
        if parts:
            terms.extend(Term((plain_text(part),), weight(part), PARTS_CREDIT) for part in parts)
            continue
        # A colloquial word weighs what its speech terms weigh (its own idf too, where the corpus uses it).
        w = (
            max(weight(f) for f in (*expansions, *((word,) if known(word) else ())))
            if expansions
            else weight(word)
        )
        domain = segmenter.is_domain_word(word)
        w *= query.focus.get(word, 1.0)
        terms.append(Term(tuple(plain_text(a) for a in (word, *expansions)), w, 1.0, domain))
    return terms


@lru_cache(maxsize=4096)
def _plain(text: str) -> str:
    """``plain_text`` of a passage or sentence, once (not again for every query that measures it); bounded, so a
    large corpus never holds a second, plain copy of itself."""
    return plain_text(text)


def measure(terms: list[Term], text: str) -> Found:
    """What ``text`` contains of ``terms``."""
    plain = _plain(text)
    total = found = 0.0
    domain = 0
    for term in terms:
        total += term.weight
        if any(s in plain for s in term.spellings):
            found += term.weight * term.credit
            domain += term.domain
    return Found(found, total, domain)
