"""MarkdownV2 and legacy Markdown: validated as Telegram does, returning the plain text."""

from __future__ import annotations

import re

from tests.emulator.entities import EntityParseError

_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_KINDS = {"*": "Bold", "_": "Italic", "__": "Underline", "~": "Strikethrough", "||": "Spoiler"}


def parse_markdown_v2(text: str) -> str:
    """Validate MarkdownV2 like Telegram does and return the plain text (entities are not computed)."""
    return _MarkdownV2Parser(text).parse()


class _MarkdownV2Parser:
    """One run of :func:`parse_markdown_v2`: each method reads one construct and returns the next index."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.out: list[str] = []
        self.stack: list[tuple[str, int]] = []  # (marker, byte offset)

    def parse(self) -> str:
        i = 0
        while i < self.n:
            i = self._step(i)
        if self.stack:
            marker, offset = self.stack[-1]
            kind = "TextUrl" if marker == "[" else _MDV2_KINDS[marker]
            raise EntityParseError(f"Can't find end of {kind} entity at byte offset {offset}")
        return "".join(self.out)

    def boff(self, index: int) -> int:
        return len(self.text[:index].encode("utf-8"))

    def _step(self, i: int) -> int:
        text = self.text
        c = text[i]
        if c == "\\":
            return self._escape(i)
        if c == "`":
            return self._code(i)
        if c == "_" and text.startswith("__", i):
            return self._toggle("__", i)
        if c == "|" and text.startswith("||", i):
            return self._toggle("||", i)
        if c in "*_~":
            return self._toggle(c, i)
        if c == "[":
            self.stack.append(("[", self.boff(i)))
            return i + 1
        if c == "]" and self.stack and self.stack[-1][0] == "[":
            return self._link_end(i)
        if c == ">" and (i == 0 or text[i - 1] == "\n"):
            return i + 1  # block quotation marker
        if c in _MDV2_RESERVED:
            raise EntityParseError(f"Character '{c}' is reserved and must be escaped with the preceding '\\'")
        self.out.append(c)
        return i + 1

    def _escape(self, i: int) -> int:
        if i + 1 < self.n and 1 <= ord(self.text[i + 1]) <= 126:
            self.out.append(self.text[i + 1])
            return i + 2
        self.out.append(self.text[i])
        return i + 1

    def _toggle(self, marker: str, at: int) -> int:
        stack = self.stack
        if stack and stack[-1][0] == marker:
            stack.pop()
        elif any(m == marker for m, _ in stack):
            top, top_off = stack[-1]
            raise EntityParseError(
                f"Can't find end of {_MDV2_KINDS.get(top, 'TextUrl')} entity at byte offset {top_off}"
            )
        else:
            stack.append((marker, self.boff(at)))
        return at + len(marker)

    def _code(self, i: int) -> int:
        text, n = self.text, self.n
        fence = "```" if text.startswith("```", i) else "`"
        j = i + len(fence)
        while j < n and not text.startswith(fence, j):
            j += 2 if text[j] == "\\" else 1
        if j >= n:
            kind = "Pre" if fence == "```" else "Code"
            raise EntityParseError(f"Can't find end of {kind} entity at byte offset {self.boff(i)}")
        body = text[i + len(fence) : j]
        if fence == "```" and "\n" in body:
            body = body.split("\n", 1)[1]  # first line is the language
        self.out.append(re.sub(r"\\([`\\])", r"\1", body))
        return j + len(fence)

    def _link_end(self, i: int) -> int:
        """``]`` closing a ``[text``: a ``(url)`` must follow."""
        text, n = self.text, self.n
        self.stack.pop()
        if not text.startswith("(", i + 1):
            raise EntityParseError("Character ']' is reserved and must be escaped with the preceding '\\'")
        j = i + 2
        while j < n and text[j] != ")":
            j += 2 if text[j] == "\\" else 1
        if j >= n:
            raise EntityParseError(f"Can't find end of a URL at byte offset {self.boff(i + 1)}")
        return j + 1


def parse_markdown(text: str) -> str:
    """Validate legacy Markdown (``*bold*``, ``_italic_``, `` `code` ``, ``[text](url)``)."""
    out: list[str] = []
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            i += 2
            continue
        if c in "*_`[":
            closing = {"[": "]"}.get(c, c)
            if c == "`" and text.startswith("```", i):
                closing = "```"
            start = i + len(closing)
            j = text.find(closing, start)
            if j < 0:
                raise EntityParseError(
                    f"Can't find end of the entity starting at byte offset {len(text[:i].encode())}"
                )
            out.append(text[start:j])
            i = j + len(closing)
            if c == "[" and text.startswith("(", i):
                k = text.find(")", i)
                if k < 0:
                    raise EntityParseError(
                        f"Can't find end of the entity starting at byte offset {len(text[:i].encode())}"
                    )
                i = k + 1
            continue
        out.append(c)
        i += 1
    return "".join(out)
