"""The vocabulary bridge: how secretaries say it -> how the speeches write it, curated by topic.

The lexicon lives in ``knowledge/data/lexicon/*.txt``, one file per topic (组织设置, 组织生活, 阵地, 经费, 考核, 人员,
劳动关系与经营, 宣传学习, 时间与结构). A line is one entry, tab-separated:

    colloquial|alternative  speech term|speech term  weight  source  note

- **colloquial**: one or more spellings a question may use (``|``-separated, each at least 2 characters);
- **speech terms**: what the speeches (or speeches like them) write for it; a question's colloquial word is
  expanded with these, at ``weight`` (0 < weight < 1) in the ranking, and a passage containing any of them
  contains the word (coverage);
- **source**: where the entry comes from: ``chat`` (how secretaries put it in work chats and forum posts),
  ``common`` (the common name or abbreviation of a speech term), ``region`` (regional or spoken usage),
  ``speech`` (a reading of the speeches: their own term for the thing, or their definition "X即…"),
  ``tune`` (a gap seen in the tuning questions, written as the general word rather than the question's phrase);
- **note**: free text, why the entry holds.

Lines starting with ``#`` are comments; the first comment line of a file names its topic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

SOURCES = frozenset({"chat", "common", "region", "speech", "tune"})
DEFAULT_WEIGHT = 0.7


@dataclass(frozen=True, slots=True)
class Entry:
    keys: tuple[str, ...]
    terms: tuple[str, ...]
    weight: float
    source: str
    note: str
    topic: str


def lexicon_dir() -> Path:
    return Path(str(resources.files("knowledge").joinpath("data", "lexicon")))


def parse_line(line: str, topic: str = "") -> Entry:
    """One entry; ``ValueError`` for a malformed line."""
    fields = line.rstrip("\n").split("\t")
    if len(fields) != 5:
        raise ValueError(f"expected 5 tab-separated fields, got {len(fields)}: {line!r}")
    keys, terms, weight, source, note = fields
    entry = Entry(
        tuple(k.strip() for k in keys.split("|")),
        tuple(t.strip() for t in terms.split("|")),
        float(weight),
        source.strip(),
        note.strip(),
        topic,
    )
    if not all(len(k) >= 2 for k in entry.keys) or not all(entry.terms):
        raise ValueError(f"keys of at least 2 characters and non-empty terms expected: {line!r}")
    if not 0 < entry.weight < 1:
        raise ValueError(f"weight must be in (0, 1): {line!r}")
    if entry.source not in SOURCES:
        raise ValueError(f"unknown source {entry.source!r}: {line!r}")
    return entry


def read_file(path: Path) -> list[Entry]:
    entries = []
    topic = ""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        if line.startswith("#"):
            topic = topic or line.lstrip("# ").strip()
            continue
        try:
            entries.append(parse_line(line, topic))
        except ValueError as exc:
            raise ValueError(f"{path.name}:{number}: {exc}") from None
    return entries


def load(folder: Path | None = None) -> list[Entry]:
    """Every entry of every ``*.txt`` file in ``folder`` (default: the shipped lexicon), files in name order."""
    folder = folder or lexicon_dir()
    return [e for path in sorted(folder.glob("*.txt")) for e in read_file(path)]


def table(
    entries: list[Entry], spell: Callable[[str], str] = str
) -> dict[str, tuple[tuple[str, ...], float]]:
    """colloquial spelling (as ``spell`` writes it) -> (speech terms, weight); a spelling in two entries gets both
    entries' terms."""
    out: dict[str, tuple[tuple[str, ...], float]] = {}
    for entry in entries:
        for key in map(spell, entry.keys):
            terms, weight = out.get(key, ((), 0.0))
            out[key] = (tuple(dict.fromkeys(terms + entry.terms)), max(weight, entry.weight))
    return out
