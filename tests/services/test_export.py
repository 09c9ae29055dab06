"""The ledger export: the workbook's sheets and cells, the evidence zip, the scope; flat memory at 10,000 records."""

from __future__ import annotations

import threading
import time
import zipfile
from datetime import date, datetime

import psutil
import pytest
from openpyxl import load_workbook

from handlers.services.clock import SHANGHAI, FixedClock
from handlers.services.export import LedgerExporter
from handlers.services.review import ReviewService
from handlers.services.status import StatusService
from handlers.services.supervision import Viewer
from storage.files import LocalFileStore
from tests.services.ledger_data import fill
from tests.services.supervision_world import (
    ADMIN,
    ADMINS,
    SEC_A,
    SEC_C,
    SUPERVISOR,
    World,
    add_record,
    jpeg,
    make_world,
    spec_for,
    stored_photo,
)

PDF = b"%PDF-1.4\n" + b"minutes " * 200


def exporter(world: World) -> LedgerExporter:
    return LedgerExporter(
        world.factory, world.clock, world.store, StatusService(world.factory, world.clock, ADMINS)
    )


async def _seed(world: World) -> dict[str, int]:
    photos = [await stored_photo(world, jpeg(color=(i * 40, 0, 0)), i) for i in range(2)]
    await world.store.put(PDF)
    theme = await add_record(
        world, world.a, SEC_A, held_on=date(2026, 11, 2), topic="=HYPERLINK(\"http://x\")",
        files=[*photos, spec_for(PDF, 0, role="minutes", mime="application/pdf")],
        expected=10, actual=9, absentees=[{"name": "李四", "reason": "病假"}],
        details={"six_items": ["学习讨论", "志愿服务"], "x_items": "参观\x07展览"},
    )  # fmt: skip
    committee = await add_record(
        world, world.a, SEC_A, kind="committee", period="2026-10", held_on=date(2026, 10, 9)
    )
    assembly = await add_record(
        world, world.a, SEC_A, kind="assembly", period="2026-Q4", held_on=date(2026, 12, 1)
    )
    await add_record(
        world, world.a, SEC_A, kind="review", period="2026", held_on=date(2026, 3, 1)
    )  # not in Q4
    other = await add_record(world, world.c, SEC_C, held_on=date(2026, 11, 5), minutes_text="会议记录正文")
    review = ReviewService(world.factory, world.clock, ADMINS)
    await review.return_record(ADMIN, committee, "缺少签到表")
    await review.pass_record(ADMIN, assembly)
    return {"theme": theme, "committee": committee, "assembly": assembly, "other": other}


