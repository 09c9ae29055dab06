"""Follow-up questions read in context: how often the passage a follow-up means comes first.

    python -m bench.followups [--set tests/data/followups_blind.jsonl]

Each record is a first question, a short follow-up sent right after it, its kind (subject, number, detail, aspect)
and phrases of the passage that answers the follow-up as meant. Each follow-up is read as the chat reads it
(``handlers.services.qa.QAService``: on its own when it is answered confidently alone or is no follow-up, else with
the first question), and, for comparison, as before stop 20 (the first question followed by the follow-up's words,
never reworded). Printed per reading: the expected passage first, first and confident, another first and confident.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

from bench.common import ROOT

DEFAULT_SET = ROOT / "tests" / "data" / "followups_blind.jsonl"
KINDS = ("subject", "number", "detail", "aspect")


def measure(rows: list[dict]) -> dict[str, Counter]:
    from bench.qa import shows
    from handlers.services.qa import MAX_QUERY_CHARS, QAService, leans
    from knowledge.base import KnowledgeBase
    from knowledge.followup import is_follow_up, with_context

    kb = KnowledgeBase.default()
    service = SimpleNamespace(kb=kb)
    totals = {"joined (before)": Counter(), "the code": Counter()}
    for row in rows:
        alone = kb.ask(row["follow"])
        answered = kb.ask(row["first"]).answered
        before = is_follow_up(row["follow"]) and alone.confidence != "high" and answered
        now = leans(row["follow"], alone) and answered
        for name, counts in totals.items():
            answer = alone
            if now and name == "the code":
                _, answer, _ = QAService._read_with(service, row["first"], row["follow"], 3)
            elif before and name != "the code":
                answer = kb.ask(with_context(row["first"], row["follow"], MAX_QUERY_CHARS))
            first = answer.hits[0] if answer.hits else None
            right = first is not None and all(shows(kb.passages[first.passage_id], e) for e in row["expect"])
            counts["n"] += 1
            counts[f"{row['kind']} n"] += 1
            counts["first"] += right
            counts[row["kind"]] += right
            counts["right high"] += right and answer.confidence == "high"
            counts["wrong high"] += first is not None and not right and answer.confidence == "high"
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.followups", description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="a JSON-lines follow-up set")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.set.read_text(encoding="utf-8").splitlines() if line.strip()]
    totals = measure(rows)
    head = f"{'reading':<18}{'first':>7}{'right high':>12}{'wrong high':>12}" + "".join(
        f"{k:>10}" for k in KINDS
    )
    print(f"{args.set.name}: {len(rows)} follow-ups")
    print(head)
    for name, c in totals.items():
        kinds = "".join(f"{c[k]:>4}/{c[k + ' n']:<5}" for k in KINDS)
        print(f"{name:<18}{c['first']:>7}{c['right high']:>12}{c['wrong high']:>12}{kinds}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
