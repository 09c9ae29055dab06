"""Benchmarks: a synthetic corpus; retrieval against bm25s, tantivy and rank_bm25; cold start of the CLI; the
memory of an idle bot."""
