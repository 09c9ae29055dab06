"""Follow-up questions read in context: how often the passage a follow-up means comes first.

    python -m bench.followups [--set tests/data/followups_blind.jsonl]

Each record is a first question, a short follow-up sent right after it, its kind (subject, number, detail, aspect)
and phrases of the passage that answers the follow-up as meant. Each follow-up is read as the chat reads it
(``handlers.services.qa.QAService``: on its own when it is answered confidently alone or is no follow-up, else with
the first question), and, for comparison, as before stop 20 (the first question followed by the follow-up's words,
never reworded). Printed per reading: the expected passage first, first and confident, another first and confident.

``--controls``: what leaning costs questions that are no follow-ups. Each short in-scope question (12 characters or
fewer) and each short off-topic one (16 or fewer) of the blind sets' tuning halves is sent after an in-scope question
of the same set picked at random (seeded), and read as the chat reads it; printed: how many were read with the
question before, and right, right and confident, wrong and confident (in scope) or confident (off topic), read so
and read alone.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import Counter
from pathlib import Path

from bench.common import ROOT

DEFAULT_SET = ROOT / "tests" / "data" / "followups_blind.jsonl"
KINDS = ("subject", "number", "detail", "aspect")


def measure(rows: list[dict]) -> dict[str, Counter]:
    from bench.qa import shows
    from handlers.services.qa import MAX_QUERY_CHARS, QAService
    from knowledge.base import KnowledgeBase
    from knowledge.followup import is_follow_up, with_context

    kb = KnowledgeBase.default()
    service = QAService(kb, None, None)  # type: ignore[arg-type]  (no log: only its reading is used)
    totals = {"joined (before)": Counter(), "the code": Counter()}
    for row in rows:
        alone = kb.ask(row["follow"])
        answered = kb.ask(row["first"]).answered
        before = is_follow_up(row["follow"]) and alone.confidence != "high" and answered
        now = service.in_context(row["first"], row["follow"], alone, 3) if answered else None
        for name, counts in totals.items():
            answer = alone
            if now is not None and name == "the code":
                answer = now[1]
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


_SHORT = {"in scope": 12, "off topic": 16}
_PUNCT = re.compile(r"[\s，。？！?!,.、；;：:“”\"'‘’（）()…~～]+")


def _control_pairs(seed: int = 7) -> dict[str, list[tuple[str, dict]]]:
    pairs: dict[str, list[tuple[str, dict]]] = {"in scope": [], "off topic": []}
    rng = random.Random(seed)
    for path in sorted((ROOT / "tests" / "data").glob("qa*_tune.jsonl")):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        firsts = [row["q"] for row in rows if "expect" in row]
        for row in rows:
            group = "in scope" if "expect" in row else "off topic"
            first = rng.choice(firsts)
            if len(_PUNCT.sub("", row["q"])) <= _SHORT[group]:
                pairs[group].append((first, row))
    return pairs


def controls() -> dict[str, Counter]:
    from bench.qa import shows
    from handlers.services.qa import QAService
    from knowledge.base import KnowledgeBase

    kb = KnowledgeBase.default()
    service = QAService(kb, None, None)  # type: ignore[arg-type]
    totals: dict[str, Counter] = {}
    for group, pairs in _control_pairs().items():
        counts = totals[group] = Counter()
        for first, row in pairs:
            alone = kb.ask(row["q"])
            reading = service.in_context(first, row["q"], alone, 3) if kb.ask(first).answered else None
            counts["n"] += 1
            counts["leaned"] += reading is not None
            for name, answer in (("alone", alone), ("chat", reading[1] if reading else alone)):
                high = answer.confidence == "high"
                if group == "off topic":
                    counts[f"{name} confident"] += high
                    continue
                hit = answer.hits[0] if answer.hits else None
                right = hit is not None and any(
                    all(shows(kb.passages[hit.passage_id], e) for e in row.get(key) or [None])
                    for key in ("expect", "also")
                    if row.get(key)
                )
                counts[f"{name} right"] += right
                counts[f"{name} right high"] += right and high
                counts[f"{name} wrong high"] += hit is not None and not right and high
    return totals


def _print_controls(totals: dict[str, Counter]) -> None:
    for group, c in totals.items():
        figures = ", ".join(f"{key} {value}" for key, value in c.items() if key not in ("n", "leaned"))
        print(f"{group}: {c['n']} short questions after another, {c['leaned']} read with it; {figures}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.followups", description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="a JSON-lines follow-up set")
    parser.add_argument("--controls", action="store_true", help="short questions that are no follow-ups")
    args = parser.parse_args(argv)
    if args.controls:
        _print_controls(controls())
        return 0
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