async def test_workbook_and_zip(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)
    ids = await _seed(world)
    calls: list[tuple[int, int]] = []
    result = await exporter(world).export_ledger(
        "2026-Q4",
        None,
        tmp_path / "ledger.xlsx",
        tmp_path / "evidence.zip",
        progress=lambda d, t: calls.append((d, t)),
    )
    # The yearly 述职评议 held in March counts as done in Q4, so its record is listed too.
    assert (result.records, result.files, result.missing_files) == (5, 3, [])
    assert calls[0] == (0, 5) and calls[-1] == (5, 5)
    assert not list(tmp_path.glob("*.part"))

    wb = load_workbook(tmp_path / "ledger.xlsx")
    assert wb.sheetnames[:4] == ["汇总", "主题党日", "支部委员会", "党小组会"] and len(wb.sheetnames) == 9
    summary = wb["汇总"]
    assert summary["A1"].value == "党支部活动台账 · 2026年第四季度"
    assert [c.value for c in summary[3]][:4] == ["支部", "单位", "主题党日", "支部委员会"]
    # The branches were created on 2026-11-20: October is not owed (its returned committee record still counts).
    assert summary["A4"].value == "第一支部" and summary["C4"].value == "待审核 0/2（1期未开始）"
    assert (
        summary["D4"].value == "未完成 0/3（1期未开始）" and summary["E4"].value == "未完成 0/2（1期未开始）"
    )
    assert summary.freeze_panes == "C4"

    theme = wb["主题党日"]
    head = [c.value for c in theme[1]]
    assert head[:6] == ["记录编号", "支部", "单位", "期间", "活动日期", "主题"] and "“6”项内容" in head
    assert theme.freeze_panes == "B2" and theme.column_dimensions["F"].width == 36
    rows = [[c.value for c in row] for row in theme.iter_rows(min_row=2)]
    assert [r[1] for r in rows] == ["第一支部", "第三支部"]
    first = dict(zip(head, rows[0], strict=True))
    assert first["主题"] == '=HYPERLINK("http://x")' and theme["F2"].data_type == "s"  # text, not a formula
    assert first["活动日期"] == datetime(2026, 11, 2) and theme["E2"].is_date
    assert first["“6”项内容"] == "学习讨论、志愿服务" and first["“X”自选活动"] == "参观展览"
    assert (first["应到"], first["实到"], first["缺席人数"], first["缺席人员及原因"]) == (
        10,
        9,
        1,
        "李四（病假）",
    )
    assert first["审核状态"] == "待审核" and first["照片数"] == 2 and isinstance(first["提交时间"], datetime)
    assert (
        first["照片文件"].split("\n")[0]
        == f"001-第一支部/主题党日/2026-11-02/JL2026-{ids['theme']:06d}-照片1.jpg"
    )
    assert dict(zip(head, rows[1], strict=True))["会议记录"] == "会议记录正文"
    committee = dict(
        zip([c.value for c in wb["支部委员会"][1]], [c.value for c in wb["支部委员会"][2]], strict=True)
    )
    assert committee["审核状态"] == "已退回" and committee["退回意见"] == "缺少签到表"
    assert wb["党员大会"].max_row == 2 and wb["述职评议"].max_row == 2
    assert summary["J4"].value == "待审核" and wb["述职评议"]["E2"].value == datetime(2026, 3, 1)

    _check_zip(tmp_path / "evidence.zip", ids["theme"])


async def test_long_texts_wrap_in_their_columns(session_factory, tmp_path):
    """The minutes (and the other long texts) ran on in one line: WRAP was defined but never applied (review 82)."""
    world = await make_world(session_factory, tmp_path)
    await add_record(
        world, world.a, SEC_A, held_on=date(2026, 11, 2), minutes_text="会议记录：" + "学习全会精神。" * 300,
        absentees=[{"name": "李四", "reason": "病假"}], details={"six_items": ["学习讨论"], "x_items": "参观"},
    )  # fmt: skip
    await exporter(world).export_ledger("2026-11", None, tmp_path / "l.xlsx", tmp_path / "e.zip")
    theme = load_workbook(tmp_path / "l.xlsx")["主题党日"]
    columns = {c.value: c.column_letter for c in theme[1]}
    for name in ("主题", "缺席人员及原因", "会议记录"):
        cell = theme[f"{columns[name]}2"]
        assert cell.value and cell.alignment.wrap_text and cell.alignment.vertical == "top", name
    assert not theme[f"{columns['记录编号']}2"].alignment.wrap_text  # short values stay as they were


async def test_periods_before_the_branch_existed_are_not_in_the_ledger(session_factory, tmp_path):
    """Created 2026-11-20, exported on 2 December: October is 未成立 and not overdue; November is overdue."""
    world = await make_world(session_factory, tmp_path)
    world.clock.current = datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)
    await exporter(world).export_ledger("2026-Q4", None, tmp_path / "q.xlsx")
    await exporter(world).export_ledger("2026-10", None, tmp_path / "m.xlsx")

    summary = load_workbook(tmp_path / "q.xlsx")["汇总"]
    row = [c.value for c in summary[4]]
    assert row[2] == "未完成 0/2（逾期）" and summary["C4"].fill.start_color.rgb.endswith("FFC7CE")
    # 已完成 待审核 已退回 未完成 免提醒 逾期: 4 monthly kinds x 2 months + 3 quarterly + 1 yearly; November late
    assert row[-6:] == [0, 0, 0, 12, 0, 4]
    october = load_workbook(tmp_path / "m.xlsx")["汇总"]
    row = [c.value for c in october[4]]
    assert row[2] == "未成立" and october["C4"].fill.start_color.rgb in (None, "00000000")
    # The quarter and the year are seen as of 31 October too: the branch did not exist yet, nothing was owed.
    assert row[-6:] == [0, 0, 0, 0, 0, 0]


