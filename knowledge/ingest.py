"""Corpus ingestion: clean a speech as received, recognise its structure, split it into passages.

Cleaning (the source files are never edited):
- the reseller's advertising header (every line before the speech title) and any advertising footer;
- stray digits typed where a comma belongs (``优势9为企业`` -> ``优势，为企业``), told apart from real counts
  (``组织1次``, ``打造1个``) by the measure word that follows a real count;
- ASCII commas between Chinese text;
- a repeated section number (a second ``三、`` after ``四、``) is renumbered in order.

Structure: the title; ``一、二、...`` sections; ``一是/二是``, ``一要/二要`` items. Each paragraph becomes a passage
carrying its heading path (section, item); a paragraph over ``MAX_PASSAGE_CHARS`` is split at sentence ends.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

OPENING = "开篇"  # the heading of what a speech says before its first part
CLOSING = "结束语"  # and after its last

log = logging.getLogger(__name__)

MAX_PASSAGE_CHARS = 600
_CN_DIGITS = "一二三四五六七八九十"
_AD_LINE = re.compile(
    r"仅供学习|禁止外传|订阅|会员群|会员资料|会员材料|QQ群|微信群|关注公众号|倒卖|酷乐文行|自建平台"
    r"|实时分享|不断迭代|版权所有|未经授权|禁止转载"
)
_HEADING = re.compile(rf"^([{_CN_DIGITS}]{{1,3}})、\s*(\S.{{0,48}})$")
_ITEM = re.compile(rf"^([{_CN_DIGITS}]{{1,3}})([是要])")
# A digit between Chinese characters is a real number when a measure word, a range or a ratio follows it
# (组织1次, 3至5人, 1对1) or an ordinal or approximation precedes it (第2, 约3); otherwise it is a slip where a
# comma belongs (优势9为企业).
_MEASURE = "个名次年月日号人位家项条种届级期批天周季元万亿千百岁章节点所类倍成分时星句页张份至到对比或余多"
_NUMBER_BEFORE = "第每约近共前后仅达超逾对比至到"
_STRAY_DIGIT = re.compile(
    rf"(?<=[\u4e00-\u9fff])(?<![{_NUMBER_BEFORE}])(?<![0-9])[0-9](?=[\u4e00-\u9fff])(?![{_MEASURE}])"
)
_ASCII_COMMA = re.compile(r"(?<=[\u4e00-\u9fff”’）」])\s*,\s*(?=[\u4e00-\u9fff“‘（「])")
_SENTENCE_END = re.compile(r"(?<=[。！？；])")
_OPENING_SALUTATION = re.compile(r"^同志们[：:，,]?$")


@dataclass(frozen=True, slots=True)
class RawPassage:
    text: str
    headings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Document:
    name: str  # file name
    title: str
    passages: tuple[RawPassage, ...]
    sections: tuple[str, ...]  # section headings in order


def cn_numeral(n: int) -> str:
    """1..99 as a Chinese numeral (for renumbering headings)."""
    if n <= 10:
        return _CN_DIGITS[n - 1]
    tens, ones = divmod(n, 10)
    return (_CN_DIGITS[tens - 1] if tens > 1 else "") + "十" + (_CN_DIGITS[ones - 1] if ones else "")


def clean_text(text: str) -> str:
    """Fixes the typing slips inside one paragraph."""
    text = _STRAY_DIGIT.sub("，", text)
    return _ASCII_COMMA.sub("，", text)


def _strip_advertising(lines: list[str]) -> tuple[str | None, list[str]]:
    """Returns (title, body lines) with the header and footer removed."""
    salutation = next((i for i, line in enumerate(lines) if _OPENING_SALUTATION.match(line)), None)
    title: str | None = None
    if salutation is not None:
        above = [i for i in range(salutation) if lines[i]]
        if above and not _AD_LINE.search(lines[above[-1]]):
            title = lines[above[-1]]
        body = lines[salutation + 1 :]
    else:
        start = 0
        while start < len(lines) and (not lines[start] or _AD_LINE.search(lines[start])):
            start += 1
        body = lines[start:]
        first = body[0] if body else ""
        if first and len(first) <= 60 and not first.endswith("。") and not _HEADING.match(first):
            title, body = first, body[1:]
    while body and (not body[-1] or _AD_LINE.search(body[-1])):
        body.pop()
    return title, body


def _item_title(paragraph: str) -> str:
    first = paragraph.split("。", 1)[0]
    if len(first) > 40:
        first = first.split("，", 1)[0]
    if len(first) > 40:
        first = first[:24] + "…"
    return first


def _soft_cut(sentence: str, limit: int) -> int:
    """Where to cut a sentence longer than ``limit``: after its last comma, enumeration comma, semicolon, colon or
    space in the second half of the first ``limit`` characters, so a word is not split; else at ``limit``."""
    cut = max(sentence.rfind(mark, 0, limit) for mark in "，、；：,; ")
    return cut + 1 if cut >= limit // 2 else limit


def split_long(text: str, limit: int = MAX_PASSAGE_CHARS) -> list[str]:
    """Splits a paragraph at sentence ends into pieces of at most ``limit`` characters (where sentences allow)."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for sentence in filter(None, _SENTENCE_END.split(text)):
        while len(sentence) > limit:  # a single run-on sentence: cut at a comma or a space, else hard
            if current:
                pieces.append(current)
                current = ""
            cut = _soft_cut(sentence, limit)
            pieces.append(sentence[:cut])
            sentence = sentence[cut:]
        if len(current) + len(sentence) > limit and current:
            pieces.append(current)
            current = ""
        current += sentence
    if current:
        pieces.append(current)
    return pieces


def parse_document(raw: str, name: str) -> Document:
    lines = [line.strip().replace("\u3000", " ").strip() for line in raw.replace("\r\n", "\n").split("\n")]
    title, body = _strip_advertising(lines)
    if not title:
        title = Path(name).stem
    passages: list[RawPassage] = []
    sections: list[str] = []
    section: str | None = None
    closing = False
    for line in body:
        if not line or _OPENING_SALUTATION.match(line):
            continue
        heading = _HEADING.match(line)
        if heading and "。" not in line:
            expected = cn_numeral(len(sections) + 1)
            if heading.group(1) != expected:
                log.info("%s: heading %r renumbered to %s", name, line, expected)
            section = f"{expected}、{heading.group(2).strip()}"
            sections.append(section)
            continue
        paragraph = clean_text(line)
        if line.startswith("同志们") and section is not None:
            closing = True
        if closing:
            headings: tuple[str, ...] = (CLOSING,)
        elif section is None:
            headings = (OPENING,)
        elif _ITEM.match(paragraph):
            headings = (section, _item_title(paragraph))
        else:
            headings = (section,)
        for piece in split_long(paragraph):
            passages.append(RawPassage(piece, headings))
    return Document(name=name, title=title, passages=tuple(passages), sections=tuple(sections))


def read_documents(paths: list[Path]) -> list[Document]:
    documents = []
    for path in paths:
        try:
            raw = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            log.warning("skipping %s: not UTF-8 text", path)
            continue
        doc = parse_document(raw, path.name)
        if doc.passages:
            documents.append(doc)
        else:
            log.warning("skipping %s: no text after cleaning", path)
    return documents
