"""What asking the knowledge base gives: the ranking a question gets (``Ranking``) and the answer decided from it
(``Answer``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from knowledge.coverage import Found, Term
from knowledge.decide import DEFAULT, Confidence, Evidence, Thresholds, decide
from knowledge.rules import RuleAnswer
from knowledge.segment import AnalyzedQuery
from knowledge.types import Hit

_NOTHING = Found(0.0, 0.0, 0)  # what a candidate that was not measured contains


@dataclass(frozen=True, slots=True)
class Answer:
    """The result of asking: ranked hits, how sure the answer is and, when a numeric rule applied, its
    conclusion.

    ``confidence`` is "high" (a confident answer), "low" (a tentative one: the closest passage in the speeches,
    which a channel introduces as such, offering the next hits as alternatives) or None (no answer: ``hits`` is
    empty).
    """

    query: str
    hits: list[Hit]
    rule: RuleAnswer | None = None
    confidence: Confidence | None = None
    note: str | None = None  # what a channel says before the passage (the amount asked for is written ×)

    @property
    def answered(self) -> bool:
        return bool(self.hits)

    @property
    def tentative(self) -> bool:
        return bool(self.hits) and self.confidence == "low"

    def as_dict(self) -> dict:
        return {"query": self.query, "answers": [h.as_dict() for h in self.hits]}

    def made_tentative(self) -> Answer:
        """The same answer offered as the closest passage (every hit "low"); a refusal stays a refusal."""
        if not self.hits:
            return self
        hits = [replace(h, confidence="low") for h in self.hits]
        return replace(self, hits=hits, confidence="low")


@dataclass(frozen=True, slots=True)
class Ranking:
    """The candidates for a question, lead first, before any decision: what ``ask`` decides from (and what
    ``bench.qa`` sweeps thresholds over)."""

    query: str
    analyzed: AnalyzedQuery
    ranked: list[tuple[int, float]]  # (passage id, score), lead first; scores never rise down the list
    rule: RuleAnswer | None = None
    found: dict[int, Found] = field(default_factory=dict)  # what each measured candidate contains
    terms: list[Term] = field(default_factory=list)  # the question's content, as coverage measures it
    # The question asks for an amount or a procedure the lead does not state (``knowledge.asks``): at most tentative.
    answer_missing: bool = False
    outline: Confidence | None = None  # the lead is the section the question names by number (``ordinal``)
    # Each candidate's own score, where past questions (``knowledge.asked``) put it above a passage that scored
    # more: the decision reads how strongly the passage itself answers.
    own: dict[int, float] = field(default_factory=dict)
    # The past questions' field score of each candidate it speaks for (``knowledge.asked``; a passage of an added
    # document has none), and the best field score of any passage: what ``FIELD_MODEL`` reads.
    asked: dict[int, float] = field(default_factory=dict)
    asked_best: float = 0.0

    def evidence(self, n: int = 0) -> Evidence:
        """Measures of the ``n``-th candidate (0: the lead) against the question."""
        if n >= len(self.ranked):
            return Evidence()
        passage_id, score = self.ranked[n]
        own = self.own
        if own:
            score = own.get(passage_id, score)
            others = [own.get(i, s) for i, s in self.ranked if i != passage_id]
        else:  # no own scores: each candidate's is its ranked one
            others = [s for i, s in self.ranked if i != passage_id]
        found = self.found.get(passage_id, _NOTHING)
        runner_up = max(others, default=0.0)
        asked = self.asked.get(passage_id)
        share = None if asked is None else asked / self.asked_best if self.asked_best > 0 else 0.0
        return Evidence(
            found.found / found.total if found.total else 0.0,  # ``found.share``
            found.found,
            found.domain,
            score,
            runner_up,
            len(self.terms),
            len(self.query),
            share,
            self.asked_best,
        )

    def confidence(self, thresholds: Thresholds = DEFAULT) -> Confidence | None:
        """How sure an answer led by this ranking is: a numeric rule that applied is sure."""
        if not self.ranked:
            return None
        if self.rule is not None:
            return "high" if self.rule.settled else "low"
        decided = decide(self.evidence(), thresholds)
        if self.outline is not None:
            decided = "high" if self.outline == "high" or decided == "high" else "low"
        return "low" if decided == "high" and self.answer_missing else decided

    def confidence_of(self, n: int, thresholds: Thresholds = DEFAULT) -> Confidence | None:
        """The ``n``-th candidate judged on its own."""
        return decide(self.evidence(n), thresholds)
