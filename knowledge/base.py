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

from knowledge.highlight import highlight
from knowledge.index import Channel, Index
from knowledge.ingest import Document, read_documents
from knowledge.rules import RuleAnswer, apply_rules
from knowledge.segment import AnalyzedQuery, Segmenter, bigrams, normalize, plain_text, quoted_terms
from knowledge.types import Hit, Passage

log = logging.getLogger(__name__)

# Share of the query's content (idf-weighted) the best passage must contain, or there is no answer.
MIN_COVERAGE = 0.5
# ... and what it contains must weigh at least this much (idf units): one generic word is not an answer.
MIN_MATCHED = 2.0
# A word the corpus lacks, found only as its parts, counts this much of its weight.
PARTS_CREDIT = 0.5
# How many of the best-scored passages may lead the answer if they cover the question (the same for any k,
# so "其他结果" leads with the same passage as the first answer).
COVERAGE_DEPTH = 5
CACHE_MIN_BYTES = 1_000_000
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
class Answer:
    """The result of asking: ranked hits and, when a numeric rule applied, its conclusion."""

    query: str
    hits: list[Hit]
    rule: RuleAnswer | None = None

    @property
    def answered(self) -> bool:
        return bool(self.hits)

    def as_dict(self) -> dict:
        return {"query": self.query, "answers": [h.as_dict() for h in self.hits]}


@dataclass(frozen=True, slots=True)
class TocSection:
    title: str
    passage_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class TocDocument:
    title: str
    sections: tuple[TocSection, ...]


class KnowledgeBase:
    def __init__(self, passages: Sequence[Passage], index: Index, segmenter: Segmenter) -> None:
        self._passages = tuple(passages)
        self.index = index
        self.segmenter = segmenter

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
        words = Channel.build(segmenter.words(text) for text in indexed)
        grams = Channel.build(bigrams(normalize(text)) for text in indexed)
        index = Index(words=words, bigrams=grams, terms=frozenset(terms))
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
        return self.segmenter.analyze(text)

    # -- retrieval ------------------------------------------------------------------------------------------

    def word_weight(self, word: str) -> float:
        """How much a query word says: its idf, or the highest idf for a word the corpus lacks."""
        channel = self.index.words
        if word in channel.idf:
            return channel.idf[word]
        grams = bigrams(normalize(word))
        gram_idf = [self.index.bigrams.idf.get(g) for g in grams]
        if gram_idf and all(v is not None for v in gram_idf):
            return min(gram_idf)  # type: ignore[type-var]
        return channel.max_idf()

    def coverage(self, query: AnalyzedQuery, text: str) -> float:
        """Idf-weighted share of the query's content words (or their synonyms) found in ``text``.

        Punctuation is ignored (“两新”组织 contains 两新组织); a word of the domain dictionary counts double (it is
        strong evidence that the question is about the speeches at all); a compound the corpus lacks is judged by
        its parts (分工负责 -> 分工, 负责), for half its weight: parts found apart say less than the word.
        Returns 0 when what is found weighs less than ``MIN_MATCHED``.
        """
        return self._covered(self._coverage_terms(query), text)

    @staticmethod
    def _covered(terms: list[tuple[tuple[str, ...], float, float]], text: str) -> float:
        plain = plain_text(text)
        total = found = 0.0
        for spellings, weight, credit in terms:
            total += weight
            if any(s in plain for s in spellings):
                found += weight * credit
        if found < MIN_MATCHED:
            return 0.0
        return found / total if total else 0.0

    def _coverage_terms(self, query: AnalyzedQuery) -> list[tuple[tuple[str, ...], float, float]]:
        """(spellings as plain text, weight, credit) for each content word of the query."""
        terms = []
        for word in query.content:
            if word.isdigit():
                continue  # the user's own numbers (800万, 2名) are not expected in the text
            expansions = query.expansions.get(word, ())
            parts = self.segmenter.parts(word) if not expansions and word not in self.index.words.idf else []
            if parts:
                terms.extend(((plain_text(part),), self.word_weight(part), PARTS_CREDIT) for part in parts)
                continue
            weight = max(self.word_weight(f) for f in expansions) if expansions else self.word_weight(word)
            if any(self.segmenter.is_domain_word(w) for w in (word, *expansions)):
                weight *= 2.0
            terms.append((tuple(plain_text(a) for a in (word, *expansions)), weight, 1.0))
        return terms

    @staticmethod
    def _indexed_text(p: Passage) -> str:
        return f"{p.headings[0]}。{p.text}" if p.headings else p.text

    def ask(self, query: str, k: int = 3) -> Answer:
        query = (query or "").strip()
        analyzed = self.analyze(query[:1000])
        rule = apply_rules(query, self)
        if analyzed.empty and rule is None:
            return Answer(query, [])
        scores = self.index.score(analyzed.words, analyzed.bigrams)
        ranked = self.index.top(scores, max(k, COVERAGE_DEPTH))
        if rule is not None:
            top = max((s for _, s in ranked), default=1.0)
            ranked = [(rule.passage_id, top * 1.05)] + [(i, s) for i, s in ranked if i != rule.passage_id]
        else:
            # The first of the best few passages that contains enough of the question leads; if none does,
            # the speeches hold no answer.
            terms = self._coverage_terms(analyzed)
            lead = next(
                (
                    n
                    for n, (i, _) in enumerate(ranked[:COVERAGE_DEPTH])
                    if self._covered(terms, self._indexed_text(self._passages[i])) >= MIN_COVERAGE
                ),
                None,
            )
            if lead is None:
                return Answer(query, [])
            ranked = [ranked[lead], *ranked[:lead], *ranked[lead + 1 :]]
        hits = []
        for passage_id, score in ranked[:k]:
            p = self._passages[passage_id]
            key = rule.phrase_sentence if rule is not None and passage_id == rule.passage_id else None
            hits.append(
                Hit(
                    text=p.text,
                    highlight=key or highlight(p.text, analyzed, self.word_weight),
                    source=p.source,
                    section=p.section,
                    score=round(score, 4),
                    passage_id=p.id,
                )
            )
        return Answer(query, hits, rule)

    def search(self, query: str, k: int = 3) -> list[Hit]:
        return self.ask(query, k).hits


def _corpus_key(files: Sequence[Path]) -> str:
    digest = hashlib.sha256(_CACHE_VERSION.encode())
    package = Path(str(resources.files("knowledge")))
    data = package / "data"
    # The code that builds the index is part of the key: a cache built by older code is never loaded.
    code = sorted(package.glob("*.py"))
    for path in [*files, data / "userdict.txt", data / "synonyms.txt", *code]:
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:24]
