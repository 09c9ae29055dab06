r"""Regular expressions that find the same matches faster: ``quick`` puts a pattern behind a lookahead of the
characters its matches can start with; ``opening`` finds whether a text holds one of them at all.

Python's ``re`` tries every alternative of a pattern such as ``frames._FRAMES`` at every position of a question;
a leading ``(?=[...])`` of the possible first characters fails at most positions in one test. The characters are
read from the parsed pattern, so an edit of the pattern can never leave them stale; a pattern whose first
character is not a short list of known characters (a class such as ``[\u4e00-\u9fff]``, a back-reference, a
pattern that can match the empty string, a flag such as IGNORECASE) is compiled as it is.
"""

from __future__ import annotations

import re

try:  # the parser behind ``re`` (Python 3.11 on); without it, patterns are compiled as they are
    from re import _constants as c  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    _parser = None

MAX_RANGE = 64  # characters of a range that are listed one by one


class _Unknown(Exception):
    """The first characters of a pattern cannot be listed."""


def _class_chars(items: list) -> set[str]:
    chars: set[str] = set()
    for op, av in items:
        if op is c.LITERAL:
            chars.add(chr(av))
        elif op is c.RANGE and av[1] - av[0] < MAX_RANGE:
            chars.update(map(chr, range(av[0], av[1] + 1)))
        else:
            raise _Unknown  # a negated class, a category (\d, \s), a long range
    return chars


def _first(items) -> tuple[set[str], bool]:
    """The characters a match of ``items`` (a parsed sequence) can start with, and whether it can be empty."""
    chars: set[str] = set()
    for op, av in items:
        if op is c.LITERAL:
            return chars | {chr(av)}, False
        if op is c.IN:
            return chars | _class_chars(av), False
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # zero-width: the next item consumes the first character
        if op is c.SUBPATTERN:
            found, empty = _first(av[-1])
        elif op is c.BRANCH:
            parts = [_first(alternative) for alternative in av[1]]
            found = set().union(*(p[0] for p in parts))
            empty = any(p[1] for p in parts)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            found, empty = _first(av[2])
            empty = empty or av[0] == 0
        else:
            raise _Unknown  # a back-reference, any character, ...
        chars |= found
        if not empty:
            return chars, False
    return chars, True


def first_chars(pattern: str) -> str | None:
    """The characters a match of ``pattern`` can start with, or None when they cannot be listed."""
    if _parser is None:
        return None
    try:
        parsed = _parser.parse(pattern, 0)
        if parsed.state.flags & ~re.UNICODE:  # inline flags: (?i), (?x), ...: compiled as they are
            return None
        chars, empty = _first(parsed)
    except Exception:  # _Unknown, or a parser unlike the one this reads
        return None
    return None if empty or not chars else "".join(sorted(chars))


def quick(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled, behind a lookahead of its first characters when they can be listed."""
    chars = first_chars(pattern)
    if chars is None:
        return re.compile(pattern)
    return re.compile(f"(?=[{''.join(map(re.escape, chars))}])(?:{pattern})")


_ANYWHERE = re.compile("")  # matches every text


def opening(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """A pattern that finds, faster, whether a text holds a character a match of ``pattern`` can start with (a
    match of ``pattern`` is possible only then; every text when the characters cannot be listed)."""
    chars = first_chars(pattern.pattern)
    return _ANYWHERE if chars is None else re.compile(f"[{''.join(map(re.escape, chars))}]")
