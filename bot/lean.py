"""What ``branchbot run`` keeps out of its memory (issue 9: idle under 120 MB RSS; ``python -m bench.idle_rss``).

- **Optional packages nobody here uses.** python-telegram-bot and httpx import some packages only because they
  are installed: ``cryptography`` (Telegram Passport, about 7 MB: its Rust extension and OpenSSL), ``trio``
  (httpcore's second async backend, about 2.5 MB; the bot runs on asyncio) and ``httpx._main`` (httpx's command
  line: click and pygments, about 1 MB). :func:`import_telegram` imports PTB with those hidden, then un-hides
  them, so a later import of any of them works as usual.
- **Garbage of the build.** :func:`release_memory` runs a full collection, then asks glibc to hand freed heap
  back to the system (``malloc_trim``): after building jieba's dictionary this returns about 14 MB; with rjieba
  little is left to return. A no-op where the C library is not glibc.

- **Docstrings and asserts.** :func:`run_optimized` starts ``branchbot run`` again, in the same process
  (``os.execv``), under ``python -OO``: the docstrings of python-telegram-bot, SQLAlchemy and the rest are never
  loaded, about 7 MB less resident memory (``python -m bench.idle_rss``). The code's few asserts only narrow types.
  ``BRANCHBOT_OPTIMIZE=0`` in the environment keeps them (debugging).

Alembic stays out too (``bot.migration``), and openpyxl is loaded only by an export.
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache

# Imported by PTB/httpx/httpcore only if installed, for features branchbot does not use.
UNUSED_OPTIONAL = ("cryptography", "trio", "httpx._main")
# What ``branchbot run`` imports of them; importing these with the packages above hidden is enough.
TELEGRAM_MODULES = ("telegram", "telegram.ext", "httpx", "httpcore")


@contextmanager
def hidden(names: tuple[str, ...] = UNUSED_OPTIONAL) -> Iterator[None]:
    """Within the block, ``import name`` raises ImportError for each of ``names`` not imported yet (a ``None``
    in ``sys.modules``, Python's documented way to block an import); afterwards they import as usual."""
    blocked = [name for name in names if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in blocked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


def import_telegram() -> None:
    """Import python-telegram-bot and its HTTP client without :data:`UNUSED_OPTIONAL` (a no-op once loaded)."""
    with hidden():
        for name in TELEGRAM_MODULES:
            importlib.import_module(name)


@cache
def _malloc_trim():
    """glibc's ``malloc_trim``, or None (not Linux, or a C library without it, such as musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the interpreter itself is linked with
    except (OSError, AttributeError):  # musl has no malloc_trim
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_memory() -> bool:
    """A full collection, then freed heap back to the system; True if ``malloc_trim`` ran."""
    gc.collect()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


OPTIMIZE_ENV = "BRANCHBOT_OPTIMIZE"  # "0": ``branchbot run`` keeps docstrings and asserts


def optimized_argv(argv: Sequence[str]) -> list[str] | None:
    """The command that runs ``python -m bot.cli <argv>`` under ``-OO`` with this interpreter and its other options
    (``-X``, ``-W``); None when it already runs so, ``BRANCHBOT_OPTIMIZE=0`` asks not to, or the system has no
    ``exec`` that keeps the process (not POSIX)."""
    if sys.flags.optimize >= 2 or os.environ.get(OPTIMIZE_ENV, "").strip() == "0" or os.name != "posix":
        return None
    options = [f"-W{option}" for option in sys.warnoptions]
    for name, value in sys._xoptions.items():
        options += ["-X", name if value is True else f"{name}={value}"]
    return [sys.executable, "-OO", *options, "-m", "bot.cli", *argv]


def run_optimized(argv: Sequence[str]) -> None:
    """Replace this process by ``branchbot <argv>`` under ``python -OO`` (see :func:`optimized_argv`); returns only
    when it is not to be (already optimised, asked not to, not POSIX)."""
    command = optimized_argv(argv)
    if command is None:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(command[0], command)
