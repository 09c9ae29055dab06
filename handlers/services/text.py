"""Text as users send it, made safe once at the edge: NFC, no control or invisible characters, bounded.

PostgreSQL refuses NUL (U+0000) and lone surrogates; control characters also break display and search.
Newlines are kept (absentee lists and minutes are line-based); tabs become spaces.
"""

from __future__ import annotations

import re
import unicodedata

MAX_INCOMING = 4096  # Telegram's own limit for a message
_DROP = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)


def clean_text(text: str | None, limit: int = MAX_INCOMING) -> str:
    """The text with control, zero-width and direction characters removed, NFC, stripped, at most ``limit``."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = unicodedata.normalize("NFC", _DROP.sub("", text))
    return text.strip()[:limit]


# Full-width digits (０-９, typed with a Chinese input method in full-width mode) and their ASCII forms. Only
# these: NFKC of the whole text would also make ² a 2, and a superscript is no count.
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def ascii_digits(text: str) -> str:
    """The text with full-width digits as ASCII digits (应到１０人 -> 应到10人); nothing else changes."""
    return text.translate(_FULL_WIDTH_DIGITS)
