"""How sure an answer is: confident, tentative ("the closest passage"), or none at all.

The ranking always finds a closest passage; whether to offer it, and how, is decided here from a few measures of
how well that passage matches the question (``Evidence``):

- **high** (a confident answer): the calibrated chance that the lead is the right passage (``probability``, a
  logistic model of the lead's coverage of the question, how far its score stands out from the next passage's,
  its score, the question's terms, length and domain words) is at least ``high``; and what the lead contains
  weighs at least ``MIN_MATCHED`` idf units (or it contains a domain word of the question): below that weight it is
  at most tentative, and only when it holds at least ``low`` of the question and stands out by ``STANDOUT`` (a
  speech's own frequent term: 能力提升年), or holds all of it and weighs at least half ``MIN_MATCHED`` (a bare 书记,
  not a bare 党员);
- **low** (a tentative answer, "讲话中最接近的内容是…"): it contains at least ``low`` of the question (idf-weighted,
  ``knowledge.coverage``), or the question uses at least one word of the domain dictionary that the passage
  contains;
- otherwise **none**: the question is outside the speeches (weather, cooking, programming).

The model's weights are fitted by ``python -m bench.calibrate`` on every seen question set, which also prints the
trade-off of each threshold measured on sets left out of the fit (tests/data/README.md). A lead of the shipped
speeches, when there are past questions (``knowledge.asked``), is judged by a second model (``FIELD_MODEL``) that
also reads how the past questions like this one point at it: its share of their best passage's field score, and
that best score. It is fitted by ``python -m bench.calibrate --field`` on the blind sets' tuning halves, each
half's questions judged with a field built without them (as a question nobody asked before meets the field). A
lead of an added document, or a knowledge base without past questions, keeps the first model. A numeric rule that
applies (``knowledge.rules``) is always confident: it read the user's own numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from operator import mul
from typing import Literal

Confidence = Literal["high", "low"]

# What the lead passage contains of the question must weigh at least this much (idf units): one generic word
# is not an answer.
MIN_MATCHED = 2.0
WHOLE = 0.999  # the lead holds every content word of the question
STANDOUT = 3.0  # a lead whose score is this many times the next passage's stands out

# The calibrated model (logistic regression; ``python -m bench.calibrate`` fits it and prints these lines): the
# weight of each of ``Evidence.features``, and the intercept.
FEATURES = ("coverage", "log ratio", "log score", "terms", "log length", "domain")
WEIGHTS = (2.198, 0.8522, 0.9291, 0.1437, 0.4079, 0.3728)
INTERCEPT = -5.1796
# The question's length counts up to this many characters: the sets the model was fitted on hold questions of at
# most 52, and a long paste of filler must not make an answer look surer than the questions it was fitted on.
MAX_LENGTH = 60

# The model of a lead the past questions' field can speak for (``Evidence.field_share`` is not None): the first
# model's features, then the lead's share of the best field score and log(1 + that best score). Fitted on qa..qa23's
# tuning halves (qa24 then measured it blind against the fit on qa..qa21: tests/data/README.md) by
# ``python -m bench.calibrate --field``.
FIELD_FEATURES = (*FEATURES, "field share", "log field best")
FIELD_WEIGHTS = (4.1144, 0.2123, 0.0985, -0.013, -0.4246, -0.2457, 2.8644, 2.4084)
FIELD_INTERCEPT = -10.8443


@dataclass(frozen=True, slots=True)
class Evidence:
    """Measures of the lead passage against the question."""

    coverage: float = 0.0  # idf-weighted share of the question's content words the lead contains
    matched: float = 0.0  # what it contains, in idf units
    domain: int = 0  # domain-dictionary words of the question the lead contains
    score: float = 0.0  # the lead's BM25 score (words + 0.5 x bigrams)
    runner_up: float = 0.0  # the next passage's BM25 score
    terms: int = 0  # the question's content terms (``knowledge.coverage``)
    length: int = 0  # the question's characters
    # The lead's field score over the best passage's (``knowledge.asked``), None when the field does not speak for
    # the lead (a passage of an added document, or no past questions at all); and that best score.
    field_share: float | None = None
    field_best: float = 0.0

    @property
    def ratio(self) -> float:
        """Lead score over runner-up score (how clearly the lead stands out); 10 when there is none."""
        return min(10.0, self.score / self.runner_up) if self.runner_up > 0 else 10.0

    @property
    def features(self) -> tuple[float, ...]:
        """The model's inputs, in the order of ``FEATURES``."""
        return (
            self.coverage,
            math.log(max(self.ratio, 1e-6)),
            math.log1p(max(self.score, 0.0)),
            float(min(self.terms, 10)),
            math.log(min(max(self.length, 1), MAX_LENGTH)),
            float(min(self.domain, 3)),
        )

    @property
    def field_features(self) -> tuple[float, ...]:
        """``FIELD_MODEL``'s inputs, in the order of ``FIELD_FEATURES``."""
        return (*self.features, self.field_share or 0.0, math.log1p(max(self.field_best, 0.0)))


