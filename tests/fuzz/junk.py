"""Hostile inputs: texts, command arguments and button data, and the test for exception text in replies.

User-supplied strings never contain what :data:`EXCEPTION_TEXT` looks for (:func:`defang`), so a match in a
bot message is the bot's own doing, even where the bot echoes the user's words.
"""

from __future__ import annotations

import re
import unicodedata

from tests.fuzz.source import Source, chance, choice, weighted

MAX_TEXT_UTF16 = 4096  # what Telegram delivers at most
MAX_DATA_BYTES = 64  # callback_data

# What must never reach a user: exception names and messages, tracebacks, Python reprs.
EXCEPTION_TEXT = re.compile(
    r"Traceback|Error|Exception|invalid literal|KeyError|Errno"
    r"|<[A-Za-z_][\w.]* object at 0x[0-9a-fA-F]+>"
    r"|\b(?:datetime\.\w+|date|datetime|Decimal|UUID)\("
    r"|\b[A-Z][A-Za-z]+\([a-z_]+="  # dataclass / ORM reprs: Branch(id=1, ...
    r"|\{'[^']{0,40}': "  # dict reprs
    r"|(?<![A-Za-z])None(?![A-Za-z])"
)
_LOOSE = ("error", "exception", "traceback", "invalidliteral", "none", "objectat0x", "errno")

SPECIAL = (
    "\x00",
    "\x00\x00",
    "\u200f",
    "\u200e",
    "\u202e",
    "\u202d",
    "\u2066",
    "\ufeff",
    "\u200b",
    "\u2028",
    "\r\n",
    "\t",
    "\n",
    "\u3000",
    "\x7f",
    "\x1b[31m",
    "²",
    "٣",
    "１２",
    "99999999999999999999",
    "2147483648",
    "-1",
    "0",
    "<b>",
    "</b>",
    "<i>斜体</i>",
    '<a href="tg://user?id=1">',
    "<pre>",
    "&amp;",
    "&",
    "<",
    ">",
    "<br>",
    "<script>",
    "%s",
    "{0}",
    "${x}",
    "'; DROP TABLE branches;--",
    "\\",
    '"',
    "'",
    "`",
    "*_[]()~>#+-=|{}.!",
    "👍",
    "🇨🇳",
    "👨\u200d👩\u200d👧\u200d👦",
    "\U0010ffff",
    "𝕏",
    "e\u0301\u0301\u0301",
    "党员不足三人怎么建党组织",
    "主题党日多久开展一次",
    "党建经费能在税前扣除吗",
    "今天",
    "昨天",
    "2026-11-20",
    "11月20日",
    "8 7",
    "应到8人，实到7人",
    "张三 出差",
    "/start",
    "/submit",
    "@branchbot_test_bot",
)
QUESTIONS = (
    "党员不足三人的企业怎样建立党组织",
    "主题党日多久开展一次",
    "“六有”标准指什么",
    "联合党支部最多覆盖几个单位",
    "党组织书记怎么产生",
)
ID_ARGS = (
    "1",
    "2",
    "0",
    "-1",
    "²",
    "٣",
    "١٢",
    "99999999999999999999",
    "2147483648",
    "2147483647",
    "9223372036854775808",
    "1e3",
    "0x10",
    "1.0",
    "１",
    "01",
    "00000000001",
    "",
)
COMMANDS = (
    "/start",
    "/start@branchbot_test_bot",
    "/submit",
    "/skip",
    "/cancel",
    "/records",
    "/branch",
    "/topics",
    "/help",
    "/newbranch",
    "/invite",
    "/branches",
    "/unbind",
    "/closebranch",
    "/reopenbranch",
    "/renamebranch",
)
UNKNOWN_COMMANDS = ("/foo", "/START", "/submit@other_bot", "/start_", "/records2", "/x", "/帮助", "/a" * 20)
DATA_PREFIXES = (
    "f:",
    "qa:",
    "r:",
    "b:",
    "nb:",
    "toc:",
    "f:kind:",
    "f:date:",
    "f:opt:",
    "f:edit:",
    "f:done",
    "f:confirm",
    "f:resume",
    "f:restart",
    "f:cancel",
    "qa:ex:",
    "qa:full:",
    "qa:more:",
    "qa:fb:",
    "r:open:",
    "r:withdraw:",
    "r:amend:",
    "b:edit:",
    "b:form",
    "b:setform:",
    "nb:form:",
    "toc:root",
    "toc:d:",
    "toc:s:",
    "toc:p:",
    "ba:",
    "ba:no",
    "ba:close:",
    "ba:unbind:",
    "",
    "x",
    ":",
    "qa",
    "zz:1",
)
ID_PREFIXES = (  # button data that ends in a number
    "qa:ex:",
    "qa:full:",
    "qa:more:",
    "qa:fb:",
    "r:open:",
    "r:withdraw:",
    "r:amend:",
    "toc:d:",
    "toc:s:0:",
    "toc:p:0:0:",
    "f:opt:",
    "f:date:",
    "f:kind:",
    "f:edit:",
    "b:edit:",
    "b:setform:",
    "nb:form:",
    "ba:close:",
    "ba:unbind:1:",
)
DATA_ARGS = (
    *ID_ARGS,
    "3",
    " 1",
    "topic",
    "place",
    "org_name",
    "name",
    "formal_members",
    "units",
    "single",
    "joint",
    "attached",
    "theme_day",
    "summary",
    ":",
    "::",
    "-1:1",
    "1:2",
    "1:-1",
    "1:0",
    "1:²",
)


