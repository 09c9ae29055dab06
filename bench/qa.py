"""Answer quality on a question set: right passage first, confident or tentative, and refusals.

    python -m bench.qa --set tests/data/qa_tune.jsonl [--sweep] [--details]

A set is JSON lines. In-scope lines have ``"expect"``: phrases the passage that answers contains (one is enough; a
phrase of the heading path the reply cites with the passage counts too, for a question about a section's title;
optional ``"also"`` phrases name another paragraph that answers as well, where both speeches say it); off-topic
lines have ``"kind"`` ("near": the speeches' vocabulary, no answer in them; "far") and no ``expect``. The old dev
set (``/work/shared/eval/dev_questions.jsonl``) is all in scope.

Printed for the set, with the thresholds of ``knowledge.decide.DEFAULT``:

- in scope: top-1 (the first passage shown is the right one; a refusal shows none), top-3, the ranking's own
  top-1 whatever the decision, right AND confident, right but tentative, wrong but confident, refused;
- off topic: refused, tentative, confident;
- the baseline, rank_bm25 (BM25Okapi) over the same passages with plain jieba ``cut_for_search`` tokens: its
  top-1 on the same in-scope questions (it never refuses).

``--sweep`` prints the same counts for a grid of thresholds (the ranking is computed once per question): the
trade-off between answering in-scope questions confidently and answering off-topic ones confidently
(``python -m bench.calibrate`` fits the model behind ``high`` and prints the same trade-off on held-out sets).
``--details`` lists each question's outcome. Tune on ``qa_tune.jsonl`` only; ``qa_valid.jsonl`` is for the
final measurement.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from knowledge.base import KnowledgeBase, Ranking
from knowledge.decide import DEFAULT, Thresholds
from knowledge.ingest import clean_text
from knowledge.types import Passage

K = 3


@dataclass(frozen=True, slots=True)
class Case:
    row: dict
    ranking: Ranking
    right: tuple[bool, ...]  # for each of the first K candidates: does it contain an expected phrase
    key_sentence: bool  # the first answer's key sentence (highlight) contains an expected phrase

    @property
    def in_scope(self) -> bool:
        return "expect" in self.row


def load_set(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def shows(passage: Passage, phrase: str) -> bool:
    """Whether the reply for ``passage`` shows ``phrase``: in its text, the heading path or the speech it cites.
    A phrase is copied from the speech as received: it is cleaned as ingestion cleans the speech (an ASCII comma
    between Chinese text becomes "，")."""
    cited = (passage.text, passage.section, passage.source)
    return any(phrase in part for part in cited) or any(clean_text(phrase) in part for part in cited)


def cases(kb: KnowledgeBase, rows: list[dict]) -> list[Case]:
    out = []
    for row in rows:
        ranking = kb.rank(row["q"], K)
        expect = (row.get("expect") or []) + (row.get("also") or [])
        right = tuple(any(shows(kb.passages[i], e) for e in expect) for i, _ in ranking.ranked[:K])
        hits = kb.ask(row["q"], K, Thresholds(0.0, 0.0)).hits if expect else []
        key = bool(hits) and any(e in hits[0].highlight for e in expect)
        out.append(Case(row, ranking, right, key))
    return out


def tally(cases_: list[Case], thresholds: Thresholds) -> Counter:
    """Counts of outcomes under ``thresholds``."""
    c: Counter = Counter()
    for case in cases_:
        confidence = case.ranking.confidence(thresholds)
        if case.in_scope:
            first = bool(case.right) and case.right[0]
            c["in"] += 1
            c["rank1"] += first
            if confidence is None:
                c["in_refused"] += 1
                continue
            c["top1"] += first
            c["top3"] += any(case.right)
            c["key"] += first and case.key_sentence
            c[f"in_{'right' if first else 'wrong'}_{confidence}"] += 1
        else:
            c["off"] += 1
            c[f"off_{confidence or 'refused'}"] += 1
    return c


def _pct(n: int, d: int) -> str:
    return f"{n:>3}/{d:<3} {100 * n / d:5.1f}%" if d else "  -"


def print_table(c: Counter, baseline: int | None) -> None:
    n, off = c["in"], c["off"]
    if n:
        print(f"in scope ({n})")
        print(f"  top-1 (first passage shown is right)   {_pct(c['top1'], n)}")
        print(f"  top-3                                  {_pct(c['top3'], n)}")
        print(f"  ranking top-1, whatever the decision   {_pct(c['rank1'], n)}")
        print(f"  key sentence of the first has it       {_pct(c['key'], n)}")
        print(f"  right and confident                    {_pct(c['in_right_high'], n)}")
        print(f"  right, tentative                       {_pct(c['in_right_low'], n)}")
        print(f"  wrong, confident                       {_pct(c['in_wrong_high'], n)}")
        print(f"  wrong, tentative                       {_pct(c['in_wrong_low'], n)}")
        print(f"  refused                                {_pct(c['in_refused'], n)}")
        if baseline is not None:
            print(f"  baseline rank_bm25+jieba top-1         {_pct(baseline, n)}")
    if off:
        print(f"off topic ({off})")
        print(f"  refused                                {_pct(c['off_refused'], off)}")
        print(f"  tentative                              {_pct(c['off_low'], off)}")
        print(f"  confident                              {_pct(c['off_high'], off)}")
        not_confident = c["off_refused"] + c["off_low"]
        print(f"  refused or tentative                   {_pct(not_confident, off)}")


def sweep_grid() -> list[Thresholds]:
    """The model's probability for a confident answer (the field model's moved by as much), and coverage for a
    tentative one."""
    highs = [round(0.40 + 0.05 * i, 3) for i in range(8)]  # 0.40 .. 0.75
    lows = [0.15, 0.20, 0.25, 0.30]
    gap = (DEFAULT.field_high or DEFAULT.high) - DEFAULT.high
    return [replace(DEFAULT, high=h, field_high=round(h + gap, 3), low=lo) for h in highs for lo in lows]


def print_sweep(cases_: list[Case], grid: list[Thresholds]) -> None:
    print(
        f"{'thresholds':<38} {'in right high':>13} {'in right low':>12} {'in refused':>10} "
        f"{'off high':>8} {'off low':>7} {'off refused':>11}"
    )
    for t in grid:
        c = tally(cases_, t)
        mark = "  <- default" if t == DEFAULT else ""
        print(
            f"{t!s:<38} {c['in_right_high']:>13} {c['in_right_low']:>12} {c['in_refused']:>10} "
            f"{c['off_high']:>8} {c['off_low']:>7} {c['off_refused']:>11}{mark}"
        )


def print_details(kb: KnowledgeBase, cases_: list[Case], thresholds: Thresholds) -> None:
    for case in cases_:
        confidence = case.ranking.confidence(thresholds) or "none"
        ev = case.ranking.evidence()
        lead = case.ranking.ranked[0][0] if case.ranking.ranked else None
        if case.in_scope:
            mark = "ok " if case.right and case.right[0] else ("top3" if any(case.right) else "MISS")
        else:
            mark = case.row.get("kind", "off")
        print(
            f"{case.row.get('id', '-'):<5} {mark:<5} {confidence:<4} cov={ev.coverage:.2f} m={ev.matched:4.1f} "
            f"d={ev.domain} s={ev.score:5.1f} r={ev.ratio:4.2f} p={lead} {case.row['q']} "
            f"| {' '.join(case.ranking.analyzed.content)}"
        )


_TOKEN = re.compile(r"\w", re.UNICODE)


def baseline_top1(kb: KnowledgeBase, rows: list[dict]) -> int:
    """rank_bm25's BM25Okapi over the same passages, plain jieba ``cut_for_search`` tokens: in-scope top-1."""
    import jieba
    from rank_bm25 import BM25Okapi

    tokenizer = jieba.Tokenizer()

    def tokens(text: str) -> list[str]:
        return [t for t in tokenizer.cut_for_search(text) if t.strip() and _TOKEN.search(t)]

    texts = [p.text for p in kb.passages]
    bm25 = BM25Okapi([tokens(t) for t in texts])
    hits = 0
    for row in rows:
        if "expect" not in row:
            continue
        scores = bm25.get_scores(tokens(row["q"]))
        best = max(range(len(texts)), key=lambda i: scores[i])
        hits += any(shows(kb.passages[best], e) for e in row["expect"] + row.get("also", []))
    return hits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.qa", description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", dest="path", type=Path, required=True, help="a JSON-lines question set")
    parser.add_argument("--sweep", action="store_true", help="the counts for a grid of thresholds")
    parser.add_argument("--details", action="store_true", help="each question's outcome")
    parser.add_argument("--no-baseline", action="store_true", help="skip the rank_bm25 baseline")
    args = parser.parse_args(argv)

    from bench.common import code_fingerprint

    rows = load_set(args.path)
    start = time.perf_counter()
    kb = KnowledgeBase.default()
    cs = cases(kb, rows)
    elapsed = time.perf_counter() - start
    print(f"set {args.path} ({len(rows)} questions); code {code_fingerprint()}; {elapsed:.1f} s")
    print(f"thresholds: {DEFAULT}")
    if args.details:
        print_details(kb, cs, DEFAULT)
    baseline = None if args.no_baseline else baseline_top1(kb, rows)
    print_table(tally(cs, DEFAULT), baseline)
    if args.sweep:
        print(
            "\nin scope: right first and confident / tentative, refused; off topic: confident / tentative / refused"
        )
        print_sweep(cs, sweep_grid())
    return 0


if __name__ == "__main__":
    sys.exit(main())