@dataclass(frozen=True, slots=True)
class Model:
    """A logistic model over ``Evidence.features`` (``field``: over ``Evidence.field_features``)."""

    weights: tuple[float, ...]
    intercept: float
    field: bool = False

    def probability(self, evidence: Evidence) -> float:
        """The calibrated chance that the lead is the passage that answers the question."""
        x = evidence.field_features if self.field else evidence.features
        if len(x) != len(self.weights):
            raise ValueError(f"{len(x)} features for {len(self.weights)} weights")
        z = self.intercept + sum(map(mul, self.weights, x))  # the products added in order, from 0
        if z != z:  # NaN: a model fitted on nothing is sure of nothing
            return 0.0
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


MODEL = Model(WEIGHTS, INTERCEPT)
FIELD_MODEL = Model(FIELD_WEIGHTS, FIELD_INTERCEPT, field=True)


@dataclass(frozen=True, slots=True)
class Thresholds:
    high: float  # the calibrated probability for a confident answer
    low: float  # coverage for a tentative one
    model: Model = MODEL
    field_model: Model = FIELD_MODEL
    field_high: float | None = None  # ``field_model``'s probability for a confident answer (None: ``high``)

    def __str__(self) -> str:
        field = "" if self.field_high is None else f" field p>={self.field_high:.3f}"
        return f"p>={self.high:.3f}{field} low>={self.low:.2f}"

    def sure(self, evidence: Evidence) -> bool:
        """Whether the lead's calibrated chance reaches the threshold of the model that judges it."""
        if evidence.field_share is None:
            return self.model.probability(evidence) >= self.high
        high = self.high if self.field_high is None else self.field_high
        return self.field_model.probability(evidence) >= high


# p >= 0.625: on every question seen by stop 16 (4,779 in scope, 1,294 off topic), each set's questions judged by a
# model fitted on the other sets, 81.3% right and confident (the coverage thresholds before it: 79.6%), 203 wrong
# and confident (232) and 92.8% of off-topic questions not confident (93.4%): the lowest threshold with fewer
# confident wrong answers than before and at least 92.5% of off-topic questions not confident.
# field p >= 0.725: on the blind sets' tuning halves qa..qa23 (3,394 in scope, 954 off topic), each judged with a
# field built without it and by a field model fitted on the other halves, 87.9% right and confident (the first
# model alone: 83.4%), 66 wrong and confident (67) and 95.2% of off-topic questions not confident (93.2%): chosen by
# the same rule. On qa24, never seen (266 in scope, 89 off topic), against the fit on qa..qa21 at 0.775: 233
# (230) right and confident, 3 (3) wrong and confident, 83/89 (83/89) off topic not confident.
DEFAULT = Thresholds(high=0.625, low=0.25, field_high=0.725)


def decide(evidence: Evidence, thresholds: Thresholds = DEFAULT) -> Confidence | None:
    """ "high", "low" or None (no answer) for the lead passage described by ``evidence``."""
    if evidence.matched < MIN_MATCHED and not evidence.domain:
        # Too little weight to be sure of (a speech's own frequent term, such as its theme, weighs little):
        # tentative when the lead holds the question's content and stands out from every other passage, or holds
        # all of it and it weighs at least half the minimum (书记: the speeches do speak of it, so "没有找到"
        # would be false; a bare 党员 or 企业 weighs less and is refused). Measured on every seen set: top-1 +2,
        # top-3 +4, off-topic unchanged.
        stands_out = evidence.ratio >= STANDOUT
        whole = evidence.coverage >= WHOLE and evidence.matched >= MIN_MATCHED / 2
        return "low" if (evidence.coverage >= thresholds.low and stands_out) or whole else None
    if thresholds.sure(evidence):
        return "high"
    if evidence.coverage >= thresholds.low or evidence.domain > 0:
        return "low"
    return None