async def test_the_submitter_is_named(session_factory, tmp_path):
    """提交人: the secretary's name as stored when they joined; the id only for a user the bot knows no name of."""
    world = await make_world(session_factory, tmp_path)
    await add_record(world, world.a, SEC_A, held_on=date(2026, 11, 2))
    await add_record(world, world.c, 123_456, held_on=date(2026, 11, 3))  # no longer anyone's secretary
    await exporter(world).export_ledger("2026-11", None, tmp_path / "m.xlsx")

    theme = load_workbook(tmp_path / "m.xlsx")["主题党日"]
    head = [c.value for c in theme[1]]
    rows = [dict(zip(head, [c.value for c in row], strict=True)) for row in theme.iter_rows(min_row=2)]
    assert [r["提交人"] for r in rows] == [f"书记{SEC_A}", 123_456]


def _check_zip(path, theme: int) -> None:
    with zipfile.ZipFile(path) as zf:
        infos = {i.filename: i for i in zf.infolist()}
        assert zf.testzip() is None
    folder = "001-第一支部/主题党日/2026-11-02"
    assert sorted(infos) == sorted(
        f"{folder}/JL2026-{theme:06d}-{name}" for name in ("照片1.jpg", "照片2.jpg", "会议记录1.pdf")
    )
    assert infos[f"{folder}/JL2026-{theme:06d}-照片1.jpg"].compress_type == zipfile.ZIP_STORED
    assert infos[f"{folder}/JL2026-{theme:06d}-会议记录1.pdf"].compress_type == zipfile.ZIP_DEFLATED


async def test_scope_missing_files_and_bad_periods(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)
    await _seed(world)
    viewer = Viewer(SUPERVISOR, supervised=frozenset({world.a, world.b}))
    pdf = spec_for(PDF, 0, role="minutes", mime="application/pdf")
    await world.store.delete(pdf["sha256"])
    result = await exporter(world).export_ledger("2026-11", viewer, tmp_path / "l.xlsx", tmp_path / "e.zip")
    assert (
        result.records == 2 and result.files == 2
    )  # November's 主题党日, the 述职评议 held in March and result.missing_files[0].endswith("会议记录1.pdf")
    wb = load_workbook(tmp_path / "l.xlsx")
    assert [r[0].value for r in wb["汇总"].iter_rows(min_row=4, max_row=5)] == ["第一支部", "第二支部"]
    assert [r[1].value for r in wb["主题党日"].iter_rows(min_row=2)] == ["第一支部"]
    only_xlsx = await exporter(world).export_ledger("2026", frozenset({world.c}), tmp_path / "y.xlsx")
    assert only_xlsx.zip_path is None and only_xlsx.records == 1
    with pytest.raises(ValueError, match="2026-Q4"):
        # "2026年" reads as the year since helper-96 (the bot writes periods so); a fifth quarter is junk
        await exporter(world).export_ledger("2026年第五季度", None, tmp_path / "x.xlsx")


RECORDS = 10_000
RSS_GROWTH_LIMIT = 80 * 2**20


