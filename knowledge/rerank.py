"""Re-ranking the best passages by BM25 with how much of the question each contains.

Each is scored BM25 x ((FLOOR + share) / (FLOOR + 1))^2 x its bonus, where share is the share of the question it
contains (``knowledge.coverage``): a passage that contains all of the question keeps its BM25 score, one that
contains half of it keeps 36%.
"""

from __future__ import annotations

from knowledge.coverage import Found

# The best passages by BM25 re-ranked: always this many (not k), so "其他结果" (k=6) leads with the same passage
# as the first answer (k=3).
CANDIDATES = 10
FLOOR = 0.25


def rerank(
    ranked: list[tuple[int, float]], found: dict[int, Found], bonus: dict[int, float] | None = None
) -> list[tuple[int, float]]:
    """The first ``CANDIDATES`` of ``ranked`` (BM25 order) re-ranked by BM25 x how much of the question they
    contain (x ``bonus``, if any); any further ones after them, re-ranked alike but never above the last of the
    first block."""
    bonus = bonus or {}

    def block(items: list[tuple[int, float]], cap: float) -> list[tuple[int, float]]:
        scored = [
            (i, min(cap, s * bonus.get(i, 1.0) * ((FLOOR + found[i].share) / (FLOOR + 1)) ** 2))
            for i, s in items
        ]
        return sorted(scored, key=lambda x: (-x[1], x[0]))

    head = block(ranked[:CANDIDATES], float("inf"))
    tail = block(ranked[CANDIDATES:], head[-1][1] if head else 0.0)
    return [(i, s) for i, s in head + tail if s > 0]
