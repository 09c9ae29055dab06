"""Plain data the knowledge layer hands out."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Passage:
    """One indexed passage of a speech, with where it stands."""

    id: int
    text: str
    source: str  # speech title
    headings: tuple[str, ...]  # heading path, outermost first
    doc: str = ""  # file name the passage came from

    @property
    def section(self) -> str:
        return " > ".join(self.headings)


@dataclass(frozen=True, slots=True)
class Hit:
    """A ranked answer: the passage, its key sentence and its score."""

    text: str
    highlight: str
    source: str
    section: str
    score: float
    passage_id: int
    confidence: str = "high"  # "high" or "low": how sure the knowledge base is that this passage answers
    speech: bool = True  # from the shipped speeches, not a document an administrator added

    def as_dict(self) -> dict:
        return {
            "text": self.text,
            "highlight": self.highlight,
            "source": self.source,
            "section": self.section,
            "score": round(float(self.score), 4),
            "confidence": self.confidence,
        }
