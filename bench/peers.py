"""The peers ``bench.retrieval`` measures ours against, each over the same passages and the same tokens.

Tokens: every peer gets what our index gets, ``Segmenter.words`` (NFKC and lower case, the user dictionary and
the corpus' quoted terms, ``cut_for_search`` of jieba, punctuation dropped), from the same tokenizer our
segmenter uses (rjieba where it is proven to cut as jieba does, else jieba). A query is tokenised the same
way, without our question-word removal, synonyms or bigrams. The corpus is tokenised once per setting
(``write_tokens``) and each peer reads the tokens from that file.

- ``bm25s``: ``bm25s.BM25(k1, b)`` (numpy backend), ``get_scores`` + ``argpartition``: a sparse matrix of
  precomputed BM25 scores, one scatter-add over the query's columns.
- ``tantivy``: the Rust engine's Python binding; an in-memory index of the tokens joined by spaces (its
  ``whitespace`` tokenizer, frequencies without positions), a boolean OR of term queries; its BM25 has k1 1.2,
  b 0.75, which cannot be set.
- ``bm25okapi``: ``rank_bm25.BM25Okapi(k1, b)``, pure Python, ``get_scores`` + ``argsort`` (the named
  baseline of the first benchmarks).

bm25s and bm25okapi use our k1 and b, so the accuracy columns compare the same formula over the same tokens.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from knowledge.index import K1, B

TANTIVY_HEAP = 1_000_000_000  # one segment, so a hit's document number is the passage's


def _top(scores: np.ndarray, k: int) -> list[int]:
    k = min(k, len(scores))
    if k <= 0:
        return []
    best = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    return [int(i) for i in sorted(best.tolist(), key=lambda i: -scores[i]) if scores[i] > 0]


class Bm25s:
    name = "bm25s"

    def __init__(self, tokens: list[list[str]]) -> None:
        import bm25s

        self.model = bm25s.BM25(k1=K1, b=B)
        self.model.index(tokens, show_progress=False)
        self._vocab = self.model.vocab_dict

    def score(self, query: list[str], k: int) -> list[int]:
        if not any(t in self._vocab for t in query):
            return []
        return _top(self.model.get_scores(query), k)


class Tantivy:
    name = "tantivy"

    def __init__(self, tokens: list[list[str]]) -> None:
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("body", stored=False, tokenizer_name="whitespace", index_option="freq")
        builder.add_unsigned_field("id", stored=True, indexed=False)
        self.schema = builder.build()
        index = tantivy.Index(self.schema)
        writer = index.writer(heap_size=TANTIVY_HEAP, num_threads=1)
        for i, toks in enumerate(tokens):
            doc = tantivy.Document()
            doc.add_text("body", " ".join(toks))
            doc.add_unsigned("id", i)
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        self.searcher = index.searcher()
        self._single = self.searcher.num_segments == 1
        self._query, self._should = tantivy.Query, tantivy.Occur.Should

    def score(self, query: list[str], k: int) -> list[int]:
        if not query:
            return []
        term = self._query.term_query
        q = self._query.boolean_query([(self._should, term(self.schema, "body", t)) for t in query])
        hits = self.searcher.search(q, k).hits
        if self._single:
            return [address.doc for _, address in hits]
        return [self.searcher.doc(address)["id"][0] for _, address in hits]


class RankBm25:
    name = "bm25okapi"

    def __init__(self, tokens: list[list[str]]) -> None:
        from rank_bm25 import BM25Okapi

        self.model = BM25Okapi(tokens, k1=K1, b=B)

    def score(self, query: list[str], k: int) -> list[int]:
        return _top(self.model.get_scores(query), k)


PEERS = {cls.name: cls for cls in (Bm25s, Tantivy, RankBm25)}


# -- the shared tokens -----------------------------------------------------------------------------------------


def segmenter(terms: list[str]):
    """Our segmenter, with the corpus' quoted terms, for the peers' queries."""
    from knowledge.segment import Segmenter

    seg = Segmenter()
    seg.add_words(terms)
    return seg


def write_tokens(kb_dir: Path | None, out: Path) -> dict:
    """Tokenises every passage as our index does; writes the quoted terms on the first line, then one passage a
    line, tokens separated by spaces. Returns the seconds spent and the tokenizer's name."""
    from bench.common import passage_texts
    from knowledge.segment import quoted_terms

    start = time.perf_counter()
    passages = passage_texts(kb_dir)
    terms = sorted(quoted_terms(text for text, _ in passages))  # as KnowledgeBase.from_documents takes them
    seg = segmenter(terms)
    with out.open("w", encoding="utf-8") as fh:
        fh.write(" ".join(terms) + "\n")
        for _, text in passages:
            tokens = seg.words(text)
            assert not any(" " in t or "\n" in t for t in tokens)
            fh.write(" ".join(tokens) + "\n")
    return {
        "seconds": time.perf_counter() - start,
        "tokenizer": seg._tokenizer.name,
        "passages": len(passages),
    }


def read_tokens(path: Path) -> tuple[list[str], list[list[str]]]:
    lines = path.read_text(encoding="utf-8").split("\n")[:-1]
    return lines[0].split(), [line.split() for line in lines[1:]]
