"""Text helpers: UTF-16 lengths, HTML entity parsing, trimming and command entities as Telegram does it
(MarkdownV2 and Markdown: ``markdown.py``)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

_COMMAND_RE = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?(?![\w/])")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text.encode("utf-16-le")) // 2


class EntityParseError(ValueError):
    """The text cannot be parsed in the given parse mode (Telegram: "can't parse entities")."""


# --------------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------------

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_HTML_NAME_RE = re.compile(r"[A-Za-z0-9-]+")
_HTML_UNQUOTED_RE = re.compile(r"[^\s>]+")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


@dataclass
class _OpenTag:
    name: str
    offset: int  # UTF-16 offset in the output text
    byte_offset: int
    attrs: dict[str, str]
    language: str | None = None


def parse_html(text: str, *, strict: bool = True) -> tuple[str, list[dict]]:
    """Parse Telegram-flavoured HTML into ``(plain_text, entities)``; raise :class:`EntityParseError`.

    Follows tdlib's ``parse_html``: only Telegram's tags, properly nested and closed; ``&lt;`` ``&gt;``
    ``&amp;`` ``&quot;`` and numeric character references. With ``strict`` a bare ``&`` or ``>`` is an
    error as well (Telegram keeps them literally, but they betray unescaped text).
    """
    return _HtmlParser(text, strict).parse()


class _HtmlParser:
    """One run of :func:`parse_html`: each method reads one construct and returns the next index."""

    def __init__(self, text: str, strict: bool) -> None:
        self.text = text
        self.strict = strict
        self.n = len(text)
        self.out: list[str] = []
        self.pos = 0  # UTF-16 offset in the output text
        self.stack: list[_OpenTag] = []
        self.entities: list[dict] = []

    def parse(self) -> tuple[str, list[dict]]:
        text, n, i = self.text, self.n, 0
        while i < n:
            c = text[i]
            if c == "&":
                i = self._reference(i)
            elif c == ">":
                if self.strict:
                    raise EntityParseError(f'Unescaped ">" at byte offset {self.boff(i)}: write "&gt;"')
                self.emit(c)
                i += 1
            elif c != "<":
                j = i + 1
                while j < n and text[j] not in "&<>":
                    j += 1
                self.emit(text[i:j])
                i = j
            elif i + 1 < n and text[i + 1] == "/":
                i = self._end_tag(i)
            else:
                i = self._start_tag(i)
        if self.stack:
            raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def boff(self, index: int) -> int:
        return len(self.text[:index].encode("utf-8"))

    def emit(self, chunk: str) -> None:
        self.out.append(chunk)
        self.pos += utf16_len(chunk)

    def skip_spaces(self, j: int) -> int:
        while j < self.n and self.text[j] in " \t\r\n":
            j += 1
        return j

    def _reference(self, i: int) -> int:
        """``&...;`` at ``i``: a character reference, or a bare ``&``."""
        m = _HTML_ENTITY_RE.match(self.text, i)
        if m is None:
            if self.strict:
                raise EntityParseError(f'Unescaped "&" at byte offset {self.boff(i)}: write "&amp;"')
            self.emit("&")
            return i + 1
        if m.group(1):
            self.emit(_NAMED[m.group(1)])
        else:
            code = int(m.group(2)) if m.group(2) else int(m.group(3), 16)
            try:
                self.emit(chr(code))
            except (ValueError, OverflowError):
                self.emit(m.group(0))
        return m.end()

    def _end_tag(self, begin: int) -> int:
        text = self.text
        m = _HTML_NAME_RE.match(text, begin + 2)
        name = m.group(0).lower() if m else ""
        j = self.skip_spaces(m.end() if m else begin + 2)
        if j >= self.n or text[j] != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {self.boff(begin)}")
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {self.boff(begin)}")
        top = self.stack[-1]
        if name != top.name:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {self.boff(begin)}, expected "</{top.name}>", '
                f'found "</{name}>"'
            )
        self.stack.pop()
        _close_html_tag(top, self.pos, self.stack, self.entities)
        return j + 1

    def _start_tag(self, begin: int) -> int:
        m = _HTML_NAME_RE.match(self.text, begin + 1)
        name = m.group(0).lower() if m else ""
        if name not in _HTML_TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {self.boff(begin)}')
        attrs, j = self._attributes(m.end(), name, begin)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.boff(begin)}'
            )
        if name == "tg-emoji" and not attrs.get("emoji-id"):
            raise EntityParseError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {self.boff(begin)}'
            )
        self.stack.append(_OpenTag(name=name, offset=self.pos, byte_offset=self.boff(begin), attrs=attrs))
        return j

    def _attributes(self, j: int, name: str, begin: int) -> tuple[dict[str, str], int]:
        """The attributes of the start tag ``name`` (at ``begin``) from ``j`` to its ``>``."""
        attrs: dict[str, str] = {}
        while True:
            j = self.skip_spaces(j)
            if j >= self.n:
                raise EntityParseError(f"Unclosed start tag at byte offset {self.boff(begin)}")
            if self.text[j] == ">":
                return attrs, j + 1
            am = _HTML_NAME_RE.match(self.text, j)
            if not am:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset {self.boff(begin)}'
                )
            attr = am.group(0).lower()
            attrs[attr], j = self._attribute_value(self.skip_spaces(am.end()), begin)

    def _attribute_value(self, j: int, begin: int) -> tuple[str, int]:
        text, n = self.text, self.n
        if j >= n or text[j] != "=":
            return "", j
        j = self.skip_spaces(j + 1)
        if j >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {self.boff(begin)}")
        if text[j] in "\"'":
            end = text.find(text[j], j + 1)
            if end < 0:
                raise EntityParseError(f"Unclosed start tag at byte offset {self.boff(begin)}")
            return html.unescape(text[j + 1 : end]), end + 1
        vm = _HTML_UNQUOTED_RE.match(text, j)
        return (html.unescape(vm.group(0)), vm.end()) if vm else ("", j)


def _close_html_tag(tag: _OpenTag, pos: int, stack: list[_OpenTag], entities: list[dict]) -> None:
    length = pos - tag.offset
    kind = _HTML_TAGS[tag.name]
    if kind == "code" and stack and stack[-1].name == "pre":
        # <pre><code class="language-x"> is one pre entity with a language.
        cls = tag.attrs.get("class", "")
        if cls.startswith("language-") and len(cls) > len("language-"):
            stack[-1].language = cls[len("language-") :]
        return
    if length <= 0:
        return
    entity: dict[str, Any] = {"type": kind, "offset": tag.offset, "length": length}
    if kind == "text_link":
        url = tag.attrs.get("href", "").strip()
        if not url:
            return
        entity["url"] = url
    elif kind == "pre" and tag.language:
        entity["language"] = tag.language
    elif kind == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = tag.attrs["emoji-id"]
    entities.append(entity)


# --------------------------------------------------------------------------------------------------
# Whitespace and commands
# --------------------------------------------------------------------------------------------------


def trim(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Telegram strips leading and trailing whitespace; entity offsets follow."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] - lead + entity["length"], total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


def command_entities(text: str) -> list[dict]:
    """``bot_command`` entities as Telegram adds them to incoming texts and captions."""
    entities = []
    for m in _COMMAND_RE.finditer(text):
        entities.append(
            {
                "type": "bot_command",
                "offset": utf16_len(text[: m.start()]),
                "length": utf16_len(m.group(0)),
            }
        )
    return entities
