"""What ``branchbot run`` keeps out of memory (issue 9, ``bot.lean``): each case runs in a fresh interpreter,
since what this process has imported already says nothing."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot import lean
from storage.migrate import head_revision
from tests.bot.conftest import CLI_TIMEOUT, cli_env

_HEAVY = (
    "openpyxl", "PIL.ExifTags", "PIL.Image", "sqlalchemy.dialects.postgresql", "alembic", "mako",
    *lean.UNUSED_OPTIONAL, "click", "pygments",
)  # fmt: skip


def _loaded(tmp_path: Path, code: str, **env: str) -> dict:
    """Run ``code`` (which leaves a JSON-able ``result``) in a new interpreter; returns ``result`` and which of
    the heavy modules it imported."""
    script = textwrap.dedent(code) + (
        "\nimport json, sys\n"
        f"result = {{'result': result, 'loaded': [m for m in {_HEAVY!r} + ('jieba',) if m in sys.modules]}}\n"
        "print(json.dumps(result))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=cli_env(
            tmp_path,
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'b.db'}",
            BRANCHBOT_DATA_DIR=str(tmp_path / "data"),
            XDG_CACHE_HOME=str(tmp_path / "cache"),
            **env,
        ),
        capture_output=True,
        encoding="utf-8",
        timeout=CLI_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_build_services_loads_no_export_or_migration_code(tmp_path: Path) -> None:
    out = _loaded(
        tmp_path,
        """
        from bot.config import Settings
        from bot.app import build_services
        services = build_services(Settings(_env_file=None))
        services.kb.ask("党员不足三人的企业怎样建立党组织")
        tokenizer = services.kb.segmenter._tokenizer
        result = [tokenizer.name, getattr(tokenizer, "dictionary", None) is not None]
        """,
    )
    assert not {"openpyxl", "alembic", "mako"} & set(out["loaded"])
    # Pillow waits for a photo; PostgreSQL's dialect for an upsert on PostgreSQL (this is SQLite).
    assert not {"PIL.Image", "sqlalchemy.dialects.postgresql"} & set(out["loaded"])
    if importlib.util.find_spec("rjieba") is not None:  # rjieba from jieba's dict.txt: 7 MB less
        assert out["result"] == ["rjieba", True]


def test_start_up_migrates_without_loading_alembic(tmp_path: Path) -> None:
    """The migrations run in a child process (bot.migration); the second start only reads the revision."""
    out = _loaded(
        tmp_path,
        """
        from bot.config import Settings
        from bot.migration import database_revisions
        from bot.startup import migrate_database
        settings = Settings(_env_file=None)
        migrate_database(settings)
        migrate_database(settings)
        result = sorted(database_revisions(settings.database_url))
        """,
    )
    assert out["result"] == [head_revision()]
    assert not {"alembic", "mako"} & set(out["loaded"])


@pytest.mark.skipif(importlib.util.find_spec("rjieba") is None, reason="rjieba is not installed")
def test_rjieba_alone_is_loaded_when_it_is_used(tmp_path: Path) -> None:
    """jieba (the reference, about 70 MB with its dictionary) is loaded only for what rjieba was not proven on."""
    out = _loaded(
        tmp_path,
        """
        from knowledge import KnowledgeBase
        kb = KnowledgeBase.default()
        kb.ask("党员不足三人的企业怎样建立党组织")
        result = None
        """,
    )
    assert "jieba" not in out["loaded"]


def test_run_imports_telegram_without_the_unused_optional_packages(tmp_path: Path) -> None:
    """``branchbot run`` up to the settings check (no token: exit 2), which comes after Telegram is imported."""
    out = _loaded(
        tmp_path,
        """
        import sys
        from bot import cli
        code = cli.main(["run"])
        assert "telegram.ext" in sys.modules and "bot.web" in sys.modules
        result = code
        """,
    )
    assert out["result"] == 2
    assert not set(out["loaded"]) & {*lean.UNUSED_OPTIONAL, "click", "pygments", "openpyxl"}


def test_hidden_modules_import_again_afterwards(tmp_path: Path) -> None:
    installed = [m for m in ("cryptography", "trio") if importlib.util.find_spec(m) is not None]
    out = _loaded(
        tmp_path,
        f"""
        import importlib
        from bot import lean
        lean.import_telegram()
        import httpx, telegram.ext
        result = [importlib.import_module(m).__name__ for m in {installed!r}]
        """,
    )
    assert out["result"] == installed


def test_hidden_leaves_modules_already_imported_alone() -> None:
    import json as already

    with lean.hidden(("json", "branchbot_no_such_module")):
        assert sys.modules["json"] is already
        with pytest.raises(ImportError):
            importlib.import_module("branchbot_no_such_module")
    assert "branchbot_no_such_module" not in sys.modules


def test_release_memory_trims_on_glibc_and_is_harmless_elsewhere() -> None:
    import platform

    trimmed = lean.release_memory()
    if sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc":
        assert trimmed is True
