"""Writes ``knowledge/data/asked.jsonl``, the past questions of ``knowledge.asked``, from the tuning halves of the
blind sets:

    python -m bench.asked [--check]

Every in-scope line of ``tests/data/qa*_tune.jsonl`` gives ``{"q", "expect"}`` (its ``also`` phrases, naming a
second paragraph that answers as well, join ``expect``). The validation halves (``qa*_valid.jsonl``) stay for
measuring: a tuning question that one of them also holds word for word is left out. The old dev set is not read. ``--check`` writes nothing and exits 1 if the shipped file differs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from knowledge.asked import data_path

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def tuning_files(folder: Path = DATA) -> list[Path]:
    return sorted(folder.glob("qa*_tune.jsonl"), key=lambda p: (len(p.name), p.name))


def held_out(folder: Path = DATA) -> set[str]:
    """The questions of the validation halves."""
    out = set()
    for path in folder.glob("qa*_valid.jsonl"):
        out |= {
            json.loads(line)["q"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
        }
    return out


def collect(files: list[Path], exclude: set[str] = frozenset()) -> str:
    """The file's text: one question a line, in the order of the files and their lines, each question once."""
    lines, seen = [], set(exclude)
    for path in files:
        for raw in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(raw) if raw.strip() else {}
            if "expect" not in row or row["q"] in seen:
                continue
            seen.add(row["q"])
            expect = list(dict.fromkeys([*row["expect"], *row.get("also", [])]))
            lines.append(json.dumps({"q": row["q"], "expect": expect}, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.asked", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the shipped file is not what would be written"
    )
    args = parser.parse_args(argv)
    text = collect(tuning_files(), held_out())
    target = data_path()
    if args.check:
        same = target.exists() and target.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{target} differs from the tuning halves")
        return 0 if same else 1
    target.write_text(text, encoding="utf-8")
    print(f"wrote {text.count(chr(10))} questions to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
