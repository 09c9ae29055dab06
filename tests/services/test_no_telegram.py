"""The services, knowledge and storage work with ``telegram`` and ``aiohttp`` absent (the layout's rule)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

BLOCKER = """
import importlib.abc, sys

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("telegram", "aiohttp"):
            raise ImportError(f"blocked: {name}")
        return None

sys.meta_path.insert(0, Block())
import importlib
for name in MODULES:
    importlib.import_module(name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("telegram", "aiohttp"))
assert not loaded, loaded
print("ok", len(MODULES))
"""


def _modules(package: str) -> list[str]:
    folder = ROOT.joinpath(*package.split("."))
    names = [package]
    for info in pkgutil.walk_packages([str(folder)], prefix=f"{package}."):
        if ".migrations" not in info.name:
            names.append(info.name)
    return names


def test_services_knowledge_and_storage_import_without_telegram_or_aiohttp() -> None:
    modules = [*_modules("handlers.services"), *_modules("knowledge"), *_modules("storage"), "handlers"]
    assert "handlers.services.form.service" in modules and "storage.files" in modules
    code = f"MODULES = {modules!r}\n{BLOCKER}"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"ok {len(modules)}"


def test_the_blocker_blocks() -> None:
    """The check above can fail: importing a Telegram adapter under the same blocker raises."""
    code = f"MODULES = ['handlers.tg.forms']\n{BLOCKER}"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "blocked: telegram" in done.stderr
