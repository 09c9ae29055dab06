"""Where the generator's choices come from: one interface, two implementations.

The generator (``tests.fuzz.actions``, ``tests.fuzz.junk``) only calls :class:`Source`'s methods, so the same
code drives the hypothesis test (choices drawn from ``st.data()``, replayable with ``derandomize=True``)
and the long run of ``bench/fuzz.py`` (a seeded ``random.Random``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

# Code points a random string is made of (surrogates excluded: they cannot travel as UTF-8 JSON).
_RANGES: tuple[tuple[int, int, int], ...] = (  # (first, last, weight)
    (0x20, 0x7E, 30),  # ASCII
    (0x00, 0x1F, 4),  # C0 controls, NUL included
    (0x7F, 0x9F, 1),  # DEL, C1 controls
    (0xA0, 0x24F, 4),  # Latin-1, Latin extended ('²' is U+00B2)
    (0x300, 0x36F, 2),  # combining marks
    (0x590, 0x6FF, 3),  # Hebrew, Arabic ('٣' is U+0663)
    (0x200B, 0x202E, 3),  # zero-width characters, LRM/RLM, bidi overrides
    (0x2070, 0x209F, 2),  # super- and subscripts
    (0x3000, 0x303F, 2),  # CJK punctuation
    (0x4E00, 0x9FFF, 25),  # CJK
    (0xFF00, 0xFFEF, 3),  # full-width forms ('１')
    (0xFFF0, 0xFFFF, 1),  # specials (BOM-like, U+FFFF)
    (0x1F300, 0x1FAFF, 6),  # emoji
    (0xE0000, 0xE007F, 1),  # tags
)


class Source(Protocol):
    def integer(self, low: int, high: int) -> int:
        """An integer in ``[low, high]``."""
        ...

    def unicode(self, max_size: int) -> str:
        """Any string of at most ``max_size`` code points (no surrogates)."""
        ...


def choice(source: Source, items: Sequence[T]) -> T:
    return items[source.integer(0, len(items) - 1)]


def weighted(source: Source, pairs: Sequence[tuple[T, int]]) -> T:
    total = sum(w for _, w in pairs)
    point = source.integer(0, total - 1)
    for item, weight in pairs:
        if point < weight:
            return item
        point -= weight
    raise AssertionError("unreachable")


def chance(source: Source, percent: int) -> bool:
    return source.integer(0, 99) < percent


class RandomSource:
    """Choices from a seeded ``random.Random`` (``bench/fuzz.py``)."""

    def __init__(self, seed: int | str = 0) -> None:
        self.rng = random.Random(seed)
        self._weights = [w for _, _, w in _RANGES]

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def unicode(self, max_size: int) -> str:
        size = self.rng.randint(0, max_size)
        ranges = self.rng.choices(_RANGES, weights=self._weights, k=size)
        return "".join(chr(self.rng.randint(first, last)) for first, last, _ in ranges)


class HypothesisSource:
    """Choices drawn by hypothesis (the test): replayable, and hypothesis explores the edges.

    ``draw`` is the ``draw`` of an ``@st.composite`` strategy (or ``st.data()``'s ``draw``)."""

    def __init__(self, draw: Callable[[Any], Any]) -> None:
        from hypothesis import strategies as st

        self._draw = draw
        self._st = st
        self._integers: dict[tuple[int, int], Any] = {}
        self._texts: dict[int, Any] = {}

    def integer(self, low: int, high: int) -> int:
        strategy = self._integers.get((low, high))
        if strategy is None:
            strategy = self._integers[(low, high)] = self._st.integers(low, high)
        return self._draw(strategy)

    def unicode(self, max_size: int) -> str:
        strategy = self._texts.get(max_size)
        if strategy is None:
            alphabet = self._st.characters(codec="utf-8")  # surrogates cannot be UTF-8
            strategy = self._texts[max_size] = self._st.text(alphabet, max_size=max_size)
        return self._draw(strategy)
