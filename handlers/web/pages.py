"""The dashboard's pages: overview (the matrix), branch, record, review, files and export."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import quote

from aiohttp import web

from handlers.services.branches import NO_SECRETARY
from handlers.services.browse import file_refs
from handlers.services.closures import closure_label
from handlers.services.export import EXPORT_NAMES, export_file_name
from handlers.services.history import HistoryEntry
from handlers.services.periods import parse_period, period_label, this_month
from handlers.services.records import CHANGE_LABELS, kind_name
from handlers.services.status import STATE_LABELS
from handlers.web.render import render_page
from handlers.web.session import USER, csrf_ok, csrf_token
from knowledge.activities import Period, activity_by_code

REVIEW_LABELS = {"pending_review": "待审核", "passed": "已通过", "returned": "已退回"}
# The record page's plain fields; the absentees have a line of their own (names and reasons), so they are no
# plain field there, only a label for an amendment's change.
RECORD_FIELDS = {"expected": "应到人数", "actual": "实到人数", "place": "地点"}
FIELD_LABELS = {**RECORD_FIELDS, "absentees": "缺席人员"}
EXPORT_CHUNK = 256 * 1024
CELL_CLASSES = {
    "recorded": "ok",
    "waiting": "wait",
    "returned": "returned",
    "missing": "missing",
    "muted": "muted-cell",
    "upcoming": "upcoming",
    "exempt": "na",
    "closed": "na",
    "na": "na",
}


def _services(request: web.Request):
    from handlers.web import SERVICES

    return request.app[SERVICES]


def _page(request: web.Request, template: str, context: dict, status: int = 200) -> web.Response:
    user = request.get(USER)
    context = {"user": user, "csrf": csrf_token(request) if user else "", **context}
    response = render_page(request, template, context, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


RECORD_NOT_FOUND = ("找不到这条记录", "记录不存在，或不在您的督导范围内。")
FILE_NOT_FOUND = ("找不到这个文件", "文件不存在，或不在您的督导范围内。")


def refused_page(request: web.Request, title: str, text: str, status: int, reason: str = "") -> web.Response:
    """``refused.html``: why a page cannot be shown (the login hint only for people not logged in)."""
    return _page(request, "refused.html", {"title": title, "text": text, "reason": reason}, status)


def period_choices(today: date) -> list[Period]:
    """This month and the two before, this quarter and the one before, this year and the one before (just after
    New Year the closed year, whose 述职评议 has just fallen due, is what a reviewer looks at)."""
    month = this_month(today)
    months = [month]
    for _ in range(2):
        prev = months[-1].start.replace(day=1)
        prev = (
            prev.replace(year=prev.year - 1, month=12)
            if prev.month == 1
            else prev.replace(month=prev.month - 1)
        )
        months.append(this_month(prev))
    quarter = (today.month - 1) // 3 + 1
    prev_q = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    quarters = [parse_period(f"{today.year}-Q{quarter}"), parse_period(f"{prev_q[0]}-Q{prev_q[1]}")]
    years = [parse_period(str(today.year)), parse_period(str(today.year - 1))]
    return [*reversed(months), *quarters, *years]


def cell_class(cell) -> str:
    if cell.overdue:
        return "overdue"
    return CELL_CLASSES.get(cell.state, "missing")


def cell_title(cell) -> str:
    """A cell's hover text: its state, and the secretary's reason for a mute."""
    reasons = cell.mute_reasons
    return STATE_LABELS[cell.state] + (f"（免提醒原因：{'；'.join(reasons)}）" if reasons else "")


async def overview(request: web.Request) -> web.Response:
    services, user = _services(request), request[USER]
    try:
        view = services.status.view(request.query.get("period"))
    except ValueError as exc:
        return refused_page(request, "期间有误", str(exc), 400)
    matrix = await services.status.matrix(user.user_id, view)
    if matrix is None:
        raise web.HTTPFound("/login")
    context = {
        "title": f"{view.label}完成情况",
        "matrix": matrix,
        "choices": period_choices(services.clock.now().date()),
        "labels": STATE_LABELS,
        "cell_class": cell_class,
        "cell_title": cell_title,
        "cell_note": lambda cell: cell.note,
        "closure_label": closure_label,
        "queue": await services.review.queue(user.user_id, limit=20),
    }
    return _page(request, "overview.html", context)


QUEUE_PAGE = 50  # records per page of /queue
BAD_PAGE = ("页码有误", "页码应为正整数，例如 /queue?page=2。")


async def queue(request: web.Request) -> web.Response:
    """/queue?page=N: every record waiting for the viewer's review, oldest first, a page at a time."""
    services, user = _services(request), request[USER]
    text = request.query.get("page", "1")
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_ID // QUEUE_PAGE:
        return refused_page(request, *BAD_PAGE, 400)
    page = int(text)
    waiting = await services.review.queue(user.user_id, limit=QUEUE_PAGE, offset=(page - 1) * QUEUE_PAGE)
    pages = max(1, -(-waiting.total // QUEUE_PAGE))
    context = {"title": f"待审核（第 {page} 页）", "queue": waiting, "page": page, "pages": pages}
    return _page(request, "queue.html", context | {"first": (page - 1) * QUEUE_PAGE + 1})


MAX_ID = 2**31 - 1  # ids are 32-bit in the database: a larger number names nothing (and overflows a query)
# What the review's outcome (``ReviewResult.status``, passed back as ``?done=``) tells the reviewer; any other
# value of ``done`` (a crafted link) shows nothing.
FLASHES = {
    "ok": ("", "已处理，已通知支部书记。"),
    "comment_required": ("error", "退回时请写明意见（至少 2 个字）。"),
    "unchanged": ("", "这条记录已经是这个审核状态，无需再处理。"),
    "passed": ("error", "未能处理：这条记录已通过，无需再审核。如需更正，请支部书记修改后重新提交。"),
    "stale": ("error", "未能处理：记录的审核状态已经变化（可能已被其他审核人处理），请看下面的最新状态。"),
    "withdrawn": ("error", "未能处理：这条记录已被支部书记撤回。"),
    "forbidden": ("error", "未能处理：您无权审核这条记录。"),
}


def _int(request: web.Request, name: str) -> int:
    """The id in the path; a number no row can have is a page that does not exist."""
    text = request.match_info[name]
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_ID:
        raise web.HTTPNotFound()
    return int(text)


async def branch(request: web.Request) -> web.Response:
    services, user = _services(request), request[USER]
    page = await services.browse.branch_page(user.user_id, _int(request, "branch_id"))
    if page is None:
        return refused_page(request, "找不到这个支部", "支部不存在，或不在您的督导范围内。", 404)
    context = {
        "title": page.branch.name,
        "page": page,
        "kind_name": kind_name,
        "review_labels": REVIEW_LABELS,
        "no_secretary": NO_SECRETARY,
    }
    return _page(request, "branch.html", context)


def _shown(key: str, value: object) -> str:
    """One side of an amended field as a reviewer reads it (photos counted, never their digests)."""
    if value in (None, "", []):
        return "（空）"
    if key == "photos" and isinstance(value, list):
        return f"{len(value)} 张"
    if key == "minutes_files" and isinstance(value, list):  # a minutes' scan or document, never its digest
        return f"{len(value)} 份"
    if key == "absentees" and isinstance(value, list):
        names = [str(a.get("name", "")) for a in value if isinstance(a, dict)]
        return "、".join(n for n in names if n) or f"{len(value)} 人"
    text = "、".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= 30 else text[:30] + "…"


def _changes(entry: HistoryEntry) -> str:
    """An amendment's ``{field: [old, new]}`` as "实到人数：5 → 6；照片：2 张 → 3 张"."""
    parts = []
    for key, value in (entry.changes or {}).items():
        label = FIELD_LABELS.get(key) or CHANGE_LABELS.get(key, key)
        old, new = value if isinstance(value, list | tuple) and len(value) == 2 else (None, value)
        parts.append(f"{label}：{_shown(key, old)} → {_shown(key, new)}")
    return "；".join(parts)


def _details(record) -> list[tuple[str, str]]:
    """The kind's own fields as (label, value), lists joined."""
    kind = activity_by_code(record.kind)
    labels = {f.key: f.label for f in kind.fields} if kind else {}
    rows = []
    for key, value in (record.details or {}).items():
        text = "、".join(map(str, value)) if isinstance(value, list) else str(value)
        rows.append((labels.get(key, key), text))
    return rows


def actor_label(user_id: int, names: dict[int, str], admin_ids: frozenset[int]) -> str:
    """Who did a step of a record's history: the name the bot knows, else 管理员 / 用户 and the id."""
    if name := names.get(user_id):
        return name
    return f"{'管理员' if user_id in admin_ids else '用户'} {user_id}"


async def record(request: web.Request) -> web.Response:
    services, user = _services(request), request[USER]
    view = await services.review.open(user.user_id, _int(request, "record_id"))
    if view is None:
        return refused_page(request, *RECORD_NOT_FOUND, 404)
    photos = file_refs(view.files, "photo")
    minutes = file_refs(view.files, "minutes")
    people = await services.supervision.known_names({h.actor_id for h in view.timeline})
    context = {
        "title": view.number,
        "view": view,
        "r": view.record,
        "photos": photos,
        "minutes": minutes,
        "kind": kind_name(view.record.kind),
        "period": period_label(view.record.period),
        "details": _details(view.record),
        "review_labels": REVIEW_LABELS,
        "field_labels": RECORD_FIELDS,
        "changes": _changes,
        "actor": lambda user_id: actor_label(user_id, people, services.admin_ids),
        "tz": services.clock.tz,
        "flash": FLASHES.get(request.query.get("done", "")),
        # Only a record waiting for review can be passed or returned (a returned one waits for the secretary).
        "reviewable": view.reviewable,
    }
    return _page(request, "record.html", context)


async def review(request: web.Request) -> web.Response:
    services, user = _services(request), request[USER]
    record_id = _int(request, "record_id")
    data = await request.post()
    if not csrf_ok(request, data.get("csrf")):
        return refused_page(request, "请求已失效", "请刷新页面后再试。", 403)
    action = data.get("action")
    if action == "pass":
        result = await services.review.pass_record(user.user_id, record_id)
    elif action == "return":
        result = await services.review.return_record(user.user_id, record_id, str(data.get("comment") or ""))
    else:
        return refused_page(request, "无法处理", "请在记录页面上点“通过”或“退回”。", 400)
    if result.status == "missing":
        return refused_page(request, *RECORD_NOT_FOUND, 404)
    notify = request.app.get(NOTIFY)
    if result.status == "ok" and notify is not None and result.notify:
        await notify(result.notify)
    raise web.HTTPSeeOther(f"/record/{record_id}?done={result.status}")


NOTIFY = web.AppKey("notify", object)  # async callable(list[Notify]): the chat adapter tells the secretary


async def file(request: web.Request) -> web.Response:
    services, user = _services(request), request[USER]
    thumbnail = request.match_info.get("thumb") == "thumb"
    blob = await services.browse.file(user.user_id, _int(request, "file_id"), thumbnail=thumbnail)
    if blob is None:
        return refused_page(request, *FILE_NOT_FOUND, 404)
    inline = blob.mime.startswith("image/") or blob.mime == "application/pdf"
    disposition = "inline" if inline else "attachment"
    return web.Response(
        body=blob.data,
        content_type=blob.mime,
        headers={
            "Content-Disposition": content_disposition(disposition, blob.filename, blob.ascii_filename),
            "Cache-Control": "private, max-age=3600",
            "X-Content-Type-Options": "nosniff",
        },
    )


def content_disposition(disposition: str, name: str, fallback: str) -> str:
    """RFC 6266: the UTF-8 name as ``filename*`` (RFC 5987), which browsers prefer, and ``fallback`` (ASCII, for
    a client that reads only ``filename=``)."""
    plain = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in fallback) or "download"
    return f"{disposition}; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


BAD_EXPORT = ("导出类型有误", "请在总览页面点“导出 Excel 台账”或“导出佐证材料（zip）”。")


async def export(request: web.Request) -> web.StreamResponse:
    services, user = _services(request), request[USER]
    what = request.query.get("what", "xlsx")
    if what not in EXPORT_NAMES:
        return refused_page(request, *BAD_EXPORT, 400)
    try:
        view = services.status.view(request.query.get("period"))
    except ValueError as exc:
        return refused_page(request, "期间有误", str(exc), 400)
    viewer = await services.supervision.viewer(user.user_id)
    folder = Path(tempfile.mkdtemp(prefix="branchbot-export-"))
    try:
        xlsx, zip_path = folder / "ledger.xlsx", folder / "evidence.zip"
        await services.ledger.export_ledger(view, viewer, xlsx, zip_path if what == "zip" else None)
        path, mime = (
            (zip_path, "application/zip")
            if what == "zip"
            else (xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        )
        name = content_disposition(
            "attachment", export_file_name(view, what), export_file_name(view, what, ascii_only=True)
        )
        return await _stream(request, path, mime, name)
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, True)


async def _stream(request: web.Request, path: Path, mime: str, disposition: str) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": mime, "Content-Disposition": disposition})
    response.content_length = (await asyncio.to_thread(path.stat)).st_size
    await response.prepare(request)
    with path.open("rb") as fh:
        while chunk := await asyncio.to_thread(fh.read, EXPORT_CHUNK):
            await response.write(chunk)
    with contextlib.suppress(ConnectionResetError):
        await response.write_eof()
    return response


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", overview)
    app.router.add_get("/queue", queue)
    app.router.add_get("/branch/{branch_id}", branch)
    app.router.add_get("/record/{record_id}", record)
    app.router.add_post("/record/{record_id}/review", review)
    app.router.add_get("/file/{file_id}", file)
    app.router.add_get("/file/{file_id}/{thumb:thumb}", file)
    app.router.add_get("/export", export)
