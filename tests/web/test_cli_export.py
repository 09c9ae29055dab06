"""``branchbot export``: a bad period is one Chinese line and exit 2; a good one writes the xlsx and the zip."""

from __future__ import annotations

import zipfile

import pytest
from openpyxl import load_workbook

from bot.cli import main


def test_bad_period(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/db.sqlite")
    assert main(["export", "--period", "2026-Q5", "--out", str(tmp_path / "x.xlsx")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "期间应写成" in err[0]
    assert not (tmp_path / "x.xlsx").exists()


def test_export_writes_ledger_and_zip(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/db.sqlite")
    monkeypatch.setenv("BRANCHBOT_DATA_DIR", str(tmp_path / "data"))
    out, evidence = tmp_path / "ledger.xlsx", tmp_path / "evidence.zip"
    assert main(["export", "--period", "2026-Q4", "--out", str(out), "--zip", str(evidence)]) == 0
    assert "2026年第四季度：导出 0 条记录、0 个文件" in capsys.readouterr().out
    assert load_workbook(out).sheetnames and zipfile.ZipFile(evidence).namelist() == []


@pytest.mark.parametrize(
    ("out", "zip_name", "says"),
    [
        ("no_such_folder/l.xlsx", None, "文件夹"),
        (".", None, "是一个文件夹"),
        ("l.csv", None, "以 .xlsx 结尾"),
        ("l.xlsx", "l.xlsx", "以 .zip 结尾"),
        ("l.xlsx", "e.txt", "以 .zip 结尾"),
        ("l.xlsx", "no_such_folder/e.zip", "文件夹"),
    ],
)
def test_a_path_that_cannot_be_written_is_one_chinese_line(
    capsys, monkeypatch, tmp_path, out, zip_name, says
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/db.sqlite")
    argv = ["export", "--period", "2026-11", "--out", out] + (["--zip", zip_name] if zip_name else [])
    assert main(argv) == 2
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and says in err[0] and "Traceback" not in captured.err
    assert not (tmp_path / "db.sqlite").exists()  # refused before anything was touched


def test_a_folder_given_as_the_zip_is_refused(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/db.sqlite")
    (tmp_path / "a.zip").mkdir()
    assert main(["export", "--period", "2026", "--out", "x.xlsx", "--zip", "a.zip"]) == 2
    assert "是一个文件夹" in capsys.readouterr().err
