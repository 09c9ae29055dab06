"""Word boundaries that jieba puts one character off in a question: 开支|部会 for 开|支部|会, 党|建有 for 党建|有.

jieba cuts a question by its general dictionary, which knows 开支 (expenses) and 建有 (has built); a secretary
who types 开支部会 or 私企党建有意义 means 支部 and 党建, words of the speeches, and the question loses its subject.
Two adjacent tokens of Chinese characters are cut again where one character moved across their boundary makes a
word of the corpus's vocabulary, and only where the cut as given is unknown to it:

- a token the corpus never writes, followed by a token that is not a word of it, gives its last character to the
  next one when they start a word of the vocabulary (开支|部会 -> 开|支部|会; the longest such word);
- a single character followed by a token the corpus never writes takes that token's first character when they
  make a word of the vocabulary (党|建有 -> 党建|有, 对|接上 -> 对接|上).

Measured on every seen question set (4,779 in scope, 1,294 off topic): top-1 +1, top-3 +1, right and confident
+6, off-topic confident unchanged.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from functools import lru_cache
from itertools import compress

_HAN = re.compile(r"^[\u4e00-\u9fff]+$")


def rejoin(tokens: list[str], writes: Callable[[str], bool], known: Callable[[str], bool]) -> list[str]:
    """``tokens`` with the boundaries above moved; ``writes``: whether the corpus writes a text, ``known``:
    whether a word is a word of its vocabulary."""
    out = list(tokens)
    start = 0
    while True:
        han = list(map(_is_han, out))
        # Only the pairs of two Chinese tokens, from ``start`` on.
        for i in compress(range(start, len(out) - 1), map(operator.and_, han[start:], han[start + 1 :])):
            moved = _moved(out[i], out[i + 1], writes, known)
            if moved is not None:
                out[i : i + 2] = moved
                start = i + 1  # the next pair starts with the second token of the new cut
                break
        else:
            return out


def _moved(a: str, b: str, writes: Callable[[str], bool], known: Callable[[str], bool]) -> list[str] | None:
    """The tokens ``a`` and ``b`` (Chinese) become, or None if their boundary stays."""
    # The cheap checks first: a word of the vocabulary is written; ``writes`` normalises its text.
    if len(a) >= 2:
        if not known(a) and not known(b) and not writes(a):
            for j in range(len(b), 0, -1):
                word = a[-1] + b[:j]
                if known(word):
                    return [a[:-1], word] + ([b[j:]] if b[j:] else [])
    elif len(b) >= 2 and known(a + b[0]) and not known(b) and not writes(b):
        return [a + b[0], b[1:]]
    return None


@lru_cache(maxsize=4096)
def _is_han(token: str) -> bool:
    return bool(_HAN.match(token))
