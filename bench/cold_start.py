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
  Chinese with jieba itself (the named baseline);
- ``rjieba dictionary``: the same dictionary loaded by jieba-rs, as ``knowledge.tokenizer`` loads it;
- ``KnowledgeBase.default()``: loading the knowledge base (the tokenizer with the domain dictionary and its
  start-up check, the speeches, the index);
- ``branchbot ask``: ``python -m bot.cli ask QUESTION``, the figure the targets are about;
- ``branchbot ask (jieba)``: the same with ``BRANCHBOT_TOKENIZER=jieba``, what it costs without rjieba.
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
TARGET_RATIO = 0.6  # of the jieba dictionary's load


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRANCHBOT_")}
    return {**env, **(extra or {})}


def commands(question: str) -> list[tuple[str, list[str], dict[str, str]]]:
    """(name, command, extra environment)."""
    py = sys.executable
    return [
        ("python -c pass", [py, "-c", "pass"], {}),
        (
            "jieba dictionary",
            [py, "-c", "import jieba; jieba.setLogLevel(30); jieba.Tokenizer().initialize()"],
            {},
        ),
        (
            "rjieba dictionary",
            [py, "-c", "from knowledge.tokenizer import _jieba_rs_class; _jieba_rs_class()()"],
            {},
        ),
        (
            "KnowledgeBase.default()",
            [py, "-c", "from knowledge.base import KnowledgeBase; KnowledgeBase.default()"],
            {},
        ),
        ("branchbot ask", [py, "-m", "bot.cli", "ask", question], {}),
        ("branchbot ask (jieba)", [py, "-m", "bot.cli", "ask", question], {"BRANCHBOT_TOKENIZER": "jieba"}),
    ]


def run_once(cmd: list[str], extra: dict[str, str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall seconds, child CPU seconds, the completed process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=_env(extra), capture_output=True, text=True)
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
    walls: dict[str, list[float]] = {name: [] for name, _, _ in cmds}
    cpus: dict[str, list[float]] = {name: [] for name, _, _ in cmds}
    sample = ""
    for name, cmd, extra in cmds:  # warm-up
        _, _, proc = run_once(cmd, extra)
        if name == "branchbot ask":
            sample = proc.stdout
    for _ in range(args.runs):
        for name, cmd, extra in cmds:
            wall, cpu, _ = run_once(cmd, extra)
            walls[name].append(wall)
            cpus[name].append(cpu)

    lines = sample.strip().splitlines()
    print(f"\nbranchbot ask {args.question!r} ->")
    for line in lines[:4]:
        print(f"  | {line[:100]}")
    if len(lines) > 4:
        print(f"  | ... ({len(lines) - 4} more lines)")
    _print_table(cmds, walls, cpus)
    print(code_report(code))
    _print_targets(walls)
    if args.importtime:
        print("\nslowest imports of one ask (-X importtime; cumulative ms, self ms):")
        for cumulative, own, module in import_times(cmds[-2][1]):
            print(f"  {cumulative / 1000:8.1f} {own / 1000:8.1f}  {module}")
    return 0


def _print_table(cmds: list, walls: dict[str, list[float]], cpus: dict[str, list[float]]) -> None:
    floor = statistics.median(walls["jieba dictionary"])
    print(f"\n{'command':<26} {'min s':>7} {'median s':>9} {'max s':>7} {'cpu s':>7} {'/ jieba':>8}")
    print("-" * 68)
    for name, _, _ in cmds:
        w = walls[name]
        median = statistics.median(w)
        print(
            f"{name:<26} {min(w):>7.3f} {median:>9.3f} {max(w):>7.3f} "
            f"{statistics.median(cpus[name]):>7.3f} {median / floor:>8.2f}"
        )
    print(
        f"\nload average now {os.getloadavg()[0]:.2f} (above {os.cpu_count()}: wall times include waiting for a CPU)"
    )
    print(
        "cpu s: the child's user + system CPU seconds (median); / jieba: median over the jieba dictionary's."
    )


def _print_targets(walls: dict[str, list[float]]) -> None:
    ask = statistics.median(walls["branchbot ask"])
    floor = statistics.median(walls["jieba dictionary"])
    checks = [
        (f"cold ask median < {TARGET_S} s", f"{ask:.3f} s", ask < TARGET_S),
        (
            f"cold ask median < {TARGET_RATIO} x jieba dictionary",
            f"{ask:.3f} / {floor:.3f} = {ask / floor:.2f}",
            ask < TARGET_RATIO * floor,
        ),
    ]
    for name, value, met in checks:
        print(f"target: {name:<40} {value:<22} {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    sys.exit(main())
