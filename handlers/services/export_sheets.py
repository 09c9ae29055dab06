"""The ledger workbook's sheets (openpyxl, write-only): the summary matrix and one sheet per activity kind.

Every text a user typed goes into a cell as text, never as a formula (a topic "=HYPERLINK(...)" stays text), with
the characters Excel refuses removed. Dates are real dates, times local and real.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook

from handlers.services.closures import closure_label
from handlers.services.form.display import record_number
from handlers.services.history import REVIEW_LABELS
from handlers.services.status import STATE_LABELS, Cell, StatusMatrix, Totals
from knowledge.activities import ActivityKind
from storage.models import ActivityRecord, Branch

BOLD = Font(bold=True)
OVERDUE = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
WRAP = Alignment(wrap_text=True, vertical="top")  # the long texts: topic, absentees, minutes, files, comment
LONG_FIELD = 100  # a kind's field longer than this (characters) is a long text: a wider column, wrapped

COMMON_HEAD = [
    ("记录编号", 16),
    ("支部", 24),
    ("单位", 24),
    ("期间", 10),
    ("活动日期", 12),
    ("主题", 36),
    ("地点", 20),
    ("应到", 6),
    ("实到", 6),
    ("缺席人数", 8),
    ("缺席人员及原因", 30),
]
TAIL_HEAD = [
    ("会议记录", 50),
    ("会议记录文件", 40),
    ("照片数", 8),
    ("照片文件", 50),
    ("审核状态", 10),
    ("退回意见", 30),
    ("提交人", 14),
    ("提交时间", 18),
    ("最后更新", 18),
]


def text_cell(
    ws: Any, value: object, *, bold: bool = False, fill: PatternFill | None = None, wrap: bool = False
) -> Any:
    """``value`` as text (never a formula), without the control characters Excel refuses.

    A plain string goes in as it is (openpyxl stores it as text); one that starts with "=" or needs a style
    becomes a cell whose type is forced to text. ``wrap``: a long text (minutes, a list of names) wraps in
    its column, top-aligned, instead of running on in one line.
    """
    if value is None:
        return None
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if not (bold or fill is not None or wrap or text.startswith("=")):
        return text
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    if bold:
        cell.font = BOLD
    if fill is not None:
        cell.fill = fill
    if wrap:
        cell.alignment = WRAP
    return cell


def date_cell(ws: Any, value: date | datetime | None, tz: tzinfo | None = None) -> Any:
    """A real date (or a local date and time): openpyxl gives it a date format of its own."""
    if isinstance(value, datetime):
        return value.astimezone(tz).replace(tzinfo=None)
    return value


def _set_widths(ws: Any, widths: Sequence[int]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def kind_head(kind: ActivityKind) -> list[tuple[str, int]]:
    return (
        COMMON_HEAD + [(f.label, 24 if f.max_length <= LONG_FIELD else 36) for f in kind.fields] + TAIL_HEAD
    )


def kind_sheet(wb: Workbook, kind: ActivityKind) -> Any:
    """A sheet for one kind: widths, frozen header row, the header."""
    ws = wb.create_sheet(kind.name[:31])
    head = kind_head(kind)
    _set_widths(ws, [w for _, w in head])
    ws.freeze_panes = "B2"
    ws.append([text_cell(ws, label, bold=True) for label, _ in head])
    return ws


def detail_value(value: object) -> object:
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return value


@dataclass(frozen=True, slots=True)
class RowFiles:
    """The evidence file names of a record as laid out in the zip."""

    minutes: list[str]
    photos: list[str]


def record_row(
    ws: Any,
    kind: ActivityKind,
    record: ActivityRecord,
    branch: Branch | None,
    files: RowFiles,
    comment: str | None,
    tz: tzinfo,
    submitter: str | None = None,
) -> list[Any]:
    """One record's row; ``submitter``: the submitter's name as the bot knows it (their id when unknown)."""
    absentees = record.absentees or []
    details = record.details or {}
    cells: list[Any] = [
        text_cell(ws, record_number(record.id, record.held_on)),
        text_cell(ws, branch.name if branch else record.branch_id),
        text_cell(ws, branch.org_name if branch else None),
        text_cell(ws, record.period),
        date_cell(ws, record.held_on),
        text_cell(ws, record.topic, wrap=True),
        text_cell(ws, record.place),
        record.expected,
        record.actual,
        len(absentees),
        text_cell(
            ws,
            "；".join(f"{a.get('name')}（{a.get('reason') or '未说明'}）" for a in absentees) or None,
            wrap=True,
        ),
    ]
    for spec in kind.fields:
        value = detail_value(details.get(spec.key))
        cells.append(
            value
            if isinstance(value, int) and not isinstance(value, bool)
            else text_cell(ws, value, wrap=spec.max_length > LONG_FIELD)
        )
    cells += [
        text_cell(ws, record.minutes_text, wrap=True),
        text_cell(ws, "\n".join(files.minutes) or None, wrap=True),
        len(files.photos),
        text_cell(ws, "\n".join(files.photos) or None, wrap=True),
        text_cell(ws, REVIEW_LABELS.get(record.review_state, record.review_state)),
        text_cell(ws, comment, wrap=True),
        text_cell(ws, submitter) if submitter else record.submitted_by,
        date_cell(ws, record.created_at, tz),
        date_cell(ws, record.updated_at, tz),
    ]
    return cells


def cell_text(cell: Cell) -> str:
    """One summary cell: the state, and for several periods how many of those owed are done, e.g. "未完成 1/3"
    (periods that ended before the branch was created are not owed; a cell of only those reads "未成立")."""
    text = STATE_LABELS[cell.state]
    if len(cell.slots) > 1 and cell.owed:
        text += f" {cell.counts['recorded']}/{cell.owed}" + (f"（{cell.note}）" if cell.note else "")
    if cell.mute_reasons:  # the secretary is told the ledger names it (helper-87's review)
        text += f"（免提醒原因：{'；'.join(cell.mute_reasons)}）"
    return text + ("（逾期）" if cell.overdue else "")


def totals_text(totals: Totals) -> list[int]:
    s = totals.slots
    return [s["recorded"], s["waiting"], s["returned"], s["missing"], s["muted"], totals.overdue]


TOTALS_HEAD = ["已完成", "待审核", "已退回", "未完成", "免提醒", "逾期"]
TOTALS_STATES = ("recorded", "waiting", "returned", "missing", "muted", None)  # None: the overdue count


def summary_sheet(wb: Workbook, matrix: StatusMatrix) -> None:
    """The compliance matrix: a title, a header, a row per branch, a totals row per kind."""
    ws = wb.create_sheet("汇总")
    kinds = matrix.kinds
    _set_widths(ws, [28, 24] + [14] * len(kinds) + [8] * len(TOTALS_HEAD))
    ws.freeze_panes = "C4"
    ws.append([text_cell(ws, f"党支部活动台账 · {matrix.period.label}", bold=True)])
    note = (
        f"统计截至 {matrix.as_of:%Y-%m-%d}；“已完成”指审核通过；"
        "“已退回”指记录被退回、尚未重新通过，与“未完成”一样仍须补齐；"
        "“免提醒”只停发提醒，仍计未完成；“无需开展”指挂靠建或没有正式党员的支部不单独开展活动，"
        "正式党员不足7名的支部不设支部委员会、一般不划分党小组；"
        "“已撤销”指该期结束时支部已撤销，不计应完成；“未成立”指该期结束时支部尚未成立，不计应完成。"
    )
    ws.append([text_cell(ws, note)])
    head = ["支部", "单位"] + [k.name for k in kinds] + TOTALS_HEAD
    ws.append([text_cell(ws, h, bold=True) for h in head])
    for row in matrix.rows:
        name = f"{row.name} · {closure_label(row.closed)}" if row.closed else row.name
        cells = [text_cell(ws, name), text_cell(ws, row.org_name)]
        for kind in kinds:
            cell = row.cells[kind.code]
            cells.append(text_cell(ws, cell_text(cell), fill=OVERDUE if cell.overdue else None))
        ws.append(cells + totals_text(row.totals))
    # One totals row per column of the branches' totals, so each kind's rows add up to the periods it was owed.
    for label, index in zip(TOTALS_HEAD, TOTALS_STATES, strict=True):
        values = [
            matrix.kind_totals[k.code].overdue if index is None else matrix.kind_totals[k.code].slots[index]
            for k in kinds
        ]
        ws.append([text_cell(ws, f"合计：{label}", bold=True), None, *values])
    ws.append([text_cell(ws, "总计", bold=True), None, *([None] * len(kinds)), *totals_text(matrix.totals)])
