"""Which passages show a phrase: where ``knowledge.asked`` files each past question (under the passages whose text
or heading path holds one of its expected phrases)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from knowledge.ingest import clean_text
from knowledge.types import Passage


class Shown:
    """Which passages show a phrase (in their text or heading path, as the phrase is or as ingestion cleans it):
    one search of all of them joined, remembered per phrase."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self.passages = passages
        self._text = ""
        self._starts: list[int] = []
        self._ids: list[int] = []
        parts, offset = [], 0
        for p in passages:
            parts.append("\n".join((*p.headings, p.text)))
            self._starts.append(offset)
            self._ids.append(p.id)
            offset += len(parts[-1]) + 1
        self._text = "\x00".join(parts)
        self._memo: dict[str, frozenset[int]] = {}

    def __call__(self, phrase: str) -> frozenset[int]:
        found = self._memo.get(phrase)
        if found is None:
            found = self._memo[phrase] = frozenset(self._find(phrase) | self._find(clean_text(phrase)))
        return found

    def _find(self, phrase: str) -> set[int]:
        out: set[int] = set()
        at = self._text.find(phrase) if phrase else -1
        while at >= 0:
            out.add(self._ids[bisect_right(self._starts, at) - 1])
            at = self._text.find(phrase, at + 1)
        return out
