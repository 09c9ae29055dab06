"""``branchbot export``: a bad period is one Chinese line and exit 2; a good one writes the xlsx and the zip."""

from __future__ import annotations

import zipfile

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
    assert "records 0" in capsys.readouterr().out
    assert load_workbook(out).sheetnames and zipfile.ZipFile(evidence).namelist() == []
