"""The optional C extensions of ``knowledge`` in the tests."""

from __future__ import annotations

import importlib
import shutil
import sysconfig
from types import ModuleType

import pytest


def native_extension(name: str) -> ModuleType:
    """``knowledge.<name>``, a C extension setup.py builds where a C compiler is: a test skips only where none is
    (the Python or numpy path serves there); with a compiler, a missing extension fails."""
    try:
        return importlib.import_module(f"knowledge.{name}")
    except ImportError:
        compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
        if shutil.which(compiler) is None:
            pytest.skip(f"no C compiler ({compiler}): the Python and numpy paths serve")
        raise
