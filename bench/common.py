"""Helpers shared by the benchmarks: which knowledge-layer code a run measured, and how busy the machine was."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
