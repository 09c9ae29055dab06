"""/status on a phone: one line per branch with a symbol per activity kind, a legend, counts per kind (HTML)."""

from __future__ import annotations

from html import escape

from handlers.services.closures import closure_label
from handlers.services.status import Cell, StatusMatrix, Totals

SYMBOLS = {
    "recorded": "✅",
    "waiting": "⏳",
    "returned": "↩️",
    "missing": "❌",
    "muted": "🔕",
    "upcoming": "◇",
    "exempt": "○",
    "closed": "⊘",
    "na": "—",
}
UNCOUNTED = ("exempt", "closed", "na")  # slots not owed: shown in the branch's line, left out of the counts
OVERDUE = "❗"
NUMBERS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫"
LEGEND = "图例：✅已完成 ⏳待审核 ↩️已退回 ❌未完成 ❗已逾期 🔕未完成（免提醒） ◇未开始 ○无需开展 ⊘支部已撤销 —支部未成立"
LIMIT = 4096


def symbol(cell: Cell) -> str:
    if cell.overdue and cell.state in ("missing", "muted", "returned"):
        return OVERDUE
    return SYMBOLS.get(cell.state, "?")


def counts(totals: Totals) -> str:
    parts = [f"{SYMBOLS[s]}{totals.slots[s]}" for s in SYMBOLS if totals.slots[s] and s not in UNCOUNTED]
    if totals.overdue:
        parts.append(f"{OVERDUE}{totals.overdue}")
    return " ".join(parts) or "—"


def status_lines(matrix: StatusMatrix) -> list[str]:
    """Head, legend, the kinds numbered, one line per branch, then the counts per kind."""
    kinds = matrix.kinds
    lines = [
        f"<b>活动完成情况 · {escape(matrix.period.label)}</b>（截至 {matrix.as_of:%m-%d}）",
        LEGEND,
        "类型：" + " ".join(f"{NUMBERS[i]}{escape(k.name)}" for i, k in enumerate(kinds)),
        "",
    ]
    if not matrix.rows:
        lines.append("还没有党支部。")
    for row in matrix.rows:
        marks = "".join(symbol(row.cells[k.code]) for k in kinds)
        closed = f" · {closure_label(row.closed)}" if row.closed else ""
        lines.append(f"{marks}  {escape(row.name)}{closed}")
    lines += ["", "<b>按类型统计</b>（支部数 × 期数）"]
    for i, k in enumerate(kinds):
        lines.append(f"{NUMBERS[i]}{escape(k.name)}：{counts(matrix.kind_totals[k.code])}")
    lines.append(f"合计：{counts(matrix.totals)}")
    return lines


def split_messages(lines: list[str], limit: int = LIMIT) -> list[str]:
    """Lines joined into messages of at most ``limit`` characters (a longer single line is cut)."""
    return [text for text, _ in split_tagged([(line, None) for line in lines], limit)]


def split_tagged(pieces: list[tuple[str, int | None]], limit: int = LIMIT) -> list[tuple[str, list[int]]]:
    """Pieces of text (lines, or blocks of lines never cut between two messages) joined into messages of at
    most ``limit`` characters (a longer single piece is cut), each with the tags of the pieces it holds (None:
    no tag)."""
    messages: list[tuple[str, list[int]]] = []
    current, tags = "", []
    for piece, tag in pieces:
        piece = piece[:limit]
        candidate = f"{current}\n{piece}" if current else piece
        if len(candidate) > limit and current:
            messages.append((current, tags))
            candidate, tags = piece, []
        current = candidate
        tags += [] if tag is None else [tag]
    if current:
        messages.append((current, tags))
    return messages
