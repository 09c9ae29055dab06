"""``KnowledgeBase``: tokenize -> index -> retrieve, as separate steps.

``KnowledgeBase.default()`` reads the speeches shipped with the package plus any UTF-8 ``.txt`` files in
``BRANCHBOT_KB_DIR``; a large corpus is loaded from a cache keyed by the hash of its files and of this code's
dictionaries.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from knowledge import headings
from knowledge.abbrev import abbreviations, widen
from knowledge.answer import Answer, Ranking
from knowledge.asked import SENTENCE_WEIGHT, PastQuestions, descending
from knowledge.asked import load as load_asked
from knowledge.asks import (
    REDACTED,
    REDACTED_NOTE,
    REDACTED_SHOWN,
    answer_missing,
    asked_marks,
    dated_first,
    defined_sentence,
    redacted_amount,
)
from knowledge.coverage import Found, Term, coverage_terms, measure, measure_plain
from knowledge.decide import DEFAULT, MIN_MATCHED, Thresholds
from knowledge.enumerations import Shorthands, compiled, enumerations, expand
from knowledge.highlight import highlight, query_terms
from knowledge.index_math import SearchIndex
from knowledge.ingest import Document, read_documents
from knowledge.listing import asked_kind, choose, kind_factor, listing_sentence, listing_strength
from knowledge.ordinal import item_choice, outline_choice
from knowledge.plain_index import build_index
from knowledge.rerank import CANDIDATES, as_typed, rerank
from knowledge.rules import apply_rules
from knowledge.segment import AnalyzedQuery, Segmenter, bigrams, normalize, plain_text, quoted_terms
from knowledge.types import Hit, Passage

__all__ = ["Answer", "KnowledgeBase", "Ranking", "shipped_corpus"]

log = logging.getLogger(__name__)

# For a list question, a passage's score is multiplied by 1 + LIST_BONUS x how well its best listing sentence
# answers (``knowledge.listing.listing_strength``).
LIST_BONUS = 1.0
CACHE_MIN_BYTES = 1_000_000
_MEMO_SIZE = 4096
_CACHE_VERSION = "1"


def shipped_corpus() -> list[Path]:
    folder = Path(str(resources.files("knowledge"))) / "data" / "corpus"
    return sorted(folder.glob("*.txt"))


def _folder_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.txt") if p.is_file())


def _default_cache_dir() -> Path:
    if env := os.environ.get("BRANCHBOT_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "branchbot"


@dataclass(frozen=True, slots=True)
class TocSection:
    title: str
    passage_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class TocDocument:
    title: str
    sections: tuple[TocSection, ...]


class KnowledgeBase:
    def __init__(self, passages: Sequence[Passage], index: SearchIndex, segmenter: Segmenter) -> None:
        self._passages = tuple(passages)
        self.index = index
        self.segmenter = segmenter
        idf = index.words.idf
        segmenter.attach(lambda: (*idf, *segmenter.synonyms), self.writes, idf.__contains__)
        # Memos of pure functions of a word or a passage over this corpus (never of a whole question): each
        # holds at most ``_MEMO_SIZE`` entries and is emptied when full.
        self._weights: dict[str, float] = {}
        self._word_terms: dict = {}
        self._plain: dict[int, str] = {}
        # The corpus' own expansions, made on the first question and set at once (a thread never sees half).
        self._own: tuple[dict[str, tuple[str, ...]], Shorthands] | None = None
        # Past questions (``knowledge.asked``), also made on the first.
        self._asked: PastQuestions | None = None
        self._speeches = frozenset(path.name for path in shipped_corpus())

    # -- building -------------------------------------------------------------------------------------------

    @classmethod
    def default(cls, kb_dir: Path | str | None = None, *, cache_dir: Path | None = None) -> KnowledgeBase:
        files = shipped_corpus()
        folder = kb_dir if kb_dir is not None else os.environ.get("BRANCHBOT_KB_DIR") or None
        if folder:
            folder = Path(folder)
            if folder.is_dir():
                files += _folder_files(folder)
            else:
                log.warning("BRANCHBOT_KB_DIR %s is not a folder; using the shipped speeches only", folder)
        return cls.from_files(files, cache_dir=cache_dir)

    @classmethod
    def from_files(cls, files: Sequence[Path], *, cache_dir: Path | None = None) -> KnowledgeBase:
        segmenter = Segmenter()
        total = sum(p.stat().st_size for p in files)
        if total < CACHE_MIN_BYTES:
            return cls.from_documents(read_documents(list(files)), segmenter)
        cache = (cache_dir or _default_cache_dir()) / f"kb-{_corpus_key(files)}.pickle"
        if cache.exists():
            try:
                with cache.open("rb") as fh:
                    passages, index = pickle.load(fh)
                log.info("knowledge base loaded from cache %s", cache)
                segmenter.add_words(index.terms)  # the query side must cut the corpus' terms as the index did
                return cls(passages, index, segmenter)
            except Exception:
                log.warning("ignoring unreadable knowledge-base cache %s", cache, exc_info=True)
        kb = cls.from_documents(read_documents(list(files)), segmenter)
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".tmp{os.getpid()}")
            with tmp.open("wb") as fh:
                pickle.dump((kb._passages, kb.index), fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(cache)
        except OSError:
            log.warning("could not write knowledge-base cache %s", cache, exc_info=True)
        return kb

    @classmethod
    def from_documents(
        cls, documents: Iterable[Document], segmenter: Segmenter | None = None
    ) -> KnowledgeBase:
        segmenter = segmenter or Segmenter()
        passages: list[Passage] = []
        for doc in documents:
            for raw in doc.passages:
                passages.append(Passage(len(passages), raw.text, doc.title, raw.headings, doc.name))
        # Token lists are produced one passage at a time and counted straight into the postings: a large
        # corpus never holds all its tokens at once. The section heading is indexed with each passage: it names
        # what the passage is about.
        terms = quoted_terms(p.text for p in passages)
        segmenter.add_words(terms)
        indexed = [cls._indexed_text(p) for p in passages]
        index = build_index(indexed, segmenter.words, lambda text: bigrams(normalize(text)), frozenset(terms))
        return cls(passages, index, segmenter)

    # -- reading --------------------------------------------------------------------------------------------

    @property
    def passages(self) -> tuple[Passage, ...]:
        return self._passages

    def passage(self, passage_id: int) -> Passage | None:
        return self._passages[passage_id] if 0 <= passage_id < len(self._passages) else None

    def toc(self) -> list[TocDocument]:
        documents: dict[str, dict[str, list[int]]] = {}
        for p in self._passages:
            sections = documents.setdefault(p.source, {})
            sections.setdefault(p.headings[0] if p.headings else "", []).append(p.id)
        return [
            TocDocument(title, tuple(TocSection(s, tuple(ids)) for s, ids in sections.items()))
            for title, sections in documents.items()
        ]

    def find(self, phrase: str) -> Passage | None:
        """The first passage containing ``phrase`` (used by rules to cite their source)."""
        return next((p for p in self._passages if phrase in p.text), None)

    def analyze(self, text: str) -> AnalyzedQuery:
        """``text`` analysed as a query: weighted words and bigrams, and its content words."""
        # 党建指导员 for 党建工作指导员 (``knowledge.abbrev``); 三亮 for its list (``knowledge.enumerations``).
        if self._own is None:
            vocabulary = self.index.words.idf
            lists = enumerations((p.text for p in self._passages), vocabulary.__contains__)
            self._own = (abbreviations(vocabulary), compiled(lists))
        short, lists = self._own
        return expand(widen(self.segmenter.analyze(text), short), text, lists, self.segmenter.words)

    def prepare(self) -> None:
        """Builds now what the first question would build: the corpus' own expansions and the past questions'
        field (a long-running process pays for them at start-up, not on a user's first question)."""
        self.analyze("党建")
        log.debug("past questions' field: %d bigrams", len(self.asked))

    @property
    def asked(self) -> PastQuestions:
        """The questions secretaries asked about the shipped speeches' passages (``knowledge.asked``)."""
        if self._asked is None:
            shipped = {path.name for path in shipped_corpus()}
            self._asked = load_asked(self._passages, lambda p: p.doc in shipped, _default_cache_dir())
        return self._asked

    # -- retrieval ------------------------------------------------------------------------------------------

    def word_weight(self, word: str) -> float:
        """How much a query word says: its idf, or the highest idf for a word the corpus lacks."""
        weight = self._weights.get(word)
        if weight is None:
            if len(self._weights) >= _MEMO_SIZE:
                self._weights.clear()
            weight = self._weights[word] = self._word_weight(word)
        return weight

    def _word_weight(self, word: str) -> float:
        channel = self.index.words
        if word in channel.idf:
            return channel.idf[word]
        grams = bigrams(normalize(word))
        gram_idf = [self.index.bigrams.idf.get(g) for g in grams]
        if gram_idf and all(v is not None for v in gram_idf):
            return min(gram_idf)  # type: ignore[type-var]
        return channel.max_idf()

    def coverage(self, query: AnalyzedQuery, text: str) -> float:
        """Idf-weighted share of the query's content words (or their synonyms) found in ``text``
        (``knowledge.coverage``); 0 when what is found weighs less than ``MIN_MATCHED``."""
        found = measure(self.coverage_terms(query), text)
        return found.share if found.found >= MIN_MATCHED else 0.0

    def writes(self, text: str) -> bool:
        """Whether the corpus writes ``text`` (each of its character pairs occurs somewhere)."""
        return all(g in self.index.bigrams.idf for g in bigrams(normalize(text)))

    def coverage_terms(self, query: AnalyzedQuery) -> list[Term]:
        return coverage_terms(
            query, self.segmenter, self.word_weight, self.index.words.idf.__contains__, self._word_terms
        )

    def _found(self, terms: list[Term], passage_id: int) -> Found:
        """What the indexed text of a passage (heading and text) contains of ``terms``."""
        return measure_plain(terms, self._plain_of(passage_id))

    def _plain_of(self, passage_id: int) -> str:
        plain = self._plain.get(passage_id)
        if plain is None:
            if len(self._plain) >= _MEMO_SIZE:
                self._plain.clear()
            plain = self._plain[passage_id] = plain_text(self._indexed_text(self._passages[passage_id]))
        return plain

    @staticmethod
    def _indexed_text(p: Passage) -> str:
        return f"{p.headings[0]}。{p.text}" if p.headings else p.text

    def rank(self, query: str, k: int = 3) -> Ranking:
        """The best ``max(k, CANDIDATES)`` passages for ``query``, lead first, with what each contains of it.

        No decision is taken here: ``ask`` decides from the lead's evidence whether to answer and how surely.
        """
        query = (query or "").strip()
        analyzed = self.analyze(query[:1000])
        rule = apply_rules(query, self)
        if analyzed.empty and rule is None:
            return Ranking(query, analyzed, [], rule)
        ranked = self.index.best(analyzed.words, analyzed.bigrams, max(k, CANDIDATES))
        terms = self.coverage_terms(analyzed)
        plains = {i: self._plain_of(i) for i, _ in ranked}
        found = {i: measure_plain(terms, plain) for i, plain in plains.items()}  # as ``_found`` measures
        # Preferred: a passage that holds the question in one sentence or names it in a heading (headings.py) ...
        bonus = {i: headings.bonus(terms, self._passages[i]) for i, _ in ranked[:CANDIDATES]}
        leading = plains if len(plains) <= CANDIDATES else {i: plains[i] for i, _ in ranked[:CANDIDATES]}
        bonus = as_typed(terms, leading, bonus)  # rerank.py
        # ... and, for a list question, one with a sentence that lists what it asks for.
        # ... whose items are of the kind asked for (哪几种精神: 企业家精神、劳动精神、…).
        if analyzed.listing:
            head = asked_kind(query, self.segmenter.cut)
            for i, _ in ranked:
                text = self._passages[i].text
                bonus[i] = bonus.get(i, 1.0) * (
                    (1 + LIST_BONUS * listing_strength(text, terms)) * kind_factor(text, head)
                )
        ranked = rerank(ranked, found, bonus)
        # ... and past questions about the shipped speeches re-order their candidates (``knowledge.asked``).
        field = self.asked.scores(query[:1000])
        ranked = self.asked.reorder(query[:1000], ranked, lambda i: found[i].share, CANDIDATES, field)
        ranked = dated_first(query, ranked, lambda i: self._passages[i].text)  # 哪天: a dated passage
        # A numeric rule puts the passage that states it first; a question that names a section by number (第二项),
        # that section's first passage (``knowledge.ordinal``).
        outline = None if rule is not None else outline_choice(self._passages, query, ranked)
        if outline is None and rule is None:  # 第二个先锋: the item numbered so (二是争当…先锋)
            outline = item_choice(self._passages, query, analyzed.content, ranked)
        lead = rule.passage_id if rule is not None else outline[0] if outline else None
        if lead is not None:
            found.setdefault(lead, self._found(terms, lead))
            top = max((s for _, s in ranked), default=1.0)
            ranked = [(lead, top * 1.05)] + [(i, s) for i, s in ranked if i != lead]
        missing = answer_missing(query, self._passages[ranked[0][0]].text if ranked else None)
        shown = outline[1] if outline else None
        asked = self._asked_scores(field, ranked)
        best = max(field.values(), default=0.0)
        ranking = descending(ranked)
        return Ranking(
            query, analyzed, ranking, rule, found, terms, missing, shown, dict(ranked), asked, best
        )

    def _asked_scores(self, field: dict[int, float], ranked: list[tuple[int, float]]) -> dict[int, float]:
        """The field score of each candidate the past questions speak for (none when there are none)."""
        if not len(self.asked):
            return {}
        owns = self.asked.owns
        return {i: field.get(i, 0.0) for i, _ in ranked if owns(i)}

    def ask(self, query: str, k: int = 3, thresholds: Thresholds = DEFAULT) -> Answer:
        ranking = self.rank(query, k)
        confidence = ranking.confidence(thresholds)
        if confidence is None:
            return Answer(ranking.query, [], ranking.rule)
        hits = []
        # The highlight's terms, once per question (not once per hit).
        key_terms = query_terms(ranking.analyzed, self.word_weight)
        marks = asked_marks(ranking.query)  # 里的6是指什么: the mark asked for (``defined_sentence``)
        for n, (passage_id, score) in enumerate(ranking.ranked[:k]):
            p = self._passages[passage_id]
            rule = ranking.rule
            key = rule.phrase_sentence if rule is not None and passage_id == rule.passage_id else None
            # A later hit is confident only where the answer is and it is on its own (not judged otherwise).
            own = confidence if n == 0 or confidence != "high" else ranking.confidence_of(n, thresholds)
            if key is None:
                # Where past questions like this one found their answer in the passage (``knowledge.asked``).
                past = self.asked.sentence_scores(ranking.query[:1000], passage_id)
                key = defined_sentence(ranking.query, p.text, marks) or self._key_sentence(
                    p.text, ranking.analyzed, ranking.terms, key_terms, past
                )
            hits.append(
                Hit(
                    text=p.text,
                    highlight=key,
                    source=p.source,
                    section=p.section,
                    score=round(score, 4),
                    passage_id=p.id,
                    confidence="high" if confidence == "high" and own == "high" else "low",
                    speech=p.doc in self._speeches,
                )
            )
        subjects = (term.spellings for term in ranking.terms)  # 给予×万元: the amount is not published
        note = REDACTED_NOTE if redacted_amount(query, hits[0].text, subjects) else None
        if note is None and REDACTED.search(hits[0].highlight or ""):
            note = REDACTED_SHOWN  # a × quoted is explained (有奖金吗: helper-88's review)
        return Answer(ranking.query, hits, ranking.rule, confidence, note)

    def _key_sentence(
        self,
        text: str,
        query: AnalyzedQuery,
        terms: list[Term],
        key_terms: list | None = None,
        past: dict[int, float] | None = None,
    ) -> str:
        """The sentence that best answers ``query`` (``knowledge.highlight``; ``key_terms``: its
        ``query_terms``; ``past``: where past questions like it found their answer, by sentence index); for a list
        question, the sentence that lists the items (``knowledge.listing``)."""
        key_terms = query_terms(query, self.word_weight) if key_terms is None else key_terms
        usual = highlight(
            text, query, self.word_weight, terms=key_terms, favoured=past, favour=SENTENCE_WEIGHT
        )
        if not query.listing:
            return usual
        listing = listing_sentence(text, terms)
        keyed = highlight(listing, query, self.word_weight, terms=key_terms) if listing else None
        return choose(keyed, usual, query, terms)

    def search(self, query: str, k: int = 3) -> list[Hit]:
        return self.ask(query, k).hits


def _corpus_key(files: Sequence[Path]) -> str:
    digest = hashlib.sha256(_CACHE_VERSION.encode())
    package = Path(str(resources.files("knowledge")))
    data = package / "data"
    # The code that builds the index is part of the key: a cache built by older code is never loaded.
    code = sorted(package.glob("*.py"))
    for path in [*files, data / "userdict.txt", *code]:
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:24]
