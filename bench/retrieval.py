"""Retrieval benchmark: ``KnowledgeBase.search`` against bm25s, tantivy and rank_bm25 over the same passages.

    python -m bench.retrieval [--mb 10 50] [--queries 500] [--details] [--profile]

Settings: ``speeches`` (the shipped speeches only), then for each ``--mb`` size ``+N MB``: the speeches plus a
synthetic corpus of that size (``bench.corpus``) in a temporary folder passed as ``kb_dir``, with a temporary
``cache_dir``. There ours is measured twice: ``cold`` builds the index (and writes the cache), ``warm`` loads it
from that cache in a new process. The peers (``bench.peers``) get our index's tokens of the same passages.

Each system runs in a fresh subprocess, so its build time and memory are its own. Per system:

- accuracy on the dev questions: an expected phrase in the top-1 text, in any top-3 text, in the top-1 highlight
  (ours only); ``none``: questions without any hit;
- latency, over the dev questions and the tuning half of the blind set (180 distinct questions) repeated to
  about ``--queries`` calls, after one unmeasured pass: ``tok`` (ours: the query analysis; peers: tokenising),
  ``score`` (BM25 over the index and the top k; ours: both channels), and ``total``, the whole call (ours:
  ``KnowledgeBase.search``, with rules, coverage, the decision and highlighting; peers: tokenising + scoring).
  Wall clock p50/p95/p99/mean, and the p50/p99 of the same calls' CPU time (``time.thread_time``), which a busy
  machine does not inflate. bm25okapi, pure Python, is timed over one pass only;
- build: seconds from file paths to a searchable index (ours: the tokenizer's dictionary, reading, tokenising
  and indexing, or loading the cache; peers: tokenising the corpus, measured once per setting, plus their own
  indexing); memory: RSS growth across the build, RSS after the queries, the process's peak RSS.

Figures are printed, never asserted; the targets are in ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import (
    ROOT,
    clean_env,
    latency_questions,
    load_questions,
    peak_rss_mb,
    percentile,
    rss_mb,
)

K = 3
SLOW_QUESTIONS = 48
_RESULT_MARK = "BENCH-RESULT "


class Ours:
    """``KnowledgeBase.default`` and ``KnowledgeBase.search``."""

    def __init__(self, kb_dir: Path | None, cache_dir: Path) -> None:
        from knowledge.base import KnowledgeBase

        self.kb = KnowledgeBase.default(kb_dir, cache_dir=cache_dir)
        self.passages = len(self.kb.passages)
        self.tokenizer = self.kb.segmenter._tokenizer.name

    def tokenize(self, query: str):
        return self.kb.analyze(query)

    def score(self, analyzed, k: int) -> list:
        """What ``KnowledgeBase.rank`` asks of the index: the best ``max(k, CANDIDATES)`` passages."""
        import knowledge.base

        index = self.kb.index
        depth = max(k, getattr(knowledge.base, "CANDIDATES", 10))
        return index.best(analyzed.words, analyzed.bigrams, depth)

    def search(self, query: str, k: int = K) -> list[tuple[str, str | None]]:
        return [(h.text, h.highlight) for h in self.kb.search(query, k)]


class Peer:
    """A peer of ``bench.peers`` over the setting's tokens file, with our segmenter for its queries."""

    def __init__(self, system: str, kb_dir: Path | None, tokens: Path) -> None:
        from bench.common import passage_texts
        from bench.peers import PEERS, read_tokens, segmenter

        terms, docs = read_tokens(tokens)
        self.segmenter = segmenter(terms)
        self.engine = PEERS[system](docs)
        del docs
        self.texts = [text for text, _ in passage_texts(kb_dir)]
        self.passages = len(self.texts)
        self.tokenizer = self.segmenter._tokenizer.name

    def tokenize(self, query: str) -> list[str]:
        return self.segmenter.words(query)

    def score(self, tokens: list[str], k: int) -> list[int]:
        return self.engine.score(tokens, k)

    def search(self, query: str, k: int = K) -> list[tuple[str, str | None]]:
        return [(self.texts[i], None) for i in self.engine.score(self.segmenter.words(query), k)]


# -- the worker: one system in one process -----------------------------------------------------------------------


