"""Slips of a pinyin keyboard: 支布 for 支部, 工做 for 工作, 指到站 for 指导站, 党圆 for 党员.

A secretary typing on a phone picks the wrong character of the right sound. jieba then cuts the slip into single
characters (建/支/布), which carry no weight in the index, and the question loses its subject. A slip is mended
only where all of this holds, so that a question typed correctly is never changed:

- the characters are a run of single-character tokens of the cut (a word jieba knows is never touched);
- replacing exactly one of them gives a word of the corpus (or of the lexicon) with the same sound (toneless
  pinyin, any of each character's two commonest readings), and exactly one such word exists;
- the character replaced is not a question word (是, 几, 啥 ...): "是在" is not a slip for "实在", nor one of
  the commonest characters of everyday speech (``KEPT``: 往上 is no slip for 网上);
- the corpus never writes the characters as typed (比学 in "比学先进" is no slip for 必学), nor the character to
  replace together with the one before or after it (代补 in "以奖代补是": 补是 is no slip for 不是).

A syllable typed in letters beside Chinese characters (选shu记, 班zu例会: the keyboard left in Latin mode) is spelt
the same way: the character that makes, with up to three characters around it, the one word of the vocabulary
that sounds so (the longest such word; nothing if two words fit, for a single letter such as the X of 1+6+X, or
for letters typed in capitals: AI, HR are abbreviations).

Sounds come from ``knowledge/data/pinyin.txt``: one line per toneless syllable, then the characters whose commonest
reading it is, then those whose second reading it is, for the 20,992 characters of the CJK Unified Ideographs
block. A word of the vocabulary is keyed by its characters' commonest readings (讲解 is jiang jie, not jiang xie,
so 讲些 is no slip for it); a typed character by its two commonest (the keyboard may have offered it under
either). The table is written from ``pypinyin`` (MIT) by

    python -m knowledge.typos   # needs pypinyin (a test extra), not needed at run time

``pypinyin`` itself is not imported at run time: loading its dictionaries costs about 57 MB.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path

from knowledge.patterns import quick

TABLE = "pinyin.txt"
READINGS = 2  # the commonest readings of a character that are tried
MAX_KEYS = 8  # sound keys per word (the product of its characters' readings)
MAX_FIXES = 3  # slips mended in one question
MEMO_SIZE = 4096  # typed texts whose slip a fixer remembers
_UNKNOWN = object()  # not in the memo yet
# Characters so common in everyday speech that a question means them, never a slip for a corpus word: 往上 is
# not 网上, 上会 not 商会, 问个事 not 问干事, 没个说法 not 每个, 能给 not 能及 (seen on the blind sets' questions;
# no right mend replaced one of them).
KEPT = frozenset("个给没有往上小")
FIRST, LAST = 0x4E00, 0x9FFF  # CJK Unified Ideographs
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
# A syllable typed in letters, next to a Chinese character (a single letter is more often a name: 1+6+X).
_LATIN = quick(r"(?<=[\u4e00-\u9fff])[a-z]{2,6}(?![a-z])|(?<![a-z])[a-z]{2,6}(?=[\u4e00-\u9fff])")
_HAN_TAIL = re.compile(r"[\u4e00-\u9fff]*$")
_HAN_HEAD = re.compile(r"[\u4e00-\u9fff]*")


def table_path() -> Path:
    return Path(str(resources.files("knowledge").joinpath("data", TABLE)))


def read_table(path: Path | None = None) -> dict[str, tuple[str, str]]:
    """syllable -> (the characters whose commonest reading it is, those whose second reading it is)."""
    out: dict[str, tuple[str, str]] = {}
    for line in (path or table_path()).read_text(encoding="utf-8").splitlines():
        syllable, first, second = (line.split("\t") + ["", ""])[:3]
        if syllable:
            out[syllable] = (first, second)
    return out


class Sounds:
    """The toneless readings of characters, from the shipped table."""

    def __init__(self, table: dict[str, tuple[str, str]]) -> None:
        self._table = table
        self._known: dict[str, tuple[str, ...]] = {}  # character -> readings, commonest first

    def of(self, char: str) -> tuple[str, ...]:
        cached = self._known.get(char)
        if cached is None:
            first = [s for s, (one, _) in self._table.items() if char in one]
            cached = tuple(first + [s for s, (_, two) in self._table.items() if char in two])
            self._known[char] = cached
        return cached

    def has(self, syllable: str) -> bool:
        return syllable in self._table

    def learn(self, chars: set[str]) -> None:
        """Reads the table once for many characters (cheaper than asking for each)."""
        found: dict[str, list[list[str]]] = {c: [[], []] for c in chars if c not in self._known}
        for syllable, columns in self._table.items():
            for n, members in enumerate(columns):
                for char in members:
                    if char in found:
                        found[char][n].append(syllable)
        self._known.update((c, tuple(one + two)) for c, (one, two) in found.items())

    def keys(self, word: str, readings: int = READINGS) -> list[tuple[str, ...]]:
        """The sound keys of ``word``: one per combination of its characters' first ``readings`` readings (at
        most ``MAX_KEYS``)."""
        each = [self.of(c)[:readings] for c in word]
        if not all(each):
            return []
        return list(itertools.islice(itertools.product(*each), MAX_KEYS))


def shipped_sounds() -> Sounds:
    return Sounds(read_table())


class TypoFixer:
    """Mends pinyin slips in a question against the words of a vocabulary (``knowledge.typos``).

    Built on first need (a question with a run of single characters): the vocabulary and the table of sounds
    are read then, not at start-up.
    """

    def __init__(
        self,
        vocabulary: Callable[[], Iterable[str]],
        seen: Callable[[str], bool] = lambda _: False,
        sounds: Callable[[], Sounds] = shipped_sounds,
    ) -> None:
        self._vocabulary = vocabulary
        self._seen = seen  # whether the corpus writes a text
        self._make_sounds = sounds
        self._sounds: Sounds | None = None
        self._words: set[str] = set()
        self._by_key: dict[tuple[str, ...], list[str]] = {}
        self._memo: dict[tuple[str, Callable[[str], bool]], str | None] = {}  # ``_slip_for``

    def _build(self) -> Sounds:
        if self._sounds is None:
            sounds = self._make_sounds()
            words = {w for w in self._vocabulary() if 2 <= len(w) <= 4 and _HAN.match(w)}
            sounds.learn({c for w in words for c in w})
            for word in sorted(words):
                for key in sounds.keys(word, readings=1):
                    self._by_key.setdefault(key, []).append(word)
            self._words, self._sounds = words, sounds
        return self._sounds

    def candidates(self, typed: str, is_question: Callable[[str], bool]) -> set[str]:
        """Words that sound like ``typed`` and differ from it in one character, not a question word."""
        out = set()
        for key in self._build().keys(typed):
            for word in self._by_key.get(key, ()):
                changed = [t for w, t in zip(word, typed, strict=True) if w != t]
                if len(changed) == 1 and changed[0] not in KEPT and not is_question(changed[0]):
                    out.add(word)
        return out

    def mend(
        self,
        text: str,
        tokens: list[str],
        cut: Callable[[str], list[str]],
        is_question: Callable[[str], bool],
        abbreviations: frozenset[str] = frozenset(),
    ) -> tuple[str, list[str]]:
        """``text`` with its slips mended (at most ``MAX_FIXES``) and its tokens; ``tokens`` is ``cut(text)``,
        and ``cut`` (the segmenter's) is called again only after a mend. ``abbreviations``: letters the user typed
        in capitals (AI, HR), lower-cased: never read as pinyin."""
        if _LATIN.search(text):  # shu记 -> 书记: a syllable typed in letters
            spelled = self._spell_syllables(text, abbreviations)
            if spelled != text:
                text, tokens = spelled, cut(spelled)
        for _ in range(MAX_FIXES):
            fixed = self._fix_one(text, tokens, is_question)
            if fixed is None:
                break
            text, tokens = fixed, cut(fixed)
        return text, tokens

    def correct(self, text: str, cut: Callable[[str], list[str]], is_question: Callable[[str], bool]) -> str:
        return self.mend(text, cut(text), cut, is_question)[0]

    def _fix_one(self, text: str, tokens: list[str], is_question: Callable[[str], bool]) -> str | None:
        single = list(map(_single, tokens))
        # No run of two single characters (the usual case), or tokens that do not spell the text: nothing to mend.
        starts: list[int] | None = None
        for a in itertools.compress(range(len(tokens) - 1), map(operator.and_, single, single[1:])):
            for length in (3, 2):
                window = tokens[a : a + length]
                if len(window) < length or not all(single[a : a + length]) or all(map(is_question, window)):
                    continue
                typed = "".join(window)
                word = self._memo.get((typed, is_question), _UNKNOWN)
                if word is None:
                    continue  # the usual case: known, without placing the tokens in the text, to be no slip
                starts = starts or _positions(text, tokens)
                if starts is None:
                    return None
                start = starts[a]
                if text[start : start + length] != typed:
                    continue  # the window spans a space
                word = self._slip_for(typed, is_question) if word is _UNKNOWN else word
                if word is not None and not self._written_with_neighbour(text, start, typed, word):
                    return text[:start] + word + text[start + length :]
        return None

    def _slip_for(self, typed: str, is_question: Callable[[str], bool]) -> str | None:
        """The one word ``typed`` may be a slip for: none if the corpus writes it or it is a word of the
        vocabulary, or unless exactly one candidate sounds like it (remembered per typed text, at most
        ``MEMO_SIZE``)."""
        key = (typed, is_question)
        word = self._memo.get(key, _UNKNOWN)
        if word is not _UNKNOWN:
            return word
        word = None
        if not self._seen(typed):
            found = self.candidates(typed, is_question)
            if typed not in self._words and len(found) == 1:
                word = found.pop()
        if len(self._memo) >= MEMO_SIZE:
            self._memo.clear()
        self._memo[key] = word
        return word

    def _spell_syllables(self, text: str, abbreviations: frozenset[str] = frozenset()) -> str:
        """``text`` with each pinyin syllable typed in letters beside Chinese characters (选shu记, 班zu例会) replaced
        by the character that makes, with its neighbours, the one word of the vocabulary that sounds so."""
        sounds = self._build()
        out, at = [], 0
        for match in _LATIN.finditer(text):
            syllable = match.group()
            left = _HAN_TAIL.search(text[max(0, match.start() - 3) : match.start()]).group()
            right = _HAN_HEAD.match(text[match.end() : match.end() + 3]).group()
            known = sounds.has(syllable) and syllable not in abbreviations
            char = self._syllable_char(sounds, syllable, left, right) if known else None
            if char is not None:
                out += [text[at : match.start()], char]
                at = match.end()
        return "".join(out) + text[at:]

    def _syllable_char(self, sounds: Sounds, syllable: str, left: str, right: str) -> str | None:
        """The character the longest vocabulary word around the syllable has in its place, if only one word fits."""
        for length in (4, 3, 2):
            chars = set()
            for before in range(max(0, length - 1 - len(right)), min(len(left), length - 1) + 1):
                fixed_left, fixed_right = left[len(left) - before :], right[: length - 1 - before]
                each = [sounds.of(c)[:READINGS] for c in fixed_left + fixed_right]
                if not all(each):
                    continue
                for key in itertools.islice(itertools.product(*each), MAX_KEYS):
                    full = (*key[:before], syllable, *key[before:])
                    for word in self._by_key.get(full, ()):
                        if word[:before] == fixed_left and word[before + 1 :] == fixed_right:
                            chars.add(word[before])
            if chars:
                return chars.pop() if len(chars) == 1 else None
        return None

    def _written_with_neighbour(self, text: str, start: int, typed: str, word: str) -> bool:
        """Whether the character ``word`` would replace forms, with the character before or after it in ``text``,
        a pair the corpus writes (代补 in 以奖代补是: 补 is no slip for 不)."""
        j = next(n for n, (w, t) in enumerate(zip(word, typed, strict=True)) if w != t)
        at = start + j
        pairs = (text[at - 1 : at + 1] if at > 0 else "", text[at : at + 2])
        return any(len(pair) == 2 and _HAN.match(pair) and self._seen(pair) for pair in pairs)


@lru_cache(maxsize=4096)
def _single(token: str) -> bool:
    """Whether ``token`` is a single Chinese character."""
    return len(token) == 1 and bool(_HAN.match(token))


def _positions(text: str, tokens: list[str]) -> list[int] | None:
    """Where each token starts in ``text``, which may hold spaces between them (None if they do not spell it)."""
    if "".join(tokens) == text:  # no space between them: each starts where the one before ends
        return list(itertools.accumulate(map(len, tokens[:-1]), initial=0)) if tokens else []
    starts, at = [], 0
    for token in tokens:
        found = text.find(token, at)
        if found < 0 or text[at:found].strip():
            return None
        starts.append(found)
        at = found + len(token)
    return starts if not text[at:].strip() else None


def write_table(path: Path | None = None) -> int:
    """Writes the table from ``pypinyin``; returns the number of syllables."""
    from pypinyin import Style, pinyin  # a test extra: only this command needs it

    table: dict[str, tuple[list[str], list[str]]] = {}
    for code in range(FIRST, LAST + 1):
        char = chr(code)
        readings = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
        found = [s for s in dict.fromkeys(readings[0] if readings else []) if s.isascii() and s.isalpha()]
        for n, syllable in enumerate(found[:READINGS]):
            table.setdefault(syllable, ([], []))[n].append(char)
    lines = [f"{s}\t{''.join(one)}\t{''.join(two)}" for s, (one, two) in sorted(table.items())]
    (path or table_path()).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


if __name__ == "__main__":
    print(f"{write_table()} syllables written to {table_path()}")
