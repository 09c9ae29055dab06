"""Helpers shared by the benchmarks: which knowledge-layer code a run measured, how busy the machine was, the
question sets, the corpus' passages, percentiles and memory."""

from __future__ import annotations

import hashlib
import json
import math
import os
import resource
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_QUESTIONS = Path("/work/shared/eval/dev_questions.jsonl")
TUNE_QUESTIONS = ROOT / "tests" / "data" / "qa_tune.jsonl"


def code_fingerprint() -> str:
    """Short hash of the knowledge layer's source and data (``knowledge/**/*.py``, ``*.txt``) plus the git commit.

    Printed at the start and the end of a run: if they differ, the code changed while it was measured.
    """
    digest = hashlib.sha256()
    folder = ROOT / "knowledge"
    for path in sorted([*folder.rglob("*.py"), *folder.rglob("*.txt")]):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "knowledge"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        head, dirty = "?", ""
    return f"{head or '?'}{'+dirty' if dirty else ''} knowledge/{digest.hexdigest()[:10]}"


def load_average() -> str:
    """The 1-minute load average: above the CPU count, other processes compete for the CPUs."""
    return f"{os.getloadavg()[0]:.2f}"


def code_report(start: str) -> str:
    end = code_fingerprint()
    # Only the knowledge/ hash counts: a commit of unchanged files during the run changes nothing measured.
    if end.split()[-1] == start.split()[-1]:
        return f"code {end} (knowledge/ unchanged during the run)"
    return f"WARNING: knowledge/ changed during the run ({start} -> {end}): the figures mix two versions"


# -- questions, passages ---------------------------------------------------------------------------------------


def load_questions(path: Path = DEV_QUESTIONS) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def latency_questions() -> list[str]:
    """The questions timed: the dev set and the tuning half of the blind set (180 distinct questions), so that
    a repeated question is not most of what is measured."""
    rows = load_questions() + (load_questions(TUNE_QUESTIONS) if TUNE_QUESTIONS.exists() else [])
    return list(dict.fromkeys(row["q"] for row in rows))


def corpus_files(kb_dir: Path | None) -> list[Path]:
    """The files ``KnowledgeBase.default(kb_dir)`` reads, in the same order."""
    from knowledge.base import _folder_files, shipped_corpus

    files = shipped_corpus()
    if kb_dir is not None:
        files += _folder_files(kb_dir)
    return files


def passage_texts(kb_dir: Path | None) -> list[tuple[str, str]]:
    """Each passage's text, and the text the knowledge base indexes for it: the section heading, then the text."""
    from knowledge.ingest import read_documents

    return [
        (p.text, f"{p.headings[0]}。{p.text}" if p.headings else p.text)
        for doc in read_documents(corpus_files(kb_dir))
        for p in doc.passages
    ]


def clean_env() -> dict[str, str]:
    """The environment without ``BRANCHBOT_*`` settings, for child processes."""
    return {k: v for k, v in os.environ.items() if not k.startswith("BRANCHBOT_")}


# -- figures ---------------------------------------------------------------------------------------------------


def percentile(sorted_values: list[float], q: float) -> float:
    """Linear-interpolated percentile of an already sorted list (numpy's default method)."""
    if not sorted_values:
        return math.nan
    pos = (len(sorted_values) - 1) * q / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 1e6


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # Linux: kilobytes
