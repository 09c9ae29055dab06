"""A question's colloquial words and the speech terms they stand for: 老板 -> 出资人 (the lexicon, ``knowledge.lexicon``).

``Segmenter.analyze`` finds the lexicon's colloquial keys in a question, longest first, and adds each key's speech
terms to the query's ranking words and bigrams at the entry's weight; the key itself becomes a content word
whose synonyms are those terms (coverage: a passage that writes any of them contains it).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from itertools import compress, count

from knowledge.textforms import bigrams, is_question_token, is_term

COLLOQUIAL_WEIGHT = 0.5
MEMO_SIZE = 4096  # words whose pieces are remembered

# One key of the lexicon as a question uses it: its speech terms and weight, the pieces of the key that its
# weight caps (None when the entry names the key among its speech terms), whether the key is a question word,
# and the index terms and bigrams of its speech terms.
_Entry = tuple[
    tuple[str, ...], float, tuple[list[str], list[str]] | None, bool, tuple[str, ...], tuple[str, ...]
]


class Colloquial:
    """The colloquial keys of a lexicon table (colloquial spelling -> (speech terms, weight)), cut by
    ``cut_for_search`` (the segmenter's, so that they are cut as the index is)."""

    def __init__(
        self, synonyms: dict[str, tuple[tuple[str, ...], float]], cut_for_search: Callable[[str], list[str]]
    ) -> None:
        self.synonyms = synonyms
        self._cut = cut_for_search
        # Longest first, so 民营企业 wins over 民营.
        self._rank = {key: n for n, key in enumerate(sorted(synonyms, key=len, reverse=True))}
        # The lengths of the keys that start with each pair of characters, longest first: a query is scanned
        # once, each pair it holds testing only the lengths a key starting with it can have.
        self._key_lengths: dict[str, tuple[int, ...]] = {}
        for key in self._rank:
            if len(key) >= 2:
                lengths = self._key_lengths.get(key[:2], ())
                self._key_lengths[key[:2]] = lengths + ((len(key),) if len(key) not in lengths else ())
        self._entries: dict[str, _Entry] = {}
        self._word_pieces: dict[str, tuple[list[str], list[str]]] = {}

    def keys_in(self, text: str) -> list[str]:
        """The colloquial keys that occur in ``text``, longest first (so 民营企业 wins over 民营)."""
        found = set()
        synonyms, key_lengths = self.synonyms, self._key_lengths
        pairs = list(map(operator.add, text, text[1:]))
        # Where a key may start; a slice cut short by the end of the text is a key only if it is one of the
        # shorter keys tried there anyway.
        for i in compress(count(), map(key_lengths.__contains__, pairs)):
            for length in key_lengths[pairs[i]]:
                key = text[i : i + length]
                if key in synonyms:
                    found.add(key)
        return sorted(found, key=self._rank.__getitem__)  # the rank is longest first

    def _entry(self, key: str) -> _Entry:
        """What a question uses of ``key`` (cut once per key of the lexicon, not once per question)."""
        cached = self._entries.get(key)
        if cached is None:
            formal, weight = self.synonyms[key]
            cut = (w for term in formal for w in self._cut(term))
            cached = self._entries[key] = (
                formal,
                weight,
                None if key in formal else self.pieces(key),
                is_question_token(key),
                tuple(dict.fromkeys(w for w in cut if is_term(w))),
                tuple(dict.fromkeys(g for term in formal for g in bigrams(term))),
            )
        return cached

    def pieces(self, word: str) -> tuple[list[str], list[str]]:
        """``cut_for_search`` and the bigrams of ``word``, cut once per word (a bounded memo)."""
        cached = self._word_pieces.get(word)
        if cached is None:
            if len(self._word_pieces) >= MEMO_SIZE:
                self._word_pieces.clear()
            cached = self._word_pieces[word] = (self._cut(word), bigrams(word))
        return cached

    def cap(self, word: str, weight: float, words: dict[str, float], grams: dict[str, float]) -> None:
        """The terms and bigrams of ``word`` weigh at most ``weight`` in the ranking."""
        cut, pairs = self.pieces(word)
        _lower(cut, weight, words)
        _lower(pairs, weight, grams)

    def expand(
        self,
        text: str,
        tokens: list[str],
        domain_words: frozenset[str],
        words: dict[str, float],
        grams: dict[str, float],
        content: list[str],
    ) -> dict[str, tuple[str, ...]]:
        """Adds the formal synonyms of the colloquial words in ``text`` (cut into ``tokens``) to ``words``/
        ``grams`` (and the colloquial words to ``content``); returns content word -> formal synonyms. A key
        inside one of the ``domain_words`` the question holds is not looked at (``_masked``)."""
        expansions: dict[str, tuple[str, ...]] = {}
        keys = self.keys_in(text)
        if not keys:
            return expansions
        remaining = _masked(text, tokens, domain_words)
        entries = self._entries
        for key in keys:
            if key not in remaining:
                continue
            remaining = remaining.replace(key, " ")
            formal, weight, capped, asks, term_words, term_grams = entries.get(key) or self._entry(key)
            expansions[key] = formal
            # The colloquial spelling itself is weak evidence: where the speeches use it, it is in passing; unless
            # the entry names it among its speech terms (宣传 -> 宣讲, 宣传, 宣传员): then it is the speeches' word.
            if capped is not None:
                _lower(capped[0], COLLOQUIAL_WEIGHT, words)
                _lower(capped[1], COLLOQUIAL_WEIGHT, grams)
            if not asks and key not in content:
                content.append(key)
            _raise(term_words, weight, words)
            _raise(term_grams, weight, grams)
        # A content word inside a longer colloquial key (民营 in 民营企业, 党员 in 没党员) is that key's: the key
        # stands for the phrase, with its speech terms. (Content words hold no line break: a question's control
        # characters are removed first.)
        keys_text = "\n".join(expansions)
        content[:] = [w for w in content if w in expansions or w not in keys_text]
        return expansions


def _masked(text: str, tokens: list[str], domain_words: frozenset[str]) -> str:
    """``text`` with its domain words (三会一课, 两代表一委员) blanked: a colloquial key inside one (三会, 两代表)
    is part of a term the speeches use, not a colloquial word. ``tokens``: the cut of ``text``."""
    if domain_words.isdisjoint(tokens):
        return text
    for token in tokens:
        if len(token) > 2 and token in domain_words:
            text = text.replace(token, " ")
    return text


def _lower(items: Iterable[str], weight: float, weights: dict[str, float]) -> None:
    """Each of ``items`` already in ``weights`` weighs at most ``weight``."""
    for item in items:
        if item in weights and weight < weights[item]:
            weights[item] = weight


def _raise(items: Iterable[str], weight: float, weights: dict[str, float]) -> None:
    """Each of ``items`` is in ``weights``, weighing at least ``weight``; a new one weighs ``max(0.0, weight)``."""
    get = weights.get
    floor = weight if weight > 0.0 else 0.0
    for item in items:
        value = get(item)
        if value is None:
            weights[item] = floor
        elif weight > value:
            weights[item] = weight
