"""Fit the confidence model of ``knowledge.decide`` on question sets, and show its trade-off on sets left out.

    python -m bench.calibrate tests/data/qa_in_scope.jsonl tests/data/qa_off_topic.jsonl ...
    python -m bench.calibrate --field

Each question's lead passage gives ``Evidence.features``; the label is "in scope and the lead is right". A logistic
regression (standardised features, a little L2, plain gradient descent) is fitted on every question given and
printed as the lines of ``knowledge/decide.py``. Then each set is left out in turn (a set: the files of one name
before the first "_", qa16_tune and qa16_valid -> qa16): its questions are judged by a model fitted on the other
sets, and for each threshold the table prints right and confident, wrong and confident, and off-topic questions
answered confidently, with ``knowledge.decide.DEFAULT`` (the model in the code, fitted on what it judges) first.

``--field`` fits ``FIELD_MODEL``, the model of a lead the past questions' field speaks for, on the blind sets'
tuning halves (``tests/data/qa*_tune.jsonl``, in scope and off topic), each half judged with a field built from
the other halves (``bench.asked.others_fields``): the shipped field holds the tuning halves' own questions, which
would make every one of them look sure. The table then sweeps ``field_high``; the first model stays as it is.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.qa import Case, cases, load_set
from knowledge.base import KnowledgeBase
from knowledge.decide import DEFAULT, FEATURES, FIELD_FEATURES, MIN_MATCHED, Model, Thresholds

L2 = 1e-3
STEPS = 4000
RATE = 0.5


def labelled(kb: KnowledgeBase, paths: list[Path]) -> tuple[list[Case], list[str]]:
    """Each question's case and the name of its set."""
    out: list[Case] = []
    names: list[str] = []
    for path in paths:
        found = cases(kb, load_set(path))
        out += found
        names += [path.stem.split("_")[0]] * len(found)
    return out, names


def consulted(case: Case) -> bool:
    """Whether the model decides this question: a lead, no numeric rule, and enough weight (``decide``)."""
    r = case.ranking
    if not r.ranked or r.rule is not None:
        return False
    evidence = r.evidence()
    return evidence.matched >= MIN_MATCHED or evidence.domain > 0


def by_field(case: Case) -> bool:
    """Whether the field model judges this question: the model decides and the field speaks for the lead."""
    return consulted(case) and case.ranking.evidence().field_share is not None


def with_fields(kb: KnowledgeBase, folder: Path | None = None) -> tuple[list[Case], list[str]]:
    """Each tuning half's cases (of ``folder``, default ``tests/data``) under the field of the other halves, and
    the name of its set."""
    from bench.asked import DATA, others_fields

    out: list[Case] = []
    names: list[str] = []
    for path, rows, field in others_fields(kb, folder or DATA):
        kb._asked = field
        found = cases(kb, rows)
        out += found
        names += [path.stem.split("_")[0]] * len(found)
    return out, names


def matrix(cases_: list[Case], field: bool = False) -> tuple[np.ndarray, np.ndarray]:
    evidence = [c.ranking.evidence() for c in cases_]
    x = np.array([e.field_features if field else e.features for e in evidence], dtype=float)
    y = np.array([1.0 if c.in_scope and c.right and c.right[0] else 0.0 for c in cases_])
    return x, y


def fit(x: np.ndarray, y: np.ndarray) -> Model:
    """Logistic regression on standardised features, returned in the features' own units."""
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / std])
    w = np.zeros(z.shape[1])
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        w -= RATE * (z.T @ (p - y) / len(y) + L2 * np.r_[0.0, w[1:]])
    weights = w[1:] / std
    return Model(tuple(round(float(v), 4) for v in weights), round(float(w[0] - (mean * weights).sum()), 4))


def outcomes(cases_: list[Case], thresholds: list[Thresholds]) -> Counter:
    c: Counter = Counter()
    for case, t in zip(cases_, thresholds, strict=True):
        confidence = case.ranking.confidence(t)
        if case.in_scope:
            right = bool(case.right) and case.right[0]
            c["in"] += 1
            c["right_high"] += confidence == "high" and right
            c["wrong_high"] += confidence == "high" and not right
        else:
            c["off"] += 1
            c["off_high"] += confidence == "high"
    return c


def row(label: str, c: Counter) -> str:
    n, off = c["in"] or 1, c["off"] or 1
    return (
        f"{label:<22} {c['right_high']:>5} {100 * c['right_high'] / n:5.1f}%  {c['wrong_high']:>5}  "
        f"{c['off_high']:>5} {100 - 100 * c['off_high'] / off:5.1f}%"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.calibrate", description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", type=Path, help="JSON-lines question sets (bench.qa's format)")
    parser.add_argument("--field", action="store_true", help="fit FIELD_MODEL on the tuning halves instead")
    args = parser.parse_args(argv)
    if not args.field and not args.sets:
        parser.error("name the question sets, or give --field")
    kb = KnowledgeBase.default()
    cases_, names = with_fields(kb) if args.field else labelled(kb, args.sets)
    used = np.array([(by_field if args.field else consulted)(c) for c in cases_])
    x, y = matrix(cases_, args.field)
    x, y, fit_names = x[used], y[used], [n for n, u in zip(names, used, strict=True) if u]
    model = fit(x, y)
    prefix = "FIELD_" if args.field else ""
    print(
        f"{len(cases_)} questions, {len(y)} decided by the model, {int(y.sum())} of them with the right lead"
    )
    print(f"features: {', '.join(FIELD_FEATURES if args.field else FEATURES)}")
    print(f"{prefix}WEIGHTS = {model.weights}\n{prefix}INTERCEPT = {model.intercept}\n")
    if len(set(fit_names)) < 2:
        print("the held-out table needs questions of at least two sets (qa2_tune, qa3_tune, ...)")
        return 0
    held_out: dict[str, Model] = {}
    for name in sorted(set(names)):
        keep = np.array([n != name for n in fit_names])
        fitted = fit(x[keep], y[keep])
        held_out[name] = Model(fitted.weights, fitted.intercept, field=args.field)
    print(f"{'threshold':<22} {'right & confident':>13}  {'wrong conf.':>5}  {'off-topic conf. / not':>5}")
    # The first model's table judges every lead by the first model, as a knowledge base without past questions
    # does (a ``field_model`` over the first features, at the same threshold).
    default = DEFAULT if args.field else replace(DEFAULT, field_model=DEFAULT.model, field_high=None)
    print(row(f"DEFAULT {default}", outcomes(cases_, [default] * len(cases_))))
    for high in np.arange(0.40, 0.8001, 0.025):
        if args.field:
            grid = [replace(DEFAULT, field_high=float(high), field_model=held_out[n]) for n in names]
        else:
            grid = [
                replace(default, high=float(high), model=held_out[n], field_model=held_out[n]) for n in names
            ]
        print(row(f"held out p>={high:.3f}", outcomes(cases_, grid)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
