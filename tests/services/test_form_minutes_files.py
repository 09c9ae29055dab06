"""Several minutes files (会议记录 + 签到表, a document album, several PDFs), as pure functions over the draft's
data: a document right after the minutes joins them instead of being refused at the photos step."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from handlers.services.form.files import CheckedFile, IncomingFile
from handlers.services.form.intake import SILENT, accept_file, add_file, progress
from handlers.services.form.model import (
    MAX_MINUTES_DOCS,
    MINUTES_MORE,
    Act,
    Action,
    Input,
    Outcome,
    Reply,
    Step,
)
from handlers.services.form.prompts import summary
from handlers.services.form.steps import apply_input
from knowledge.activities import activity_by_code
from storage.files import FileType, StoredFile

TODAY = date(2026, 11, 20)
AK = activity_by_code("committee")
BASE = {"kind": "committee", "held_on": "2026-11-18", "topic": "学习", "place": "会议室", "details": {}}
PDF = FileType("document", "application/pdf", "pdf")
PNG = FileType("image", "image/png", "png")


def checked(n: int, kind: FileType = PDF, group: str | None = None) -> CheckedFile:
    return CheckedFile(IncomingFile(f"fid{n}", f"uid{n}", f"file {n}".encode(), group), kind)


def stored(c: CheckedFile) -> StoredFile:
    data = c.incoming.data
    return StoredFile(hashlib.sha256(data).hexdigest(), len(data), c.type.mime, c.type.extension)


def add(step: str, data: dict, c: CheckedFile) -> Reply | tuple[dict, str, Reply]:
    return add_file(step, AK, data, c, stored(c), TODAY)


def added(step: str, data: dict, c: CheckedFile) -> tuple[dict, str, Reply]:
    result = add(step, data, c)
    assert not isinstance(result, Reply), result.text
    return result


def test_one_document_moves_on_to_the_photos_as_before() -> None:
    data, step, reply = added(Step.MINUTES, BASE, checked(1))
    assert step == Step.PHOTOS
    assert reply.text.startswith("已收到会议记录文件。\n\n【支部委员会】请发送活动照片")
    assert [f["unique_id"] for f in data["minutes_files"]] == ["uid1"]


def test_a_document_sent_next_joins_the_minutes() -> None:
    data, step, _ = added(Step.MINUTES, BASE, checked(1))
    data, step, reply = added(step, data, checked(2))
    assert step == Step.PHOTOS
    assert reply.text == "已作为会议记录的附件保存（共2份）。现在请发送活动照片。"
    assert reply.buttons[0][0][1] == Action(Act.DONE, Step.PHOTOS)  # the photos' 完成, named so
    assert [f["unique_id"] for f in data["minutes_files"]] == ["uid1", "uid2"]
    assert all(f["doc"] for f in data["minutes_files"]) and data["minutes_text"] is None


def test_an_album_of_documents_is_kept_whole_and_told_once() -> None:
    data, step, reply = added(Step.MINUTES, BASE, checked(1, group="g"))
    assert (step, reply) == (Step.PHOTOS, SILENT)
    data, step, reply = added(step, data, checked(2, group="g"))
    assert (step, reply) == (Step.PHOTOS, SILENT)
    told = progress(step, data, TODAY)
    assert told.text.startswith("已收到会议记录文件 2 份。\n\n【支部委员会】请发送活动照片，至少")
    assert [f["unique_id"] for f in data["minutes_files"]] == ["uid1", "uid2"]


def test_after_a_photo_or_any_input_a_document_is_refused_again() -> None:
    data, step, _ = added(Step.MINUTES, BASE, checked(1))
    with_photo, _, reply = added(step, data, checked(2, PNG))
    assert reply.text.startswith("已收到 1 张照片。") and MINUTES_MORE not in with_photo
    refused = add(step, with_photo, checked(3))
    assert isinstance(refused, Reply) and refused.text.startswith("这一步请发送活动照片（图片）")
    cleared = apply_input(step, data, Input(action=Action(Act.CLEAR)), TODAY)
    assert cleared.outcome is Outcome.STAY and MINUTES_MORE not in cleared.data
    refused = add(step, cleared.data, checked(3))
    assert isinstance(refused, Reply) and refused.text.startswith("这一步请发送活动照片（图片）")


def test_a_document_at_the_photos_step_without_minutes_files_is_refused() -> None:
    data = {**BASE, "minutes_text": "会议由书记主持，传达学习了上级文件精神。", "minutes_files": []}
    refused = add(Step.PHOTOS, data, checked(1))
    assert isinstance(refused, Reply) and refused.text.startswith("这一步请发送活动照片（图片）")


def test_more_than_the_cap_is_refused_and_nothing_is_lost() -> None:
    data, step, _ = added(Step.MINUTES, BASE, checked(0))
    for n in range(1, MAX_MINUTES_DOCS):
        data, step, _ = added(step, data, checked(n))
    assert len(data["minutes_files"]) == MAX_MINUTES_DOCS
    assert accept_file(step, data, "uid99", today=TODAY) is None  # judged once the type is known
    refused = add(step, data, checked(99))
    assert isinstance(refused, Reply)
    assert refused.text == (
        f"会议记录文件最多{MAX_MINUTES_DOCS}份，这份没有保存，已保存的{MAX_MINUTES_DOCS}份不变。现在请发送活动照片。"
    )
    # a photo still counts as a photo
    data, step, reply = added(step, data, checked(100, PNG))
    assert reply.text.startswith("已收到 1 张照片。") and len(data["minutes_files"]) == MAX_MINUTES_DOCS


def test_handwritten_pages_then_a_document_keeps_both() -> None:
    data, step, reply = added(Step.MINUTES, BASE, checked(1, PNG))
    data, step, reply = added(step, data, checked(2, PNG))
    assert (step, reply.text.startswith("已收到会议记录照片 2 页。")) == (Step.MINUTES, True)
    data, step, reply = added(step, data, checked(3))
    assert step == Step.PHOTOS and [f["unique_id"] for f in data["minutes_files"]] == ["uid1", "uid2", "uid3"]
    assert "会议记录：手写记录照片2页，已上传文件" in summary(AK, data).text


def test_the_summary_counts_the_files() -> None:
    data, step, _ = added(Step.MINUTES, BASE, checked(1))
    assert "会议记录：已上传文件\n" in summary(AK, data).text
    for n in (2, 3):
        data, step, _ = added(step, data, checked(n))
    assert "会议记录：已上传文件3份\n" in summary(AK, data).text


def test_amending_the_minutes_replaces_every_file_and_takes_several_again() -> None:
    data, step, _ = added(Step.MINUTES, BASE, checked(1))
    for n in (2, 3):
        data, step, _ = added(step, data, checked(n))
    data = {**data, "photos": [{"unique_id": "p"}, {"unique_id": "q"}]}
    data.pop(MINUTES_MORE)
    edit = apply_input(Step.SUMMARY, data, Input(action=Action(Act.EDIT, Step.MINUTES)), TODAY)
    assert edit.target == Step.MINUTES and edit.data["minutes_files"] == []
    data, step, reply = added(Step.MINUTES, edit.data, checked(4))
    assert step == Step.SUMMARY and reply.text.startswith("已收到会议记录文件。\n\n请核对")
    data, step, reply = added(step, data, checked(5))
    assert step == Step.SUMMARY
    assert reply.text.startswith("已作为会议记录的附件保存（共2份）。\n\n请核对【支部委员会】记录：")
    assert [f["unique_id"] for f in data["minutes_files"]] == ["uid4", "uid5"]
    assert reply.buttons[0][0][1] == Action(Act.CONFIRM)
    # a picture at the summary is still not taken
    refused = add(step, data, checked(6, PNG))
    assert isinstance(refused, Reply) and refused.text.startswith("这一步不需要发送文件。")


@pytest.mark.parametrize("step", [Step.SUMMARY, Step.TOPIC])
def test_a_document_at_another_step_is_refused_before_the_download(step: str) -> None:
    reply = accept_file(step, {**BASE, "minutes_files": []}, "uid1", today=TODAY)
    assert reply is not None and reply.text.startswith("这一步不需要发送文件。")