def _time(fn: Callable, args: list, repeats: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of ``fn(arg)`` for each arg, ``repeats`` times, each list sorted."""
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(repeats):
        for arg in args:
            c0 = time.thread_time()
            t0 = time.perf_counter()
            fn(arg)
            walls.append((time.perf_counter() - t0) * 1000)
            cpus.append((time.thread_time() - c0) * 1000)
    return sorted(walls), sorted(cpus)


def _accuracy(engine, questions: list[dict]) -> dict:
    per_question = []  # (top1, top3, hl1)
    unanswered = 0
    for item in questions:
        hits = engine.search(item["q"], K)
        expect = item["expect"]
        unanswered += not hits
        per_question.append(
            (
                bool(hits) and any(p in hits[0][0] for p in expect),
                any(p in text for text, _ in hits for p in expect),
                bool(hits) and hits[0][1] is not None and any(p in hits[0][1] for p in expect),
            )
        )
    top1, top3, hl1 = (sum(row[i] for row in per_question) for i in range(3))
    return {"top1": top1, "top3": top3, "hl1": hl1, "per_question": per_question, "unanswered": unanswered}


def run_worker(
    system: str, kb_dir: Path | None, cache_dir: Path, tokens: Path | None, n_queries: int
) -> dict:
    import knowledge.base  # noqa: F401  (libraries loaded before the first RSS reading: the delta is the index)

    gc.collect()
    rss_before = rss_mb()
    start = time.perf_counter()
    engine = Ours(kb_dir, cache_dir) if system == "ours" else Peer(system, kb_dir, tokens)  # type: ignore[arg-type]
    build_s = time.perf_counter() - start
    gc.collect()
    rss_built = rss_mb()

    dev = load_questions()
    result = {
        "system": system,
        "passages": engine.passages,
        "questions": len(dev),
        "tokenizer": engine.tokenizer,
    }
    result.update(_accuracy(engine, dev))
    result.update(_latency(engine, system, n_queries))
    result.update(
        build_s=build_s,
        rss_delta_mb=rss_built - rss_before,
        rss_mb=rss_mb(),
        peak_mb=peak_rss_mb(),
    )
    return result


def _latency(engine, system: str, n_queries: int) -> dict:
    """The timed phases. bm25okapi, pure Python, is timed on the first ``SLOW_QUESTIONS`` questions, once."""
    queries = latency_questions()
    if system == "bm25okapi":
        queries, repeats = queries[:SLOW_QUESTIONS], 1
    else:
        repeats = max(1, round(n_queries / len(queries)))
    # The first call of each question, unmeasured in the figures below: it pays first-use costs (a passage's
    # first highlight, compiled patterns), which are not per-query costs but show what a new question costs.
    first, _ = _time(lambda q: engine.search(q, K), queries, 1)
    total, cpu = _time(lambda q: engine.search(q, K), queries, repeats)
    tok, _ = _time(engine.tokenize, queries, repeats)
    tokenized = [engine.tokenize(q) for q in queries]
    score, _ = _time(lambda t: engine.score(t, K), tokenized, repeats)
    return {
        "queries": len(total),
        "first_p50": percentile(first, 50),
        "tok_p50": percentile(tok, 50),
        "score_p50": percentile(score, 50),
        "score_p99": percentile(score, 99),
        "p50": percentile(total, 50),
        "p95": percentile(total, 95),
        "p99": percentile(total, 99),
        "mean": statistics.fmean(total),
        "cpu_p50": percentile(cpu, 50),
        "cpu_p99": percentile(cpu, 99),
    }


def _spawn(args: list[str]) -> dict:
    cmd = [sys.executable, "-m", "bench.retrieval", *args]
    proc = subprocess.run(cmd, cwd=ROOT, env=clean_env(), capture_output=True, text=True)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith(_RESULT_MARK)), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"{' '.join(args[:2])} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(line[len(_RESULT_MARK) :])


def spawn_system(system: str, kb_dir: Path | None, cache_dir: Path, tokens: Path, n_queries: int) -> dict:
    args = ["--worker", system, "--cache-dir", str(cache_dir), "--tokens", str(tokens)]
    args += ["--queries", str(n_queries)]
    if kb_dir is not None:
        args += ["--kb-dir", str(kb_dir)]
    return _spawn(args)


# -- profiling ---------------------------------------------------------------------------------------------------


def profile_search(kb_dir: Path | None, cache_dir: Path, n_queries: int, top: int = 15) -> None:
    """cProfile of ``KnowledgeBase.search`` over the timed questions (cache-loaded index), top functions."""
    import cProfile
    import io
    import pstats

    engine = Ours(kb_dir, cache_dir)
    queries = latency_questions()
    repeats = max(1, round(n_queries / len(queries)))
    for q in queries:
        engine.kb.search(q, K)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeats):
        for q in queries:
            engine.kb.search(q, K)
    profiler.disable()
    for key in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(key).print_stats(top)
        body = out.getvalue()
        print(f"\n-- cProfile of search, {repeats * len(queries)} queries, sorted by {key} --")
        print(body[body.find("   ncalls") :].rstrip())


# -- the run -----------------------------------------------------------------------------------------------------


def run_setting(name: str, kb_dir: Path | None, work: Path, n_queries: int, log: Callable) -> list:
    """All systems on one setting; (setting, label, result) rows."""
    from bench.peers import PEERS

    cache, tokens = work / f"cache-{name}", work / f"tokens-{name}.txt"
    t0 = time.perf_counter()
    args = ["--worker", "tokens", "--tokens", str(tokens)] + (["--kb-dir", str(kb_dir)] if kb_dir else [])
    tokenized = _spawn(args)
    log(
        f"  {name}: tokenised {tokenized['passages']} passages with {tokenized['tokenizer']} in {tokenized['seconds']:.1f} s"
    )
    plan = [("ours", "ours")] if kb_dir is None else [("ours", "ours (cold)"), ("ours", "ours (warm)")]
    rows = []
    for system, label in plan + [(peer, peer) for peer in PEERS]:
        t0 = time.perf_counter()
        result = spawn_system(system, kb_dir, cache, tokens, n_queries)
        if system != "ours":
            result["build_s"] += tokenized["seconds"]
        rows.append((name, label, result))
        log(f"  ran {name} / {label} in {time.perf_counter() - t0:.1f} s")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.retrieval", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--mb", type=float, nargs="*", default=[10.0, 50.0], help="synthetic sizes (default 10 50)"
    )
    parser.add_argument(
        "--queries", type=int, default=500, help="measured calls per system and phase (about)"
    )
    parser.add_argument("--seed", type=int, default=0, help="synthetic corpus seed")
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile ours' search at the largest size"
    )
    parser.add_argument("--details", action="store_true", help="also print per-question top-1/top-3 outcomes")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--kb-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--tokens", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker == "tokens":
        from bench.peers import write_tokens

        print(_RESULT_MARK + json.dumps(write_tokens(args.kb_dir, args.tokens)))
        return 0
    if args.worker:
        result = run_worker(args.worker, args.kb_dir, args.cache_dir, args.tokens, args.queries)
        print(_RESULT_MARK + json.dumps(result))
        return 0
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    import os

    from bench import report
    from bench.common import code_fingerprint, code_report, load_average
    from bench.corpus import make_synthetic_corpus

    code = code_fingerprint()
    started = time.perf_counter()
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load_average()}; "
        f"{len(load_questions())} dev questions for accuracy, {len(latency_questions())} timed; k={K}; "
        f"~{args.queries} measured calls per system and phase; code {code}"
    )
    rows: list = []
    with tempfile.TemporaryDirectory(prefix="branchbot-bench-") as tmp:
        work = Path(tmp)
        rows += run_setting("speeches", None, work, args.queries, print)
        for mb in args.mb:
            kb_dir = work / f"kb-{mb:g}"
            t0 = time.perf_counter()
            files = make_synthetic_corpus(kb_dir, int(mb * 1_000_000), args.seed)
            size = sum(p.stat().st_size for p in files)
            print(
                f"synthetic corpus: {len(files)} files, {size / 1e6:.2f} MB ({time.perf_counter() - t0:.1f} s)"
            )
            rows += run_setting(f"+{mb:g} MB", kb_dir, work, args.queries, print)
            if args.profile and mb == max(args.mb):
                profile_search(kb_dir, work / f"cache-+{mb:g} MB", args.queries)
            for cache in work.glob("cache-*"):  # a large cache is not needed once measured
                for f in cache.glob("*"):
                    f.unlink()
    report.print_all(rows, details=args.details)
    print(
        f"\ntotal {time.perf_counter() - started:.0f} s; load average now {load_average()}; {code_report(code)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
