"""Retrieval benchmark: ``KnowledgeBase.search`` against a rank_bm25 baseline over the same passages.

    python -m bench.retrieval [--mb 10] [--queries 500] [--profile]

Two settings:

(a) ``speeches``: the shipped speeches only.
(b) ``+synthetic``: the speeches plus a synthetic corpus of ``--mb`` MB (``bench.corpus``) in a temporary folder
    passed as ``kb_dir``, with a temporary ``cache_dir``. Ours is measured twice: ``cold`` builds the index (and
    writes the cache), ``warm`` loads it from that cache in a new process.

The baseline, ``bm25okapi``: the same passages (``knowledge.ingest.read_documents`` over the same files, each
passage's text) tokenised with a plain ``jieba.Tokenizer()``'s ``cut_for_search`` (whitespace and punctuation
tokens dropped), indexed with ``rank_bm25.BM25Okapi``; a query is tokenised the same way and ranked by
``get_scores`` + ``argsort``.

Each system runs in a fresh subprocess, so its build time, RSS delta and absolute RSS are its own (nothing left by
another system's build). Per system:

- accuracy on the dev questions: an expected phrase in the top-1 text, in any top-3 text, in the top-1 highlight
  (ours only: the baseline has no highlight);
- latency of the search call alone (``time.perf_counter`` around it; query analysis included for both) over the
  dev questions repeated to about ``--queries`` queries, after one unmeasured pass: p50/p95/p99/mean in ms, and
  the p50/p99 of the same calls' CPU time (``time.thread_time``), which a busy machine does not inflate;
- build: seconds from file paths to a searchable index, including the tokeniser's dictionary load and reading
  the files (for ``warm``: loading from the cache);
- memory: RSS growth across the build, RSS after the queries, and the process's peak RSS (``ru_maxrss``).

Figures are printed, never asserted; the targets are in ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_QUESTIONS = Path("/work/shared/eval/dev_questions.jsonl")
K = 3
_RESULT_MARK = "BENCH-RESULT "


# -- shared helpers ----------------------------------------------------------------------------------------------


def load_questions(path: Path = DEV_QUESTIONS) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 1e6


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # Linux: kilobytes


def percentile(sorted_values: list[float], q: float) -> float:
    """Linear-interpolated percentile of an already sorted list (numpy's default method)."""
    if not sorted_values:
        return math.nan
    pos = (len(sorted_values) - 1) * q / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def _contains(text: str, expect: list[str]) -> bool:
    return any(phrase in text for phrase in expect)


def corpus_files(kb_dir: Path | None) -> list[Path]:
    """The files ``KnowledgeBase.default(kb_dir)`` reads, in the same order."""
    from knowledge.base import _folder_files, shipped_corpus

    files = shipped_corpus()
    if kb_dir is not None:
        files += _folder_files(kb_dir)
    return files


# -- the systems -------------------------------------------------------------------------------------------------


class Ours:
    """``KnowledgeBase.default`` and ``KnowledgeBase.search``."""

    def __init__(self, kb_dir: Path | None, cache_dir: Path) -> None:
        from knowledge.base import KnowledgeBase

        self.kb = KnowledgeBase.default(kb_dir, cache_dir=cache_dir)
        self.passages = len(self.kb.passages)

    def search(self, query: str, k: int = K) -> list[tuple[str, str | None]]:
        return [(h.text, h.highlight) for h in self.kb.search(query, k)]


class BM25Baseline:
    """rank_bm25's BM25Okapi over a plain jieba tokenizer's ``cut_for_search`` tokens of the same passages."""

    def __init__(self, kb_dir: Path | None, cache_dir: Path) -> None:
        import logging

        import jieba
        import numpy as np
        from rank_bm25 import BM25Okapi

        from knowledge.ingest import read_documents

        jieba.setLogLevel(logging.WARNING)
        self._np = np
        self.tokenizer = jieba.Tokenizer()
        self.tokenizer.initialize()
        self.texts = [p.text for doc in read_documents(corpus_files(kb_dir)) for p in doc.passages]
        self.passages = len(self.texts)
        self.bm25 = BM25Okapi([self.tokenize(t) for t in self.texts])

    def tokenize(self, text: str) -> list[str]:
        # Drops whitespace and punctuation tokens: keeps a token with at least one letter, digit or CJK character.
        return [t for t in self.tokenizer.cut_for_search(text) if any(c.isalnum() for c in t)]

    def search(self, query: str, k: int = K) -> list[tuple[str, str | None]]:
        scores = self.bm25.get_scores(self.tokenize(query))
        top = self._np.argsort(scores)[::-1][:k]
        return [(self.texts[i], None) for i in top]


SYSTEMS = {"ours": Ours, "bm25okapi": BM25Baseline}


# -- the worker: one system in one process -----------------------------------------------------------------------


def run_worker(system: str, kb_dir: Path | None, cache_dir: Path, n_queries: int) -> dict:
    questions = load_questions()
    # Import what the system needs before the first RSS reading, so the delta is the index, not the libraries.
    if system == "ours":
        import knowledge.base  # noqa: F401
    else:
        import jieba  # noqa: F401
        import rank_bm25  # noqa: F401

        import knowledge.ingest  # noqa: F401
    gc.collect()
    rss_before = _rss_mb()
    start = time.perf_counter()
    engine = SYSTEMS[system](kb_dir, cache_dir)
    build_s = time.perf_counter() - start
    gc.collect()
    rss_built = _rss_mb()

    per_question = []  # (top1, top3, hl1) per dev question
    for item in questions:
        hits = engine.search(item["q"], K)
        expect = item["expect"]
        per_question.append(
            (
                bool(hits) and _contains(hits[0][0], expect),
                any(_contains(text, expect) for text, _ in hits),
                bool(hits) and hits[0][1] is not None and _contains(hits[0][1], expect),
            )
        )
    top1, top3, hl1 = (sum(row[i] for row in per_question) for i in range(3))
    unanswered = sum(not engine.search(item["q"], K) for item in questions)

    queries = [item["q"] for item in questions]
    repeats = max(1, round(n_queries / len(queries)))
    latencies: list[float] = []
    search = engine.search
    for q in queries:  # one unmeasured pass: first-use costs are not per-query costs
        search(q, K)
    cpu_times: list[
        float
    ] = []  # this thread's CPU time per call: what the call costs, without waiting for a CPU
    for _ in range(repeats):
        for q in queries:
            c0 = time.thread_time()
            t0 = time.perf_counter()
            search(q, K)
            latencies.append((time.perf_counter() - t0) * 1000)
            cpu_times.append((time.thread_time() - c0) * 1000)
    latencies.sort()
    cpu_times.sort()
    return {
        "system": system,
        "passages": engine.passages,
        "questions": len(questions),
        "top1": top1,
        "top3": top3,
        "hl1": hl1 if system == "ours" else None,
        "per_question": per_question,
        "unanswered": unanswered,
        "queries": len(latencies),
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "mean": statistics.fmean(latencies),
        "cpu_p50": percentile(cpu_times, 50),
        "cpu_p99": percentile(cpu_times, 99),
        "build_s": build_s,
        "rss_delta_mb": rss_built - rss_before,
        "rss_mb": _rss_mb(),
        "peak_mb": _peak_rss_mb(),
    }


def _spawn(system: str, kb_dir: Path | None, cache_dir: Path, n_queries: int) -> dict:
    cmd = [sys.executable, "-m", "bench.retrieval", "--worker", system, "--cache-dir", str(cache_dir)]
    cmd += ["--queries", str(n_queries)]
    if kb_dir is not None:
        cmd += ["--kb-dir", str(kb_dir)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRANCHBOT_")}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith(_RESULT_MARK)), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"worker {system} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(line[len(_RESULT_MARK) :])


# -- profiling ---------------------------------------------------------------------------------------------------


def profile_search(kb_dir: Path | None, cache_dir: Path, n_queries: int, top: int = 15) -> None:
    """cProfile of ``KnowledgeBase.search`` over the dev questions (cache-loaded index), top functions."""
    import cProfile
    import io
    import pstats

    engine = Ours(kb_dir, cache_dir)
    queries = [item["q"] for item in load_questions()]
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
        start = body.find("   ncalls")
        print(f"\n-- cProfile of search, {repeats * len(queries)} queries, sorted by {key} --")
        print(body[start:].rstrip())


# -- the report --------------------------------------------------------------------------------------------------


def _fmt(v: float | None, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def print_table(rows: list[tuple[str, str, dict]]) -> None:
    header = (
        f"{'setting':<12} {'system':<16} {'pass.':>6} {'top1':>6} {'top3':>6} {'hl1':>6} {'none':>5} "
        f"{'p50ms':>8} {'p95ms':>8} {'p99ms':>8} {'meanms':>8} {'cpu p50':>7} {'cpu p99':>7} {'build s':>8} "
        f"{'RSS+MB':>7} {'RSS MB':>7} {'peakMB':>7}"
    )
    print(header)
    print("-" * len(header))
    for setting, label, r in rows:
        n = r["questions"]
        top1, top3 = f"{r['top1']}/{n}", f"{r['top3']}/{n}"
        hl1 = f"{r['hl1']}/{n}" if r["hl1"] is not None else "-"
        print(
            f"{setting:<12} {label:<16} {r['passages']:>6} {top1:>6} {top3:>6} "
            f"{hl1:>6} {r['unanswered']:>5} {r['p50']:>8.3f} {r['p95']:>8.3f} {r['p99']:>8.3f} {r['mean']:>8.3f} {r['cpu_p50']:>7.3f} {r['cpu_p99']:>7.3f} "
            f"{r['build_s']:>8.2f} {r['rss_delta_mb']:>7.0f} {r['rss_mb']:>7.0f} {r['peak_mb']:>7.0f}"
        )


def print_details(rows: list[tuple[str, str, dict]]) -> None:
    """Per question and system: 1 = in top-1, 3 = in top-3 only, . = missed."""
    questions = load_questions()
    labels = [
        f"{setting[:5]}/{label.split()[0][:4]}{'-w' if 'warm' in label else ''}" for setting, label, _ in rows
    ]
    print("\nper question (1: top-1, 3: top-3 only, .: missed)")
    print("  " + " ".join(f"{lab:>10}" for lab in labels) + "  question")
    for i, item in enumerate(questions):
        marks = []
        for _, _, r in rows:
            t1, t3, _hl = r["per_question"][i]
            marks.append("1" if t1 else "3" if t3 else ".")
        print("  " + " ".join(f"{m:>10}" for m in marks) + f"  {item['q']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.retrieval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=10.0, help="synthetic corpus size for setting (b)")
    parser.add_argument("--queries", type=int, default=500, help="measured queries per system (about)")
    parser.add_argument("--seed", type=int, default=0, help="synthetic corpus seed")
    parser.add_argument("--profile", action="store_true", help="also cProfile ours' search in setting (b)")
    parser.add_argument("--details", action="store_true", help="also print per-question top-1/top-3 outcomes")
    parser.add_argument("--worker", choices=sorted(SYSTEMS), help=argparse.SUPPRESS)
    parser.add_argument("--kb-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        result = run_worker(args.worker, args.kb_dir, args.cache_dir, args.queries)
        print(_RESULT_MARK + json.dumps(result))
        return 0

    from bench.common import code_fingerprint, code_report, load_average
    from bench.corpus import make_synthetic_corpus

    code = code_fingerprint()

    started = time.perf_counter()
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load_average()}; {len(load_questions())} dev questions; "
        f"k={K}; ~{args.queries} measured queries per system; code {code}"
    )
    rows: list[tuple[str, str, dict]] = []
    with tempfile.TemporaryDirectory(prefix="branchbot-bench-") as tmp:
        tmp_path = Path(tmp)
        kb_dir = tmp_path / "kb"
        t0 = time.perf_counter()
        files = make_synthetic_corpus(kb_dir, int(args.mb * 1_000_000), args.seed)
        size = sum(p.stat().st_size for p in files)
        print(
            f"synthetic corpus: {len(files)} files, {size / 1e6:.2f} MB, seed {args.seed} "
            f"({time.perf_counter() - t0:.1f} s)\n"
        )
        plan = [
            ("speeches", "ours", "ours", None, tmp_path / "cache-a"),
            ("speeches", "bm25okapi", "bm25okapi", None, tmp_path / "cache-a"),
            ("+synthetic", "ours (cold)", "ours", kb_dir, tmp_path / "cache-b"),
            ("+synthetic", "ours (warm)", "ours", kb_dir, tmp_path / "cache-b"),  # loads what cold wrote
            ("+synthetic", "bm25okapi", "bm25okapi", kb_dir, tmp_path / "cache-b"),
        ]
        for setting, label, system, folder, cache in plan:
            t0 = time.perf_counter()
            result = _spawn(system, folder, cache, args.queries)
            rows.append((setting, label, result))
            print(f"  ran {setting} / {label} in {time.perf_counter() - t0:.1f} s", flush=True)
        if args.profile:
            profile_search(kb_dir, tmp_path / "cache-b", args.queries)

    print()
    print_table(rows)
    print(
        "\ntop1/top3: an expected phrase in the first / any of the first 3 texts; hl1: in ours' first highlight;"
        "\nnone: questions with no hit at all (ours abstains when the best passage covers too little of the query);"
        "\nlatency: the search call only (wall clock, ms); cpu p50/p99: the thread's CPU time per call (ms), which"
        "\nexcludes waiting for a CPU on a busy machine; build: files -> searchable index (warm: load from cache);"
        "\nRSS+: RSS growth across the build; RSS: after the queries; peak: the worker's maximum RSS."
    )
    if args.details:
        print_details(rows)
    print("\nspeed ratio (baseline / ours; >1 means ours is faster):")
    by = {(s, label): r for s, label, r in rows}
    for setting, ours_label in (
        ("speeches", "ours"),
        ("+synthetic", "ours (cold)"),
        ("+synthetic", "ours (warm)"),
    ):
        ours, base = by[(setting, ours_label)], by[(setting, "bm25okapi")]
        print(
            f"  {setting:<11} {ours_label:<12} p50 {base['p50'] / ours['p50']:6.1f}x   "
            f"mean {base['mean'] / ours['mean']:6.1f}x   p99 {base['p99'] / ours['p99']:6.1f}x   "
            f"build {base['build_s'] / ours['build_s']:5.2f}x"
        )
    ours, base = by[("+synthetic", "ours (cold)")], by[("+synthetic", "bm25okapi")]
    print(f"\ntargets at {args.mb:g} MB (see bench/README.md):")
    checks = [
        ("accuracy top1 >= baseline", f"{ours['top1']} vs {base['top1']}", ours["top1"] >= base["top1"]),
        ("accuracy top3 >= baseline", f"{ours['top3']} vs {base['top3']}", ours["top3"] >= base["top3"]),
        ("p50 speed-up >= 10x", f"{base['p50'] / ours['p50']:.1f}x", base["p50"] / ours["p50"] >= 10),
        ("p99 < 5 ms (wall)", f"{ours['p99']:.2f} ms", ours["p99"] < 5),
        ("p99 < 5 ms (cpu)", f"{ours['cpu_p99']:.2f} ms", ours["cpu_p99"] < 5),
    ]
    for name, value, met in checks:
        print(f"  {name:<28} {value:<14} {'met' if met else 'NOT met'}")
    print(
        f"\ntotal {time.perf_counter() - started:.0f} s; load average now {load_average()}; {code_report(code)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