def _utf16_cut(text: str, limit: int) -> str:
    if len(text.encode("utf-16-le")) // 2 <= limit:
        return text
    out, used = [], 0
    for char in text:
        width = 2 if ord(char) > 0xFFFF else 1
        if used + width > limit:
            break
        out.append(char)
        used += width
    return "".join(out)


def _probe(text: str) -> str:
    """``text`` as a bot might show it after dropping invisible characters and normalising."""
    kept = "".join(c for c in text if unicodedata.category(c)[0] not in "CZM")
    return unicodedata.normalize("NFKC", kept)


def _to_greek(text: str) -> str:
    return "".join(
        chr(0x3B1 + (ord(c.lower()) - 97) % 24) if c.isascii() and c.isalpha() else c for c in text
    ).replace("{", "｛")


def defang(text: str) -> str:
    """``text`` without anything :data:`EXCEPTION_TEXT` would find, even once invisible characters are gone."""
    probe = _probe(text)
    loose = re.sub(r"[^a-z0-9]", "", probe.lower())
    if EXCEPTION_TEXT.search(text) or EXCEPTION_TEXT.search(probe) or any(w in loose for w in _LOOSE):
        return _to_greek(text)
    return text


def finish(text: str, *, limit: int = MAX_TEXT_UTF16) -> str:
    """What Telegram would deliver: trimmed, not empty, at most ``limit`` UTF-16 units; defanged."""
    text = _utf16_cut(defang(text), limit).strip()
    return text or "？"


def pieces(source: Source, count: int) -> str:
    return "".join(
        choice(source, SPECIAL) if chance(source, 60) else source.unicode(12) for _ in range(count)
    )


def junk_text(source: Source) -> str:
    """A message text: short junk, pieces, a real question, 4096 characters, HTML-like, NUL-laden."""
    mode = weighted(
        source,
        (("unicode", 25), ("pieces", 35), ("question", 12), ("long", 6), ("html", 8), ("nul", 14)),
    )
    if mode == "unicode":
        text = source.unicode(60)
    elif mode == "pieces":
        text = pieces(source, source.integer(1, 6))
    elif mode == "question":
        text = choice(source, QUESTIONS) + (pieces(source, 1) if chance(source, 50) else "")
    elif mode == "long":
        unit = pieces(source, source.integer(1, 3)) or "党"
        text = (unit * (MAX_TEXT_UTF16 // max(1, len(unit)) + 1))[: MAX_TEXT_UTF16 + 10]
    elif mode == "html":
        text = f"<b>{pieces(source, 2)}</b> <i>{source.unicode(8)}</i> &lt; & <a href='x'>{choice(source, QUESTIONS)}"
    else:
        text = "\x00".join([source.unicode(8), choice(source, QUESTIONS), source.unicode(4)])
    return finish(text)


def form_text(source: Source, low: int, high: int, *, nul_percent: int = 30) -> str:
    """A text for a form step (between ``low`` and ``high`` characters), often with NUL inside."""
    size = source.integer(low, high)
    base = choice(
        source, ("党员活动室", "学习贯彻党的二十大精神", "某某科技有限公司三楼会议室", "第一党小组")
    )
    text = (base + pieces(source, 2) + base * (size // len(base) + 1))[:size]
    if chance(source, nul_percent):
        at = source.integer(0, len(text))
        text = text[:at] + "\x00" + text[at:]
    return finish(text) if len(finish(text)) >= low else finish(base)


def command_text(source: Source) -> str:
    """A command, maybe addressed to the bot, maybe with junk arguments."""
    name = choice(source, COMMANDS) if chance(source, 85) else choice(source, UNKNOWN_COMMANDS)
    arg = weighted(source, (("none", 45), ("id", 20), ("junk", 25), ("long", 5), ("nul", 5)))
    if arg == "id":
        tail = " " + choice(source, ID_ARGS)
    elif arg == "junk":
        tail = " " + pieces(source, source.integer(1, 3))
    elif arg == "long":
        tail = " " + "x" * 5000
    elif arg == "nul":
        tail = " \x00" + source.unicode(5)
    else:
        tail = ""
    return finish(name + tail)


def forged_data(source: Source) -> str | None:
    """Button data no button of the bot carries (or an unlikely one); None: a query without data."""
    mode = weighted(source, (("shaped", 70), ("unicode", 12), ("max", 10), ("none", 3), ("empty", 5)))
    if mode == "none":
        return None
    if mode == "empty":
        return ""
    if mode == "unicode":
        data = source.unicode(30)
    elif mode == "shaped" and chance(source, 50):  # a real action, a bad number
        data = choice(source, ID_PREFIXES) + choice(source, ID_ARGS)
        if chance(source, 40):
            data += ":" + choice(source, DATA_ARGS)
    else:
        args = [choice(source, DATA_ARGS) for _ in range(source.integer(0, 3))]
        data = choice(source, DATA_PREFIXES) + ":".join(args)
        if mode == "max":
            data += "9" * MAX_DATA_BYTES
    raw = data.encode("utf-8")[:MAX_DATA_BYTES]
    return raw.decode("utf-8", errors="ignore") or "x"


def name(source: Source) -> str:
    """A user's first name (Telegram: 1-64 characters)."""
    mode = weighted(source, (("plain", 50), ("junk", 30), ("long", 10), ("html", 10)))
    if mode == "plain":
        text = choice(source, ("张三", "李四", "王五", "Alice", "Ибрагим", "محمد", "🦊"))
    elif mode == "junk":
        text = pieces(source, 2)
    elif mode == "long":
        text = "长" * 64
    else:
        text = "<b>书记</b> & 'x'"
    return finish(text.replace("\x00", ""), limit=64)
