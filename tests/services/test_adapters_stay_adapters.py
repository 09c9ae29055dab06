"""The adapters (``handlers/tg``, ``handlers/web``) reach storage only through the services: no module of
theirs imports ``storage`` (the dependency rule: tg and web -> services -> storage)."""

from __future__ import annotations

import ast
from pathlib import Path

HANDLERS = Path(__file__).resolve().parents[2] / "handlers"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_tg_and_web_do_not_import_storage():
    modules = sorted([*HANDLERS.joinpath("tg").rglob("*.py"), *HANDLERS.joinpath("web").rglob("*.py")])
    assert len(modules) > 20
    offenders = {
        str(path.relative_to(HANDLERS)): sorted(m for m in _imports(path) if m.split(".")[0] == "storage")
        for path in modules
    }
    assert {path: names for path, names in offenders.items() if names} == {}
