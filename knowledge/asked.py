"""What secretaries have asked about each passage: past questions as a field of the passage they were about.

The speeches' words and the secretaries' words differ in ways no word list closes (开会 for 组织生活, a question
about unpaid wages for 维护职工合法权益). Questions written in the secretaries' words, each with the phrases of the
paragraph that answers it, bridge the gap for questions worded alike: each passage gets a second text, the
character bigrams of every question asked about it, and a new question is scored against those texts by BM25
(document expansion, as in doc2query). The questions are the tuning halves of the blind sets in ``tests/data``
(``python -m bench.asked`` writes ``data/asked.jsonl`` from them; the validation halves are never in it).

The field only re-orders the best candidates of the ranking (``reorder``): each one's score times
``(FLOOR + its field score / the best field score) ** WEIGHT``, but a candidate keeps its own score, so the
decision still reads how strongly the passage itself answers (a lead the field chose over a better-scoring
passage is less sure). A candidate holding less than ``MIN_SHARE`` of the question gains nothing: past questions
alone never put forward a passage that would be refused. Measured leaving each blind set out of the field
(``python -m bench.asked --leave-out``, tests/data/README.md): top-1 92.3% -> 95.8% on the tuning halves and
91.6% -> 95.3% on the validation halves, wrong and confident 120 -> 60 and 106 -> 47, off-topic answers as before;
on a blind set first read after the field was built (qa21), top-1 92.0% -> 96.8%.

Bigrams of the normalised question are used, not the analysed query (frames removed, lexicon added): measured
better (95.6% against 94.6%), and the field then does not depend on the lexicon or the frames.

Each question is also filed under the sentence of its passage that holds its phrase: the second field chooses the
key sentence quoted with the answer (``knowledge.highlight``, ``SENTENCE_WEIGHT``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import pickle
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

from knowledge import highlight as highlight_module
from knowledge import ingest, segment, shown, traditional
from knowledge.highlight import sentences
from knowledge.index_math import native_evidence
from knowledge.ingest import clean_text
from knowledge.segment import bigrams, normalize
from knowledge.shown import Shown
from knowledge.traditional import fold
from knowledge.types import Passage

log = logging.getLogger(__name__)

WEIGHT = 2.0  # 1, 1.5, 2, 3 measured: top-1 +0.0 / -0.1 / = / +0.1 points; refusals grew with 3
FLOOR = 0.05
MIN_SHARE = 0.25  # the share of the question a tentative answer needs (``knowledge.decide.DEFAULT.low``)
K1, B = 1.2, 0.75
# A bigram in most passages' questions (什么, 怎么) says next to nothing: left out below this idf (0.6: a sixth of
# the postings, a third of the time; 0, 0.3, 0.6, 1.0 measured on the validation halves: top-1 2844, 2844, 2845, 2842).
MIN_IDF = 0.6
# The key sentence: its usual score times 1 + this x its sentence field's score over the best. On the validation
# halves the first answer's key sentence holds the expected phrase for 89.7% of right answers without the field,
# 92.5 / 93.3 / 93.3% with 0.5 / 1 / 2 (adding shares instead, usual over best + this x field over best: 93.2 /
# 93.5 / 93.7%, but then past questions can pick a sentence that holds nothing of the question: 五星支部's reward
# question got the 标杆式党支部 sentence).
SENTENCE_WEIGHT = 1.0
MAX_SENTENCES = 1024  # a sentence's key in its field: passage id x this + its index in the passage
MEMO_SIZE = 2048  # bigrams whose place in a field the field remembers before it empties its memo

_evidence = native_evidence()  # the fields' loop in C, or None (the Python loops below)


def _code(gram: str) -> int:
    """A pair of characters as one integer (a code point is below 2**21)."""
    return (ord(gram[0]) << 21) | ord(gram[1])


def data_path() -> Path:
    return Path(str(resources.files("knowledge").joinpath("data", "asked.jsonl")))


def question_grams(text: str) -> set[str]:
    """The terms a question is matched by: the character bigrams of its normalised text (traditional characters
    folded: 黨 -> 党)."""
    return set(bigrams(normalize(fold(text))))


@lru_cache(maxsize=64)
def question_terms(text: str) -> tuple[str, ...]:
    """``question_grams``, made once per question for both fields and every passage shown."""
    return tuple(question_grams(text))


class AskedField:
    """BM25 over the questions asked about each passage, held compactly: sorted integer codes of the bigrams and
    flat arrays of their postings, not a dict of objects (the bot's idle memory is counted)."""

    __slots__ = ("_codes", "_bounds", "_ids", "_weights", "_owned", "_last", "_places", "_owners")

    def __init__(self, counts: dict[int, Counter], owned: Iterable[int] = ()) -> None:
        """``counts``: passage id -> how many of its questions hold each bigram; ``owned``: the passages the
        questions were asked of (with or without a question), the only ones ``reorder`` moves."""
        self._last: tuple[str, list[tuple[int, int]]] | None = None
        # Made as questions need them, bounded: where a bigram's postings are, and ``_owned`` as a set.
        self._places: dict[str, tuple[int, int]] = {}
        self._owners: frozenset[int] | None = None
        self._owned = array("I", sorted({*owned, *counts}))
        lengths = {p: sum(c.values()) for p, c in counts.items()}
        average = sum(lengths.values()) / len(lengths) if lengths else 1.0
        n = len(counts)
        frequency = Counter(g for c in counts.values() for g in c)
        idf = {g: math.log(1 + (n - f + 0.5) / (f + 0.5)) for g, f in frequency.items() if len(g) == 2}
        postings: dict[int, list[tuple[int, float]]] = {}
        for p in sorted(counts):
            norm = K1 * (1 - B + B * lengths[p] / average)
            for gram, tf in counts[p].items():
                weight = idf.get(gram)
                if weight is not None and weight >= MIN_IDF:
                    postings.setdefault(_code(gram), []).append((p, weight * tf * (K1 + 1) / (tf + norm)))
        self._codes = array("Q", sorted(postings))
        self._bounds = array("I", [0])
        self._ids = array("I")
        self._weights = array("f")
        for code in self._codes:
            for p, w in postings[code]:
                self._ids.append(p)
                self._weights.append(w)
            self._bounds.append(len(self._ids))

    @classmethod
    def from_arrays(cls, *arrays: array) -> AskedField:
        """The field whose ``arrays()`` these are (read back from a cache)."""
        field = cls({})
        field._codes, field._bounds, field._ids, field._weights, field._owned = arrays
        return field

    def arrays(self) -> tuple[array, ...]:
        return self._codes, self._bounds, self._ids, self._weights, self._owned

    def __len__(self) -> int:
        return len(self._codes)

    def scores(self, question: str) -> dict[int, float]:
        """Passage id -> BM25 of ``question`` over the passage's past questions (passages with none left out).

        Each passage's terms are summed in the order of their codes, as a plain loop over the terms would: the
        loop below, or the same in C (``_evidence.field_scores``) where it is built."""
        if _evidence is not None:
            return _evidence.field_scores(self._spans(question), self._ids, self._weights)
        out: dict[int, float] = {}
        get = out.get
        ids, weights = self._ids, self._weights
        for start, end in self._spans(question):
            if end - start == 1:  # most terms of a question are in one passage's questions
                key = ids[start]
                out[key] = get(key, 0.0) + weights[start]
                continue
            for key, weight in zip(ids[start:end], weights[start:end], strict=True):
                out[key] = get(key, 0.0) + weight
        return out

    def scores_between(self, question: str, low: int, high: int, shift: int = 0) -> dict[int, float]:
        """``scores`` of the keys from ``low`` up to ``high`` only (a term's keys are stored in order), each key
        less ``shift`` (in C where it is built, as ``scores``)."""
        if _evidence is not None:
            return _evidence.field_scores(self._spans(question), self._ids, self._weights, low, high, shift)
        out: dict[int, float] = {}
        ids, weights = self._ids, self._weights
        for start, end in self._spans(question):
            j = bisect_left(ids, low, start, end)
            # A term is in few of one passage's keys: read them one by one, not by a second search.
            while j < end:
                key = ids[j]
                if key >= high:
                    break
                key -= shift
                out[key] = out.get(key, 0.0) + weights[j]
                j += 1
        return out

    def _spans(self, question: str) -> list[tuple[int, int]]:
        """Where the postings of the question's terms are (terms of no past question left out), in the order of
        their codes; the last question's are kept, as each passage shown asks again."""
        last = self._last
        if last is not None and last[0] == question:
            return last[1]
        places, found = self._places, []
        for gram in question_terms(question):
            span = places.get(gram)
            if span is None:
                if len(places) >= MEMO_SIZE:
                    places.clear()
                span = places[gram] = self._span(gram)
            if span[1]:
                found.append(span)
        found.sort()  # the codes' order (each code's postings start after the last code's)
        self._last = (question, found)  # one assignment: a thread reads the old pair or the new one
        return found

    def _span(self, gram: str) -> tuple[int, int]:
        """Where a bigram's postings are in ``_ids`` (from, up to); (0, 0) when no past question holds it."""
        if len(gram) != 2:  # an ASCII word of another length: a field holds pairs only
            return 0, 0
        code, codes = _code(gram), self._codes
        slot = bisect_left(codes, code)
        if slot < len(codes) and codes[slot] == code:
            return self._bounds[slot], self._bounds[slot + 1]
        return 0, 0

    def reorder(
        self,
        question: str,
        ranked: list[tuple[int, float]],
        share: Callable[[int], float],
        head: int,
        field: dict[int, float] | None = None,
    ) -> list[tuple[int, float]]:
        """The first ``head`` of ``ranked`` with the passages the questions were asked of ordered among the places
        they hold by score x the field's factor, each keeping its own score; any other passage (a document added
        to the speeches, of which nothing was asked) keeps its place. ``share``: how much of the question a
        candidate holds (``knowledge.coverage``); ``field``: ``scores(question)``, when already known."""
        field = self.scores(question) if field is None else field
        best = max(field.values(), default=0.0)
        if best <= 0 or len(ranked) < 2:
            return ranked
        first = ranked[:head]
        owners = self._owners if self._owners is not None else self._owned_set()
        places = [n for n, (i, _) in enumerate(first) if i in owners]
        if len(places) > 1:
            keyed, least = [], FLOOR**WEIGHT  # the factor of a passage the field gives nothing
            for n in places:
                i, score = first[n]
                gained = field.get(i, 0.0)
                factor = (FLOOR + gained / best) ** WEIGHT if gained and share(i) >= MIN_SHARE else least
                keyed.append((-score * factor, i, n))
            keyed.sort()  # by the factored score, then the id (each id is ranked once)
            for n, item in zip(places, [first[m] for _, _, m in keyed], strict=True):
                first[n] = item
        return first + ranked[head:]

    def owns(self, passage_id: int) -> bool:
        """Whether questions can be filed under ``passage_id`` (a passage of the shipped speeches)."""
        return passage_id in (self._owners if self._owners is not None else self._owned_set())

    def _owned_set(self) -> frozenset[int]:
        self._owners = frozenset(self._owned)  # a few hundred passages, made on the first question
        return self._owners


def descending(ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """``ranked`` with each score at most the one before it: the order's own scale, shown with the answers (a
    candidate the field put first keeps its own score; the ones it passed show that score too)."""
    out, cap = [], math.inf
    for i, score in ranked:
        cap = min(cap, score)
        out.append((i, cap))
    return out


def rows(path: Path | None = None) -> list[dict]:
    """The shipped questions: ``{"q": ..., "expect": [phrases of the paragraph that answers]}``."""
    path = path or data_path()
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


class PastQuestions:
    """The two fields of the shipped questions: over passages (``reorder``) and over their sentences, each
    question filed under the sentence that holds its phrase (``sentence_scores``: the key sentence to quote)."""

    __slots__ = ("passages", "sentences")

    def __init__(self, passages: AskedField, sentences: AskedField) -> None:
        self.passages, self.sentences = passages, sentences

    @classmethod
    def empty(cls) -> PastQuestions:
        """No past questions: the ranking and the key sentence as without the field."""
        return cls(AskedField({}), AskedField({}))

    def __len__(self) -> int:
        return len(self.passages)

    def scores(self, question: str) -> dict[int, float]:
        return self.passages.scores(question)

    def reorder(
        self,
        question: str,
        ranked: list[tuple[int, float]],
        share: Callable[[int], float],
        head: int,
        field: dict[int, float] | None = None,
    ) -> list[tuple[int, float]]:
        return self.passages.reorder(question, ranked, share, head, field)

    def owns(self, passage_id: int) -> bool:
        return self.passages.owns(passage_id)

    def sentence_scores(self, question: str, passage_id: int) -> dict[int, float]:
        """Sentence index -> BM25 of ``question`` over the questions whose phrase that sentence of the passage
        holds (only the passage's own keys are read: a few postings, not the whole field's)."""
        low = passage_id * MAX_SENTENCES
        return self.sentences.scores_between(question, low, low + MAX_SENTENCES, low)


def load(
    passages: Sequence[Passage], own: Callable[[Passage], bool], cache_dir: Path | None
) -> PastQuestions:
    """The fields of the shipped questions over ``passages`` (``build``), read from ``cache_dir`` when an earlier
    process built them for the same questions, passages and code (building takes ~0.15 s, a cold ``branchbot ask``
    has ~0.4 s in all)."""
    mine = [p for p in passages if own(p)]
    path = data_path()
    digest = hashlib.sha256()
    # The code that builds the fields: how questions become terms and passages become sentences.
    for source in (__file__, *(m.__file__ for m in (highlight_module, ingest, segment, shown, traditional))):
        digest.update(Path(str(source)).read_bytes())
    digest.update(path.read_bytes() if path.exists() else b"")
    for p in mine:
        digest.update(f"{p.id}\x00{p.text}\x00{p.headings}\x01".encode())
    cache = cache_dir / f"asked-{digest.hexdigest()[:24]}.pickle" if cache_dir else None
    if cache is not None and cache.exists():
        try:
            with cache.open("rb") as fh:
                first, second = pickle.load(fh)
            return PastQuestions(AskedField.from_arrays(*first), AskedField.from_arrays(*second))
        except Exception:
            log.warning("ignoring unreadable cache %s", cache, exc_info=True)
    built = build(rows(path), mine, lambda p: True)
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".tmp{os.getpid()}")
            with tmp.open("wb") as fh:
                arrays = (built.passages.arrays(), built.sentences.arrays())
                pickle.dump(arrays, fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(cache)
        except OSError:
            log.warning("could not write cache %s", cache, exc_info=True)
    return built


def build(
    questions: Iterable[dict], passages: Sequence[Passage], own: Callable[[Passage], bool]
) -> PastQuestions:
    """The fields of ``questions`` over the ``passages`` that ``own`` accepts (the shipped speeches': a phrase
    that another corpus happens to contain does not attach the question there) and over their sentences."""
    where = Shown([p for p in passages if own(p)])
    by_id = {p.id: p for p in where.passages}
    counts: dict[int, Counter] = {}
    in_sentences: dict[int, Counter] = {}
    for row in questions:
        phrases = row.get("expect", ())
        ids = {i for phrase in phrases for i in where(phrase)}
        if not ids:
            continue
        grams = question_grams(row["q"])
        for p in ids:
            counts.setdefault(p, Counter()).update(grams)
            for n in _holding(by_id[p].text, phrases):
                in_sentences.setdefault(p * MAX_SENTENCES + n, Counter()).update(grams)
    return PastQuestions(AskedField(counts, by_id), AskedField(in_sentences))


def _holding(text: str, phrases: Iterable[str]) -> set[int]:
    """The indexes of the sentences of ``text`` (as ``knowledge.highlight`` cuts it) that hold one of
    ``phrases`` (as written or as ingestion cleans it)."""
    wanted = [w for phrase in phrases for w in {phrase, clean_text(phrase)} if w and w in text]
    if not wanted:
        return set()
    parts = sentences(text)[:MAX_SENTENCES]
    return {n for n, sentence in enumerate(parts) if any(w in sentence for w in wanted)}