class PeakRss:
    """Samples the process's resident memory every 10 ms in a thread (cheap, unlike tracemalloc)."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.base = self.peak = self.process.memory_info().rss
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.wait(0.01):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


async def test_ten_thousand_records_stream_with_flat_memory(session_factory, tmp_path):
    """The growth of resident memory during the export stays far below what 10,000 rows held at once would take
    (``bench/export.py`` measures Python's peak with tracemalloc at 10,000 and 50,000 records)."""
    clock = FixedClock(datetime(2026, 12, 20, 12, 0, tzinfo=SHANGHAI))
    store = LocalFileStore(tmp_path / "data")
    photo = jpeg(64, 48)
    await store.put(photo)
    await fill(session_factory, photo, RECORDS)
    ledger = LedgerExporter(session_factory, clock, store, StatusService(session_factory, clock, ADMINS))

    started = time.perf_counter()
    with PeakRss() as rss:
        result = await ledger.export_ledger("2026-Q4", None, tmp_path / "big.xlsx", tmp_path / "big.zip")
    seconds = time.perf_counter() - started
    growth = rss.peak - rss.base
    print(f"\nexport of {RECORDS} records: {seconds:.1f} s, resident memory grew {growth / 2**20:.1f} MiB")
    assert result.records == RECORDS and result.files == RECORDS
    assert growth < RSS_GROWTH_LIMIT
    wb = load_workbook(tmp_path / "big.xlsx", read_only=True)
    rows = sum(1 for name in wb.sheetnames[1:] for _ in wb[name].iter_rows(min_row=2, values_only=True))
    wb.close()
    assert rows == RECORDS
    with zipfile.ZipFile(tmp_path / "big.zip") as zf:
        assert len(zf.infolist()) == RECORDS


async def test_kind_totals_count_every_state_the_branch_columns_count(session_factory, tmp_path):
    """A returned record is in a per-kind total (合计：已退回), so each kind's totals add up to what was owed."""
    world = await make_world(session_factory, tmp_path)
    await _seed(world)
    await exporter(world).export_ledger("2026-Q4", None, tmp_path / "ledger.xlsx")
    summary = load_workbook(tmp_path / "ledger.xlsx")["汇总"]
    totals = {
        row[0].value: [c.value for c in row[2:]]
        for row in summary.iter_rows(min_row=4)
        if str(row[0].value).startswith("合计：")
    }
    assert list(totals) == [f"合计：{h}" for h in ("已完成", "待审核", "已退回", "未完成", "免提醒", "逾期")]
    committee = 1  # the second kind column: 支部委员会, returned in October, missing in Nov and Dec
    assert totals["合计：已退回"][committee] == 1
    rows = [[c.value for c in row] for row in summary.iter_rows(min_row=4)]
    grand = next(r for r in rows if r[0] == "总计")[-6:]
    kinds = len(totals["合计：已完成"]) - 6
    assert [
        sum(values[:kinds]) for values in totals.values()
    ] == grand  # kinds' totals add up to the grand total
    assert "“已退回”指记录被退回" in summary["A2"].value


async def test_a_view_that_is_over_counts_longer_slots_as_of_its_last_day(session_factory, tmp_path):
    """A yearly 述职评议 held on 31 December counts neither in November's ledger (summary, sheet) nor in /status
    of November; a branch created after Q3 is 未成立 in Q3 although it has a yearly record (D11)."""
    world = await make_world(session_factory, tmp_path)  # branches created 20 November 2026
    review = ReviewService(world.factory, world.clock, ADMINS)
    done = await add_record(world, world.a, SEC_A, kind="review", period="2026", held_on=date(2026, 12, 31))
    await review.pass_record(ADMIN, done)
    await add_record(world, world.c, SEC_C, kind="review", period="2026", held_on=date(2026, 12, 31))
    world.clock.current = datetime(2027, 1, 2, 10, 0, tzinfo=SHANGHAI)

    result = await exporter(world).export_ledger("2026-11", None, tmp_path / "m.xlsx")
    wb = load_workbook(tmp_path / "m.xlsx")
    assert result.records == 0 and wb["述职评议"].max_row == 1
    assert [wb["汇总"].cell(row, 10).value for row in (4, 6)] == [
        "未完成",
        "未完成",
    ]  # not overdue in November
    status = StatusService(world.factory, world.clock, ADMINS)
    november = await status.matrix(ADMIN, "2026-11")
    assert {r.cells["review"].state for r in november.rows} == {"missing"}
    assert not any(r.cells["review"].overdue for r in november.rows)

    await exporter(world).export_ledger("2026-Q3", None, tmp_path / "q3.xlsx")
    q3 = load_workbook(tmp_path / "q3.xlsx")
    assert [q3["汇总"].cell(row, 10).value for row in (4, 5, 6)] == ["未成立"] * 3
    assert q3["述职评议"].max_row == 1
    assert {r.cells["review"].state for r in (await status.matrix(ADMIN, "2026-Q3")).rows} == {"na"}

    year = await status.matrix(ADMIN, "2026")  # the year's own view counts them
    assert [r.cells["review"].state for r in year.rows] == ["recorded", "missing", "waiting"]
    assert year.rows[1].cells["review"].overdue


async def test_photos_are_numbered_within_the_photos(session_factory, tmp_path):
    """The form stores the minutes first and numbers every file (minutes 0, photos 1 and 2): the ledger and the zip
    still call the photos 照片1 and 照片2, not 照片2 and 照片3."""
    world = await make_world(session_factory, tmp_path)
    await world.store.put(PDF)
    minutes = spec_for(PDF, 0, role="minutes", mime="application/pdf")
    photos = [await stored_photo(world, jpeg(color=(i * 40, 0, 0)), i + 1) for i in range(2)]
    record = await add_record(world, world.a, SEC_A, files=[minutes, *photos])
    await exporter(world).export_ledger("2026-11", None, tmp_path / "l.xlsx", tmp_path / "e.zip")

    prefix = f"001-第一支部/主题党日/2026-11-02/JL2026-{record:06d}-"
    with zipfile.ZipFile(tmp_path / "e.zip") as zf:
        assert sorted(zf.namelist()) == sorted(
            prefix + n for n in ("会议记录1.pdf", "照片1.jpg", "照片2.jpg")
        )
    theme = load_workbook(tmp_path / "l.xlsx")["主题党日"]
    row = dict(zip([c.value for c in theme[1]], [c.value for c in theme[2]], strict=True))
    assert row["照片文件"] == f"{prefix}照片1.jpg\n{prefix}照片2.jpg"
    assert row["会议记录文件"] == f"{prefix}会议记录1.pdf"


async def test_several_minutes_files_are_all_exported(session_factory, tmp_path):
    """The minutes, the sign-in sheet and an annex (the form keeps several minutes files): each in the zip, in order,
    and listed in the ledger's 会议记录文件 cell."""
    world = await make_world(session_factory, tmp_path)
    docs = [PDF + bytes([i]) for i in range(3)]
    for data in docs:
        await world.store.put(data)
    minutes = [spec_for(data, i, role="minutes", mime="application/pdf") for i, data in enumerate(docs)]
    photo = await stored_photo(world, jpeg(color=(0, 0, 90)), 3)
    record = await add_record(world, world.a, SEC_A, files=[*minutes, photo])
    await exporter(world).export_ledger("2026-11", None, tmp_path / "l.xlsx", tmp_path / "e.zip")

    prefix = f"001-第一支部/主题党日/2026-11-02/JL2026-{record:06d}-"
    names = [prefix + f"会议记录{i}.pdf" for i in (1, 2, 3)]
    with zipfile.ZipFile(tmp_path / "e.zip") as zf:
        assert sorted(zf.namelist()) == sorted([*names, prefix + "照片1.jpg"])
        assert [zf.read(n) for n in names] == docs
    theme = load_workbook(tmp_path / "l.xlsx")["主题党日"]
    row = dict(zip([c.value for c in theme[1]], [c.value for c in theme[2]], strict=True))
    assert row["会议记录文件"] == "\n".join(names)


def test_a_long_branch_name_is_cut_to_a_name_a_file_system_takes():
    from handlers.services.export import PART_BYTES, path_part

    name = "某某某某科技集团有限公司第一分公司党支部" * 5  # 100 characters, 300 bytes in UTF-8
    part = path_part(f"003-{name}")
    assert (
        len(part.encode()) <= PART_BYTES < 255 and part.startswith("003-某某") and name.startswith(part[4:])
    )
    assert path_part("a/b: c?") == "a_b_ c_" and path_part(" . ") == "_"
