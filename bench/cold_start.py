"""Cold-start benchmark: wall time of a fresh ``branchbot ask`` process, against the floors it cannot go below.

    python -m bench.cold_start [--runs 5] [--importtime]

Each command runs ``--runs`` times as a new subprocess (``sys.executable``, working folder the project root,
``BRANCHBOT_*`` variables removed so only the shipped speeches are read), round-robin so background noise spreads
over all of them, after one unmeasured run of each (it fills the OS file cache, jieba's dictionary cache and, unless
``PYTHONDONTWRITEBYTECODE`` is set, ``__pycache__``: "cold" here means a new process, not a cold disk). Printed per
command: min / median / max wall seconds and the median CPU seconds (user + system) of the child.

Commands, fastest first:

- ``python -c pass``: the interpreter's start-up;
- ``jieba dictionary``: ``import jieba; jieba.Tokenizer().initialize()``, the floor for anything that segments
  Chinese with jieba's dictionary (the named baseline);
- ``KnowledgeBase.default()``: loading the knowledge base (ours: jieba plus the domain dictionary and the index);
- ``branchbot ask``: ``python -m bot.cli ask QUESTION``, the figure the target is about (skipped, with a
  message, when ``bot/cli.py`` does not exist).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "党员不足三人的企业怎样建立党组织"
TARGET_S = 1.5


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("BRANCHBOT_")}


def commands(question: str) -> list[tuple[str, list[str]]]:
    py = sys.executable
    cmds = [
        ("python -c pass", [py, "-c", "pass"]),
        (
            "jieba dictionary",
            [py, "-c", "import jieba; jieba.setLogLevel(30); jieba.Tokenizer().initialize()"],
        ),
        (
            "KnowledgeBase.default()",
            [py, "-c", "from knowledge.base import KnowledgeBase; KnowledgeBase.default()"],
        ),
    ]
    if (ROOT / "bot" / "cli.py").exists():
        cmds.append(("branchbot ask", [py, "-m", "bot.cli", "ask", question]))
    return cmds


def run_once(cmd: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall seconds, child CPU seconds, the completed process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return wall, cpu, proc


def import_times(cmd: list[str], top: int = 12) -> list[tuple[int, int, str]]:
    """The slowest imports of one run under ``-X importtime``: (cumulative us, self us, module)."""
    proc = subprocess.run(
        [cmd[0], "-X", "importtime", *cmd[1:]], cwd=ROOT, env=_env(), capture_output=True, text=True
    )
    rows = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m:
            rows.append((int(m.group(2)), int(m.group(1)), m.group(3) + m.group(4)))
    return sorted(rows, reverse=True)[:top]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--importtime", action="store_true", help="also list the ask's slowest imports")
    args = parser.parse_args(argv)

    from bench.common import code_fingerprint, code_report

    code = code_fingerprint()
    cmds = commands(args.question)
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
        f"{args.runs} runs per command (+1 warm-up); code {code}"
    )
    if not (ROOT / "bot" / "cli.py").exists():
        print("bot/cli.py does not exist (yet): skipping `branchbot ask`, measuring the baselines only")

    walls: dict[str, list[float]] = {name: [] for name, _ in cmds}
    cpus: dict[str, list[float]] = {name: [] for name, _ in cmds}
    sample: str | None = None
    for name, cmd in cmds:  # warm-up
        _, _, proc = run_once(cmd)
        if name == "branchbot ask":
            sample = proc.stdout
    for _ in range(args.runs):
        for name, cmd in cmds:
            wall, cpu, _ = run_once(cmd)
            walls[name].append(wall)
            cpus[name].append(cpu)

    if sample is not None:
        lines = sample.strip().splitlines()
        print(f"\nbranchbot ask {args.question!r} ->")
        for line in lines[:4]:
            print(f"  | {line[:100]}")
        if len(lines) > 4:
            print(f"  | ... ({len(lines) - 4} more lines)")

    floor = statistics.median(walls["jieba dictionary"])
    print(f"\n{'command':<26} {'min s':>7} {'median s':>9} {'max s':>7} {'cpu s':>7} {'- jieba floor':>14}")
    print("-" * 74)
    for name, _ in cmds:
        w = walls[name]
        median = statistics.median(w)
        print(
            f"{name:<26} {min(w):>7.3f} {median:>9.3f} {max(w):>7.3f} "
            f"{statistics.median(cpus[name]):>7.3f} {median - floor:>+14.3f}"
        )
    print(
        f"\nload average now {os.getloadavg()[0]:.2f} (above {os.cpu_count()}: wall times include waiting for a CPU)"
    )
    print(
        "cpu s: the child's user + system CPU seconds (median); - jieba floor: median minus the baseline's."
    )
    print(code_report(code))
    if "branchbot ask" in walls:
        median = statistics.median(walls["branchbot ask"])
        verdict = "met" if median < TARGET_S else "NOT met"
        print(f"target: cold ask median < {TARGET_S} s on 2 cores: {median:.3f} s, {verdict}")
        if args.importtime:
            print("\nslowest imports of one ask (-X importtime; cumulative ms, self ms):")
            for cumulative, own, module in import_times(dict(cmds)["branchbot ask"]):
                print(f"  {cumulative / 1000:8.1f} {own / 1000:8.1f}  {module}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
