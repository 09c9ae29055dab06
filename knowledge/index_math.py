"""What both BM25 indexes share (``knowledge.index`` with numpy, ``knowledge.plain_index`` without): the
parameters and the counting of postings. No numpy here."""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import repeat
from typing import Any, Protocol


class SearchIndex(Protocol):
    """What the knowledge base asks of an index (``knowledge.index.Index``, ``knowledge.plain_index.PlainIndex``)."""

    words: Any  # a channel: ``idf``, ``n_docs``, ``max_idf()``
    bigrams: Any
    terms: frozenset[str]

    @property
    def size(self) -> int: ...

    def score(self, words: dict[str, float], grams: dict[str, float]) -> Any: ...

    def top(self, scores: Any, k: int) -> list[tuple[int, float]]: ...

    def best(self, words: dict[str, float], grams: dict[str, float], k: int) -> list[tuple[int, float]]: ...


def native_scoring() -> Any:
    """``knowledge._scoring``, the query loop in C (built by setup.py where a C compiler is found), or None: each
    index then adds in Python or numpy, to the same scores."""
    try:
        from knowledge import _scoring
    except ImportError:  # pragma: no cover - an install without a compiler
        return None
    return _scoring


def native_evidence() -> Any:
    """``knowledge._evidence``, what a candidate holds of a question's terms in C (``coverage.measure_plain``,
    ``proximity.best_share``), or None: the Python loops, which give the same results, are used."""
    try:
        from knowledge import _evidence
    except ImportError:  # pragma: no cover - an install without a compiler
        return None
    return _evidence


K1 = 1.2
B = 0.5  # below the usual 0.75: short passages must not outrank the one that says it (measured, bench.retrieval)


def count_postings(docs: Iterable[Sequence[str]]) -> tuple[list[str], array, array, array, array]:
    """Terms in first-seen order, and one (term number, passage id, term frequency) per posting, flat."""
    term_ids: dict[str, int] = {}
    post_terms, post_docs, post_tfs, lengths = array("i"), array("i"), array("I"), array("I")
    for doc_id, tokens in enumerate(docs):
        lengths.append(len(tokens))
        counts = Counter(tokens)
        for term in counts:
            if term not in term_ids:
                term_ids[term] = len(term_ids)
        post_terms.extend(map(term_ids.__getitem__, counts))
        post_docs.extend(repeat(doc_id, len(counts)))
        post_tfs.extend(counts.values())
    return list(term_ids), post_terms, post_docs, post_tfs, lengths
