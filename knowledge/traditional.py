"""Questions typed in traditional characters (党組織書記怎麼選) read as the simplified speeches are written.

The character table is OpenCC's (``TSCharacters.txt``, shipped in the ``opencc-python-reimplemented`` wheel,
Apache-2.0); only its data file is read, never the package imported. Only characters that are traditional and
never simplified are folded: a character the table also gives as a simplified form (乾, 著, 麼's targets) is left as
it is, so nothing written in simplified Chinese changes. Without the package, questions are left unchanged.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path


@cache
def table() -> dict[int, str]:
    """Traditional character -> its first simplified form (``str.translate`` table), read once."""
    spec = importlib.util.find_spec("opencc")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(next(iter(spec.submodule_search_locations))) / "dictionary" / "TSCharacters.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    pairs = [line.split("\t", 1) for line in lines if "\t" in line]
    simplified = {c for _, targets in pairs for c in targets.split()}
    return {
        ord(trad): targets.split()[0]
        for trad, targets in pairs
        if len(trad) == 1 and trad not in simplified and targets.split()
    }


def fold(text: str) -> str:
    """``text`` with its traditional-only characters in simplified form."""
    if text.isascii():
        return text
    return text.translate(table())
