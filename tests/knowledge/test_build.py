"""Building a knowledge base from files: extra folders (argument or BRANCHBOT_KB_DIR) and the on-disk cache."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

import knowledge.base as kb_module
from knowledge.base import KnowledgeBase, shipped_corpus

# -- extra folders ----------------------------------------------------------------------------------

EXTRA_SPEECH = (
    "关于青橙驿站试点工作的讲话\n"
    "同志们：\n"
    "一、推进青橙驿站建设\n"
    "各园区要建设青橙驿站，每月举办一次青橙驿站开放日，由驿站管理员负责登记。\n"
)


@pytest.fixture
def no_env_folder(monkeypatch, kb):
    """No extra folder from the environment; builds reuse the module's segmenter.

    Loading jieba's dictionary takes most of a build's second; the segmenter holds no state a build changes.
    """
    monkeypatch.delenv("BRANCHBOT_KB_DIR", raising=False)
    monkeypatch.setattr(kb_module, "Segmenter", lambda *args, **kwargs: kb.segmenter)


def test_extra_folder_is_indexed(tmp_path: Path, no_env_folder, kb):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "extra.txt").write_text(EXTRA_SPEECH, encoding="utf-8")
    (tmp_path / "notes.md").write_text("青橙驿站 不是 txt", encoding="utf-8")
    # Not in the shipped speeches: at most their closest passage, tentatively.
    assert kb.ask("青橙驿站开放日多久举办一次").confidence != "high"
    extended = KnowledgeBase.default(kb_dir=tmp_path)
    assert len(extended.passages) == len(kb.passages) + 1
    answer = extended.ask("青橙驿站开放日多久举办一次")
    hits = answer.hits
    assert hits and answer.confidence == "high"
    assert hits[0].source == "关于青橙驿站试点工作的讲话"
    assert hits[0].section == "一、推进青橙驿站建设"
    assert "青橙驿站开放日" in hits[0].highlight
    assert extended.passages[-1].doc == "extra.txt"
    # Nothing was asked of an added document: its lead is judged by the first model, not the field's.
    assert extended.rank("青橙驿站开放日多久举办一次").evidence().field_share is None
    assert extended.rank("党员不足三人的企业怎样建立党组织").evidence().field_share is not None
    # The shipped speeches are still there.
    assert "联合建、挂靠建" in extended.search("党员不足三人的企业怎样建立党组织")[0].text


def test_a_tentative_answer_from_an_added_document_does_not_call_it_the_speeches(
    tmp_path: Path, no_env_folder, kb
):
    """helper-67's review: "讲话中没有直接回答…" introduced a passage of an administrator's document."""
    from knowledge.render import CLOSEST, CLOSEST_ADDED, render_plain

    (tmp_path / "党费.txt").write_text(
        "关于党费收缴的补充说明\n\n党员每月按时足额缴纳党费，可通过网上缴纳党费系统缴纳，也可以交给党小组长。\n",
        encoding="utf-8",
    )
    extended = KnowledgeBase.default(kb_dir=tmp_path)
    added = extended.ask("党费怎么交")
    assert added.confidence == "low" and not added.hits[0].speech
    assert render_plain(added).startswith(CLOSEST_ADDED)
    speech = extended.ask("党费标准是多少")
    assert speech.confidence == "low" and speech.hits[0].speech
    assert render_plain(speech).startswith(CLOSEST)
    assert "speech" not in added.hits[0].as_dict()  # ``branchbot ask --json`` keeps its contract


def test_extra_folder_from_the_environment(tmp_path: Path, monkeypatch, no_env_folder):
    (tmp_path / "extra.txt").write_text(EXTRA_SPEECH, encoding="utf-8")
    monkeypatch.setenv("BRANCHBOT_KB_DIR", str(tmp_path))
    assert KnowledgeBase.default().search("青橙驿站是什么")


def test_non_utf8_file_in_extra_folder_is_skipped(tmp_path: Path, no_env_folder, kb, caplog):
    (tmp_path / "gbk.txt").write_bytes(EXTRA_SPEECH.encode("gbk"))
    with caplog.at_level(logging.WARNING):
        extended = KnowledgeBase.default(kb_dir=tmp_path)
    assert len(extended.passages) == len(kb.passages)
    assert any("gbk.txt" in r.getMessage() for r in caplog.records)


def test_missing_folder_warns_and_still_works(tmp_path: Path, no_env_folder, kb, caplog):
    missing = tmp_path / "does-not-exist"
    with caplog.at_level(logging.WARNING, logger="knowledge.base"):
        fallback = KnowledgeBase.default(kb_dir=missing)
    assert any(r.levelno == logging.WARNING and str(missing) in r.getMessage() for r in caplog.records), (
        caplog.text
    )
    assert len(fallback.passages) == len(kb.passages)
    assert fallback.search("五清是什么")


def test_folder_that_is_a_file_warns(tmp_path: Path, no_env_folder, caplog):
    a_file = tmp_path / "file.txt"
    a_file.write_text(EXTRA_SPEECH, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="knowledge.base"):
        fallback = KnowledgeBase.default(kb_dir=a_file)
    assert any(r.levelno == logging.WARNING for r in caplog.records)
    assert fallback.search("青橙驿站是什么") == []


# -- the cache --------------------------------------------------------------------------------------------


def _refuse_to_build(*args, **kwargs):
    raise AssertionError("an index was built although the cache should have been used")


def test_cache_is_written_and_reused(tmp_path: Path, monkeypatch, no_env_folder):
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "extra.txt").write_text(EXTRA_SPEECH, encoding="utf-8")
    cache_dir = tmp_path / "cache"
    monkeypatch.setattr(kb_module, "CACHE_MIN_BYTES", 100)

    first = KnowledgeBase.default(kb_dir=folder, cache_dir=cache_dir)
    cached = list(cache_dir.glob("kb-*.pickle"))
    assert len(cached) == 1
    assert not list(cache_dir.glob("*.tmp*"))

    monkeypatch.setattr(kb_module, "build_index", _refuse_to_build)
    second = KnowledgeBase.default(kb_dir=folder, cache_dir=cache_dir)
    assert second.passages == first.passages
    assert [h.passage_id for h in second.search("青橙驿站开放日多久举办一次")] == [
        h.passage_id for h in first.search("青橙驿站开放日多久举办一次")
    ]
    assert (
        second.search("我们只有两名正式党员")[0].passage_id
        == first.search("我们只有两名正式党员")[0].passage_id
    )


def test_changed_file_changes_the_cache_key(tmp_path: Path, monkeypatch, no_env_folder):
    folder = tmp_path / "kb"
    folder.mkdir()
    extra = folder / "extra.txt"
    extra.write_text(EXTRA_SPEECH, encoding="utf-8")
    cache_dir = tmp_path / "cache"
    monkeypatch.setattr(kb_module, "CACHE_MIN_BYTES", 100)

    KnowledgeBase.default(kb_dir=folder, cache_dir=cache_dir)
    (old_key,) = cache_dir.glob("kb-*.pickle")

    extra.write_text(EXTRA_SPEECH.replace("青橙驿站", "紫藤书屋"), encoding="utf-8")
    with monkeypatch.context() as mp:
        mp.setattr(kb_module, "build_index", _refuse_to_build)
        with pytest.raises(AssertionError, match="cache should have been used"):
            KnowledgeBase.default(kb_dir=folder, cache_dir=cache_dir)  # no stale cache is loaded

    rebuilt = KnowledgeBase.default(kb_dir=folder, cache_dir=cache_dir)
    keys = set(cache_dir.glob("kb-*.pickle"))
    assert len(keys) == 2 and old_key in keys
    assert rebuilt.search("紫藤书屋开放日多久举办一次")
    assert not any("青橙驿站" in p.text for p in rebuilt.passages)


def test_unreadable_cache_is_ignored(tmp_path: Path, monkeypatch, no_env_folder, caplog):
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "extra.txt").write_text(EXTRA_SPEECH, encoding="utf-8")
    cache_dir = tmp_path / "cache"
    monkeypatch.setattr(kb_module, "CACHE_MIN_BYTES", 100)
    KnowledgeBase.default(kb_dir=folder, cache_dir=cache_dir)
    (cache,) = cache_dir.glob("kb-*.pickle")
    cache.write_bytes(b"not a pickle")
    with caplog.at_level(logging.WARNING, logger="knowledge.base"):
        kb = KnowledgeBase.default(kb_dir=folder, cache_dir=cache_dir)
    assert any("cache" in r.getMessage() for r in caplog.records)
    assert kb.search("青橙驿站是什么")


def test_small_corpus_is_not_cached(tmp_path: Path, monkeypatch, no_env_folder):
    cache_dir = tmp_path / "cache"
    monkeypatch.setattr(kb_module, "CACHE_MIN_BYTES", 10**9)
    KnowledgeBase.from_files(shipped_corpus(), cache_dir=cache_dir)
    assert not cache_dir.exists()


def test_cache_dir_from_the_environment(tmp_path: Path, monkeypatch, no_env_folder):
    monkeypatch.setattr(kb_module, "CACHE_MIN_BYTES", 100)
    monkeypatch.setenv("BRANCHBOT_CACHE_DIR", str(tmp_path / "envcache"))
    KnowledgeBase.from_files(shipped_corpus())
    assert len(list((tmp_path / "envcache").glob("kb-*.pickle"))) == 1


def test_cache_key_file_name_is_a_hash(tmp_path: Path, monkeypatch, no_env_folder):
    monkeypatch.setattr(kb_module, "CACHE_MIN_BYTES", 100)
    KnowledgeBase.from_files(shipped_corpus(), cache_dir=tmp_path)
    (cache,) = tmp_path.glob("kb-*.pickle")
    assert re.fullmatch(r"kb-[0-9a-f]{24}\.pickle", cache.name)
