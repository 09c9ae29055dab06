"""Whether a change to the answer path changed any answer: every question of the evaluation sets, answered.

    python -m bench.parity --write FILE [--mb 10] [--limit N]
    python -m bench.parity --check FILE [--mb 10] [--limit N]

Each question of ``tests/data/*_tune.jsonl`` and ``*_valid.jsonl`` (and the dev set) goes through
``KnowledgeBase.ask``; the outcome (confidence, note, and per hit the passage, score, highlight and confidence)
is written as one JSON line, or compared with a file written before, printing the questions that differ. For
speed work: a faster path must answer exactly as the one it replaces. ``--mb`` adds the synthetic corpus of
``bench.corpus`` (seed 0) in a temporary folder, so the index's scoring is checked at scale too.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, load_questions


def questions(limit: int | None) -> list[str]:
    rows = load_questions()
    for path in sorted((ROOT / "tests" / "data").glob("qa*_*.jsonl")):
        if path.stem.endswith(("_tune", "_valid")):
            rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    qs = list(dict.fromkeys(row["q"] for row in rows))
    return qs[:limit] if limit else qs


def outcomes(kb, qs: list[str]) -> list[dict]:
    out = []
    for q in qs:
        a = kb.ask(q, 3)
        hits = [[h.passage_id, h.score, h.highlight, h.confidence] for h in a.hits]
        out.append({"q": q, "confidence": a.confidence, "note": a.note, "hits": hits})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.parity")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", type=Path)
    mode.add_argument("--check", type=Path)
    parser.add_argument("--mb", type=float, default=0.0, help="add a synthetic corpus of this size")
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions")
    args = parser.parse_args(argv)
    from knowledge.base import KnowledgeBase

    with tempfile.TemporaryDirectory(prefix="branchbot-parity-") as tmp:
        kb_dir = None
        if args.mb:
            from bench.corpus import make_synthetic_corpus

            kb_dir = Path(tmp) / "kb"
            make_synthetic_corpus(kb_dir, int(args.mb * 1_000_000), 0)
        kb = KnowledgeBase.default(kb_dir, cache_dir=Path(tmp) / "cache")
        qs = questions(args.limit)
        started = time.perf_counter()
        got = outcomes(kb, qs)
        seconds = time.perf_counter() - started
    print(f"{len(qs)} questions in {seconds:.1f} s ({seconds / len(qs) * 1000:.3f} ms each)")
    if args.write:
        args.write.write_text(
            "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in got), encoding="utf-8"
        )
        return 0
    before = [json.loads(line) for line in args.check.read_text(encoding="utf-8").splitlines()][: len(got)]
    differ = [(b, g) for b, g in zip(before, got, strict=True) if b != g]
    for b, g in differ[:20]:
        print(json.dumps(b, ensure_ascii=False))
        print(json.dumps(g, ensure_ascii=False))
        print()
    print(f"{len(differ)} of {len(got)} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
