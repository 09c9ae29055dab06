"""Writes ``knowledge/data/asked.jsonl``, the past questions of ``knowledge.asked``, from the tuning halves of the
blind sets:

    python -m bench.asked [--check]

Every in-scope line of ``tests/data/qa*_tune.jsonl`` gives ``{"q", "expect"}`` (its ``also`` phrases, naming a
second paragraph that answers as well, join ``expect``). The validation halves (``qa*_valid.jsonl``) stay for
measuring: a tuning question that one of them also holds word for word is left out. The old dev set is not read.
``--check`` writes nothing and exits 1 if the shipped file differs.

``--leave-out`` writes nothing: it measures each tuning half with a field built from every other tuning half (its
own questions left out, as a set nobody has seen), against no field at all, and prints the totals (top-1, top-3,
right and confident, wrong and confident, refused; ``bench.qa``'s counts). This is the figure to tune the field on;
the validation halves stay for the final measurement.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
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


def others_fields(kb, folder: Path = DATA):
    """For each tuning half: its path, its lines, and the past questions' field built from every other tuning half
    (its own questions left out, as a set nobody has seen meets the field)."""
    from bench.qa import load_set
    from knowledge.asked import build
    from knowledge.base import shipped_corpus

    shipped = {path.name for path in shipped_corpus()}
    files, exclude = tuning_files(folder), held_out(folder)
    for path in files:
        rows = load_set(path)
        others = collect(
            [f for f in files if f != path], exclude | {row["q"] for row in rows if "expect" in row}
        )
        questions = [json.loads(line) for line in others.splitlines() if line]
        yield path, rows, build(questions, kb.passages, lambda p: p.doc in shipped)


def leave_out(folder: Path = DATA) -> dict[str, Counter]:
    """``bench.qa``'s counts over every tuning half: with no field, and with a field built without that half."""
    from bench.qa import cases, tally
    from knowledge.asked import PastQuestions
    from knowledge.base import KnowledgeBase
    from knowledge.decide import DEFAULT

    kb = KnowledgeBase.default()
    totals = {"no field": Counter(), "others' field": Counter()}
    for _, lines, field in others_fields(kb, folder):
        rows = [row for row in lines if "expect" in row]
        kb._asked = PastQuestions.empty()
        totals["no field"] += tally(cases(kb, rows), DEFAULT)
        kb._asked = field
        totals["others' field"] += tally(cases(kb, rows), DEFAULT)
    return totals


def print_leave_out(totals: dict[str, Counter]) -> None:
    keys = ("top1", "top3", "in_right_high", "in_wrong_high", "in_refused", "key")
    print(f"{'tuning halves, in scope':<24}" + "".join(f"{k:>15}" for k in keys))
    for name, c in totals.items():
        n = c["in"]
        cells = "".join(f"{c[k]:>8} {100 * c[k] / max(1, n):5.1f}%" for k in keys)
        print(f"{f'{name} ({n})':<24}{cells}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.asked", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the shipped file is not what would be written"
    )
    parser.add_argument(
        "--leave-out",
        action="store_true",
        help="measure each tuning half with the others' field; write nothing",
    )
    args = parser.parse_args(argv)
    if args.leave_out:
        print_leave_out(leave_out())
        return 0
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
