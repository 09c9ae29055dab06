"""A document an administrator adds (/adddoc) is read again at start-up: one knowledge-base folder, not two
(helper-110's operator review: it was written to ``data/kb`` while start-up read ``BRANCHBOT_KB_DIR`` only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import build_services
from bot.config import Settings

ADMIN = 1001
DOC = "本地规定：党建积分超市每季度盘点一次，积分可兑换学习用品。\n".encode()
QUESTION = "党建积分超市多久盘点一次"
LOCAL = "本地补充材料：党员活动室每周三下午向职工开放，由支部宣传委员负责登记。\n"


def _sources(services) -> set[str]:
    return {p.source for p in services.kb.passages}


@pytest.mark.parametrize("own_folder", [False, True])
async def test_an_added_document_is_still_cited_after_a_restart(
    tmp_path: Path, monkeypatch, own_folder
) -> None:
    monkeypatch.delenv("BRANCHBOT_KB_DIR", raising=False)
    values = {"BRANCHBOT_DATA_DIR": str(tmp_path / "data"), "BRANCHBOT_ADMIN_IDS": str(ADMIN)}
    values["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    if own_folder:
        folder = tmp_path / "kb"
        folder.mkdir()
        (folder / "活动室.txt").write_text(LOCAL, encoding="utf-8")
        values["BRANCHBOT_KB_DIR"] = str(folder)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)

    services = build_services(settings)
    added = await services.curation.add_document(ADMIN, "积分超市.txt", DOC)
    assert added.status == "ok", added
    await services.reload_kb()
    after_add = _sources(services)
    restarted = build_services(settings)
    assert _sources(restarted) == after_add  # the restart reads what /adddoc wrote, and nothing is dropped
    assert any("积分超市" in source for source in after_add), after_add
    if own_folder:
        assert any("活动室" in source for source in after_add), after_add
        assert added.path.parent == tmp_path / "kb"
    answer = restarted.kb.ask(QUESTION)
    assert answer.hits and "每季度盘点" in answer.hits[0].text


def test_a_broken_installation_is_not_blamed_on_the_speeches(monkeypatch) -> None:
    """A half-written update (an ImportError while building the services) said 知识库加载失败…请检查内置的讲话
    (helper-110's operator review); only a knowledge-base failure says so."""
    import bot.app
    from bot.startup import EXIT_SETTINGS, StartupError, build_services_or_fail

    def broken(settings):
        raise ImportError("cannot import name 'LATE_WINDOW' from 'knowledge.activities'")

    monkeypatch.setattr(bot.app, "build_services", broken)
    with pytest.raises(StartupError) as caught:
        build_services_or_fail(Settings(_env_file=None))
    assert str(caught.value).startswith("程序文件不完整（ImportError："), caught.value
    assert "讲话" not in str(caught.value) and caught.value.exit_code == EXIT_SETTINGS

    def bad_speech(settings):
        raise ValueError("bad passage")

    monkeypatch.setattr(bot.app, "build_services", bad_speech)
    with pytest.raises(StartupError, match="知识库加载失败"):
        build_services_or_fail(Settings(_env_file=None))


def test_check_names_the_files_of_the_folder_it_could_not_read(tmp_path: Path, monkeypatch) -> None:
    """A GBK file was skipped with only a log line while check said ✓ (helper-110's operator review)."""
    from bot.check import CheckWarning, check_knowledge_base

    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "活动室.txt").write_text(LOCAL, encoding="utf-8")
    (folder / "旧制度.txt").write_bytes(LOCAL.encode("gbk"))
    monkeypatch.setenv("BRANCHBOT_KB_DIR", str(folder))
    with pytest.raises(CheckWarning) as caught:
        check_knowledge_base(Settings(_env_file=None))
    assert "未能读取 旧制度.txt" in str(caught.value) and "UTF-8" in str(caught.value), caught.value
    (folder / "旧制度.txt").unlink()
    assert check_knowledge_base(Settings(_env_file=None)).startswith("知识库已加载：")


def test_ask_reads_the_folder_the_bot_reads(run_cli, tmp_path: Path) -> None:
    """``branchbot ask`` read only the environment: a BRANCHBOT_KB_DIR in .env, or an /adddoc document in
    <data dir>/kb, was cited by the bot and not by ask (helper-110's operator review)."""
    import json

    (tmp_path / "mykb").mkdir()
    (tmp_path / "mykb" / "活动室.txt").write_text(LOCAL, encoding="utf-8")
    (tmp_path / ".env").write_text("BRANCHBOT_KB_DIR=./mykb\n", encoding="utf-8")
    asked = run_cli("ask", "--json", "党员活动室什么时候向职工开放")
    assert asked.returncode == 0, asked.stderr
    answers = json.loads(asked.stdout)["answers"]
    assert answers and "每周三下午" in answers[0]["text"], answers

    (tmp_path / ".env").unlink()
    (tmp_path / "data" / "kb").mkdir(parents=True)
    (tmp_path / "data" / "kb" / "积分超市.txt").write_bytes(DOC)
    asked = run_cli("ask", "--json", QUESTION)
    answers = json.loads(asked.stdout)["answers"]
    assert answers and "每季度盘点" in answers[0]["text"], answers
