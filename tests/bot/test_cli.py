"""The ``branchbot`` command line, run as a separate process the way a user runs it.

Each run happens in a fresh temporary folder (no ``.env`` is picked up), with ``HOME`` there too and
no Telegram token or other branchbot settings inherited from the environment running the tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
POLICY_QUESTION = "党员不足三人的企业怎样建立党组织"
OFF_TOPIC = "今天天气怎么样"
ANSWER_KEYS = {"text", "highlight", "source", "section", "score", "confidence"}
_INHERITED_SETTINGS = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_BASE_URL",
    "DATABASE_URL",
    "BRANCHBOT_DATA_DIR",
    "BRANCHBOT_TZ",
    "BRANCHBOT_ADMIN_IDS",
    "BRANCHBOT_KB_DIR",
    "BRANCHBOT_CACHE_DIR",
    "XDG_CACHE_HOME",
)


@pytest.fixture
def cli(tmp_path: Path):
    """``cli(*args, input=None, **env)`` runs ``python -m bot.cli`` in ``tmp_path``."""
    env = {k: v for k, v in os.environ.items() if k not in _INHERITED_SETTINGS}
    env["HOME"] = str(tmp_path)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)

    def run(*args: str, input: str | None = None, **extra_env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", *args],
            cwd=tmp_path,
            env={**env, **extra_env},
            input=input if input is not None else "",
            capture_output=True,
            encoding="utf-8",
            timeout=60,
            check=False,
        )

    return run


def check_answer_json(data: object, query: str, k: int = 3) -> list[dict]:
    """One ``ask --json`` result: the documented shape, at most ``k`` answers, best first."""
    assert isinstance(data, dict)
    assert set(data) == {"query", "answers"}
    assert data["query"] == query
    answers = data["answers"]
    assert isinstance(answers, list) and len(answers) <= k
    for answer in answers:
        assert set(answer) == ANSWER_KEYS
        assert isinstance(answer["score"], float)
        assert answer["confidence"] in {"high", "low"}
        for key in ANSWER_KEYS - {"score"}:
            assert isinstance(answer[key], str)
        assert answer["text"] and answer["highlight"] and answer["source"]
    scores = [a["score"] for a in answers]
    assert scores == sorted(scores, reverse=True)
    return answers


# --------------------------------------------------------------------------------------------------
# ask
# --------------------------------------------------------------------------------------------------


def test_ask_prints_key_sentence_and_source(cli) -> None:
    result = cli("ask", POLICY_QUESTION)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("要点：")
    assert any(line.startswith("出处：《") for line in lines)
    assert "联合建" in result.stdout


def test_ask_several_words_are_one_question(cli) -> None:
    result = cli("ask", "党员不足三人的企业", "怎样建立党组织")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("要点：")


@pytest.mark.parametrize("question", [POLICY_QUESTION, "工资总额800万，党建经费能税前扣多少"])
def test_ask_json_shape(cli, question: str) -> None:
    result = cli("ask", "--json", question)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1  # exactly one JSON object, on one line
    answers = check_answer_json(json.loads(lines[0]), question)
    assert 1 <= len(answers) <= 3
    assert all(a["score"] > 0 for a in answers)


def test_ask_json_off_topic_has_no_answers(cli) -> None:
    result = cli("ask", "--json", OFF_TOPIC)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"query": OFF_TOPIC, "answers": []}


def test_ask_off_topic_text(cli) -> None:
    result = cli("ask", OFF_TOPIC)
    assert result.returncode == 0, result.stderr
    assert "没有找到" in result.stdout
    assert "要点" not in result.stdout


def test_ask_json_reads_stdin_line_by_line(cli) -> None:
    questions = [POLICY_QUESTION, "", "主题党日多久开展一次"]
    result = cli("ask", "--json", input="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(questions)
    results = [check_answer_json(json.loads(line), q) for line, q in zip(lines, questions, strict=True)]
    assert results[0] and results[2]
    assert results[1] == []


def test_ask_json_stdin_without_final_newline(cli) -> None:
    result = cli("ask", "--json", input=f"{POLICY_QUESTION}\r\n{OFF_TOPIC}")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [json.loads(line)["query"] for line in lines] == [POLICY_QUESTION, OFF_TOPIC]


def test_ask_k_limits_the_answers(cli) -> None:
    result = cli("ask", "--json", "-k", "1", POLICY_QUESTION)
    assert result.returncode == 0, result.stderr
    answers = check_answer_json(json.loads(result.stdout), POLICY_QUESTION, k=1)
    assert len(answers) == 1
    # The best answer does not depend on k.
    full = json.loads(cli("ask", "--json", POLICY_QUESTION).stdout)["answers"]
    assert answers[0] == full[0]


def test_ask_without_question_is_a_usage_error(cli) -> None:
    result = cli("ask")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert "问题" in result.stderr  # a hint in Chinese
    assert len(result.stderr.strip().splitlines()) == 1


# --------------------------------------------------------------------------------------------------
# run
# --------------------------------------------------------------------------------------------------


def test_run_without_token(cli, tmp_path: Path) -> None:
    result = cli("run")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "TELEGRAM_BOT_TOKEN" in lines[0]
    assert result.stdout == ""
    assert not (tmp_path / "branchbot.db").exists()  # nothing was started


@pytest.mark.parametrize(
    "zone",
    [
        "/etc/localtime",
        "../outside",
        "Mars/Olympus",
        "UTC ",
    ],
)
def test_run_with_invalid_time_zone(cli, zone: str) -> None:
    result = cli("run", BRANCHBOT_TZ=zone)
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "BRANCHBOT_TZ" in lines[0]


# --------------------------------------------------------------------------------------------------
# db
# --------------------------------------------------------------------------------------------------


def test_db_upgrade_current_downgrade(cli, tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config, head_revision

    head = head_revision()
    assert head
    revisions = [r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()]
    url = f"sqlite+aiosqlite:///{tmp_path / 'db' / 'branchbot.db'}"

    before = cli("db", "current", DATABASE_URL=url)
    assert before.returncode == 0, before.stderr
    assert not any(r in before.stdout for r in revisions)

    upgrade = cli("db", "upgrade", DATABASE_URL=url)
    assert upgrade.returncode == 0, upgrade.stderr
    assert head in upgrade.stdout
    assert (tmp_path / "db" / "branchbot.db").exists()

    current = cli("db", "current", DATABASE_URL=url)
    assert current.returncode == 0, current.stderr
    assert current.stdout.strip() == head

    downgrade = cli("db", "downgrade", "base", "--yes", DATABASE_URL=url)
    assert downgrade.returncode == 0, downgrade.stderr
    assert "空" in downgrade.stdout
    assert not any(r in downgrade.stdout for r in revisions)

    empty = cli("db", "current", DATABASE_URL=url)
    assert empty.returncode == 0, empty.stderr
    assert not any(r in empty.stdout for r in revisions)
    assert empty.stdout.strip() in ("", "（尚未建表）")
    for step in (before, upgrade, current, downgrade, empty):
        assert "Traceback" not in step.stderr
