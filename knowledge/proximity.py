"""Terms together: how much of a question the best single sentence of a passage holds.

Coverage (``knowledge.coverage``) asks whether a passage contains the question's words anywhere; a long passage
that mentions each of them in a different sentence then ties with the one whose sentence answers the question
("党组织书记…解除劳动合同…向上级党组织备案"). The ranking therefore also weighs the best sentence's share of the
question (proximity at sentence level, a classic retrieval signal): a candidate's score is multiplied by
``1 - WEIGHT + WEIGHT x share^2``. ``WEIGHT`` and the square were chosen on the tuning sets
(tests/data/qa_tune.jsonl, qa2_tune.jsonl), among 0.5/1.0 and powers 1/2.
"""

from __future__ import annotations

from functools import lru_cache

from knowledge.coverage import Term
from knowledge.highlight import sentences
from knowledge.index_math import native_evidence
from knowledge.segment import plain_text

WEIGHT = 0.5


@lru_cache(maxsize=4096)
def plain_sentences(text: str) -> tuple[str, ...]:
    """The sentences of a passage as plain text, once per passage (bounded, so a large corpus keeps no copy)."""
    return tuple(plain_text(s) for s in sentences(text))


@lru_cache(maxsize=4096)
def view(text: str) -> tuple[str, tuple[str, ...]]:
    """The plain sentences of ``text``, and them joined by a character no spelling holds: a spelling occurs in
    one of the sentences exactly when it occurs in the joined text."""
    parts = plain_sentences(text)
    return "\x00".join(parts), parts


def best_sentence_share(terms: list[Term], text: str) -> float:
    """The largest share of ``terms`` one sentence of ``text`` contains."""
    return best_share(terms, view(text))


def best_share(terms: list[Term], seen: tuple[str, tuple[str, ...]]) -> float:
    """``best_sentence_share`` over a passage's ``view`` (``_evidence.best_share`` where it is built)."""
    return _best_share(terms, *seen)


def best_share_py(terms: list[Term], seen: tuple[str, tuple[str, ...]]) -> float:
    """``best_share`` in Python: the reference the C loop is tested against, and the path without it.

    Only the terms the passage holds somewhere can be found in one of its sentences, so the sentences are measured
    for those alone (a candidate holds a few of a question's terms): the found weight adds up the same terms in the
    same order as ``measure_plain`` over all of them would, and the share divides it by the same total."""
    joined, parts = seen
    present = []  # (spellings, weight x credit) of each term the passage holds
    total = 0.0
    for spellings, weight, credit, _ in terms:
        total += weight
        for spelling in spellings:
            if spelling in joined:
                present.append((spellings, weight * credit))
                break
    if not present or not total:
        return 0.0
    # One term present is in some sentence (no spelling spans a joint): that sentence finds 0.0 + its weight.
    if len(present) == 1:
        found = present[0][1]
        return (found if found > 0.0 else 0.0) / total
    best = 0.0
    for sentence in parts:
        found = 0.0
        for spellings, value in present:
            for spelling in spellings:
                if spelling in sentence:
                    found += value
                    break
        if found > best:
            best = found
    return best / total


_evidence = native_evidence()
_best_share = (
    _evidence.best_share
    if _evidence is not None
    else lambda terms, joined, parts: best_share_py(terms, (joined, parts))
)


def factor(terms: list[Term], text: str) -> float:
    """What a passage's score is multiplied by for how closely together it holds the question's terms."""
    return factor_of(terms, view(text))


def factor_of(terms: list[Term], seen: tuple[str, tuple[str, ...]]) -> float:
    """``factor`` over a passage's ``view``."""
    share = best_share(terms, seen) if terms else 0.0
    return 1 - WEIGHT + WEIGHT * share * share
