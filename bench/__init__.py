"""Benchmarks: synthetic corpus, retrieval against a rank_bm25 baseline, cold start of the CLI."""
