"""What the form asks at each step, and its summary: texts and buttons as plain values."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from handlers.services.dates import date_examples
from handlers.services.form.display import attendance_lines, detail_text
from handlers.services.form.model import (
    FIELD_PREFIX,
    NOT_EDITABLE,
    Act,
    Action,
    Buttons,
    Notice,
    Reply,
    Step,
    field_of,
    steps_for,
)
from handlers.services.form.questions import ENDS_ASKING
from knowledge.activities import CATALOGUE, ActivityKind, FieldSpec, activity_by_code, period_of

STEP_LABELS = {
    Step.KIND: "活动类型",
    Step.DATE: "日期",
    Step.TOPIC: "主题",
    Step.PLACE: "地点",
    Step.ATTENDANCE: "出勤",
    Step.ABSENTEES: "缺席人员",
    Step.MINUTES: "会议记录",
    Step.PHOTOS: "照片",
    Step.SUMMARY: "核对提交",
}
CANCEL_ROW = [("取消填写", Action(Act.CANCEL))]
BACK_ROW = [("返回核对", Action(Act.BACK))]  # instead of 取消填写 while an item is edited from the summary
CLEAR_PAGES_ROW = [
    ("清空重发", Action(Act.CLEAR, "minutes"))
]  # the minutes' pages (form.steps.MINUTES_PAGES)


def done_row(step: str) -> list[tuple[str, Action]]:
    """The 完成 of ``step`` (the minutes' pages, the photos, a multiple choice): it names its step, so an old
    message's 完成 pressed at a later step is known as such (``form/stale.py``)."""
    return [("完成", Action(Act.DONE, step))]


def step_label(step: str, ak: ActivityKind | None) -> str:
    spec = field_of(ak, step)
    return spec.label if spec else STEP_LABELS.get(step, step)


def quoted(label: str) -> str:
    """``label`` in quotes, unless it opens with its own (“6”项内容: not ““6”项内容”)."""
    return label if label.startswith("“") else f"“{label}”"


def _rows(buttons: list, width: int) -> Buttons:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def kind_buttons() -> Buttons:
    return _rows([(f"{ak.button}（{ak.cadence.label}）", Action(Act.KIND, ak.code)) for ak in CATALOGUE], 2)


def _field_prompt(head: str, spec: FieldSpec, data: dict) -> Reply:
    if spec.input_type == "multi":
        chosen = set(data.get("details", {}).get(spec.key, []))
        # Each button says what it makes of its option (选 on, or off): a double tap does it once, not undoes it.
        buttons = [
            (
                ("✅ " if o in chosen else "") + o,
                Action(Act.OPTION, f"{spec.key}:{i}_{'off' if o in chosen else 'on'}"),
            )
            for i, o in enumerate(spec.options)
        ]
        done = done_row(f"{FIELD_PREFIX}{spec.key}")
        return Reply(f"{head}{spec.prompt}", [*_rows(buttons, 3), done, CANCEL_ROW])
    if spec.input_type == "choice":
        options = [(o, Action(Act.OPTION, f"{spec.key}:{i}")) for i, o in enumerate(spec.options)]
        return Reply(f"{head}{spec.prompt}", [options, CANCEL_ROW])
    return Reply(f"{head}{spec.prompt}", [CANCEL_ROW], skip_hint="不填写" if spec.optional else None)


def prompt(step: str, ak: ActivityKind | None, data: dict, today: date) -> Reply:
    """The question of ``step``, with its buttons (返回核对 instead of 取消填写 in an edit from the summary).
    ``today`` is the form's: the date step's examples are dates it accepts."""
    reply = _prompt(step, ak, data, today)
    if data.get("editing") and step != Step.SUMMARY:
        reply.buttons = [BACK_ROW if row == CANCEL_ROW else row for row in reply.buttons]
        reply.text += _EDIT_NOTES.get(step, "")
    return reply


_EDIT_NOTES = {
    Step.MINUTES: "\n发送的新记录将替换原来的会议记录；不改请点击“返回核对”。",
}


def _photos_prompt(head: str, ak: ActivityKind, data: dict) -> Reply:
    count = len(data.get("photos", []))
    if not count:
        return Reply(
            f"{head}请发送活动照片，至少{ak.min_photos}张、最多{ak.max_photos}张，可一次选多张。发完后点击“完成”。",
            [done_row(Step.PHOTOS), CANCEL_ROW],
        )
    return Reply(
        f"{head}已有 {count} 张照片。再发送的照片会加在后面（至少{ak.min_photos}张、最多{ak.max_photos}张）；"
        "要全部换掉，请先点击“清空已有照片”再重新发送。发完后点击“完成”。",
        [done_row(Step.PHOTOS), [(f"清空已有照片（{count}张）", Action(Act.CLEAR))], CANCEL_ROW],
    )


def _prompt(step: str, ak: ActivityKind | None, data: dict, today: date) -> Reply:
    if step == Step.KIND or ak is None:
        return Reply("请选择要登记的活动类型：", [*kind_buttons(), CANCEL_ROW])
    head = f"【{ak.name}】"
    if spec := field_of(ak, step):
        return _field_prompt(head, spec, data)
    if step == Step.SUMMARY:
        return summary(ak, data)
    if step == Step.ABSENTEES:
        absent = data["expected"] - data["actual"]
        return Reply(
            f"{head}有 {absent} 人缺席。请发送缺席人员和原因，每行一人，如：\n张三 出差\n李四 病假",
            [CANCEL_ROW],
            skip_hint="不填写",
        )
    fixed = {
        Step.DATE: Reply(
            f"{head}活动是哪天开展的？\n可点击按钮，或发送日期，如 {date_examples(today)}。",
            [[("今天", Action(Act.DATE, "0")), ("昨天", Action(Act.DATE, "1"))], CANCEL_ROW],
        ),
        Step.TOPIC: Reply(f"{head}活动主题是什么？", [CANCEL_ROW]),
        Step.PLACE: Reply(f"{head}活动地点在哪里？", [CANCEL_ROW]),
        Step.ATTENDANCE: Reply(
            f"{head}应到、实到各多少人？如“应到8人，实到7人”或“8 7”。", [CANCEL_ROW], skip_hint="不统计"
        ),
        Step.MINUTES: Reply(
            f"{head}请发送会议记录：可直接输入文字，也可发送 PDF/Word 文件，或把手写记录拍照发来（可多张，发完点“完成”）。",
            [done_row(Step.MINUTES), CLEAR_PAGES_ROW, CANCEL_ROW]
            if data.get("minutes_files")
            else [CANCEL_ROW],
        ),
        Step.PHOTOS: _photos_prompt(head, ak, data),
    }
    return fixed.get(step) or Reply("表单状态异常，", notice=Notice.BROKEN)


def _minutes_line(data: dict) -> list[str]:
    if data.get("minutes_text"):
        text = data["minutes_text"]
        return [f"会议记录：{text[:60]}{'…' if len(text) > 60 else ''}"]
    files = data.get("minutes_files") or []
    docs = sum(1 for f in files if f.get("doc"))
    pages = len(files) - docs
    parts = [f"手写记录照片{pages}页" if pages else "", f"已上传文件{docs}份" if docs > 1 else ""]
    parts.append("已上传文件" if docs == 1 else "")
    return [f"会议记录：{'，'.join(p for p in parts if p)}"] if files else []


def summary(ak: ActivityKind, data: dict) -> Reply:
    held = date.fromisoformat(data["held_on"])
    lines = [
        f"请核对【{ak.name}】记录：",
        f"日期：{held:%Y-%m-%d}（{period_of(ak.cadence, held).label}）",
        f"主题：{data.get('topic', '')}",
        f"地点：{data.get('place', '')}",
    ]
    lines += attendance_lines(data.get("expected"), data.get("actual"), data.get("absentees")) or [
        "出勤：未填写"
    ]
    details = data.get("details", {})
    lines += [f"{spec.label}：{detail_text(details.get(spec.key)) or '未填写'}" for spec in ak.fields]
    lines += _minutes_line(data)
    lines.append(f"照片：{len(data.get('photos', []))}张")
    edits = [(f"改{step_label(s, ak)}", Action(Act.EDIT, s)) for s in steps_for(ak) if s not in NOT_EDITABLE]
    return Reply("\n".join(lines), [[("✅ 确认提交", Action(Act.CONFIRM))], *_rows(edits, 3), CANCEL_ROW])


def keep_or_replace(step: str, data: dict, new: ActivityKind | None = None) -> Reply:
    """A draft is in progress: continue it, or start anew (``new``: the kind a reminder's button named)."""
    ak = activity_by_code(data.get("kind", ""))
    what = ak.name if ak else "活动记录"
    head = f"您有一份未完成的草稿（{what}，填到{quoted(step_label(step, ak))}）。"
    if new is None:
        return Reply(
            f"{head}要继续填写吗？", [[("继续填写", Action(Act.RESUME)), ("重新开始", Action(Act.RESTART))]]
        )
    return Reply(
        f"{head}\n要继续填写这份草稿，还是重新开始登记【{new.name}】？重新开始会删除这份草稿。",
        [[("继续填写", Action(Act.RESUME))], [(f"重新开始登记{new.name}", Action(Act.RESTART, new.code))]],
    )


def idle_draft(step: str, data: dict) -> Reply:
    """A photo or document sent while the draft was left idle at a step that takes none: not saved, said so."""
    ak = activity_by_code(data.get("kind", ""))
    what = f"【{ak.name}】" if ak else ""
    return Reply(
        f"您有一份未完成的{what}草稿（填到{quoted(step_label(step, ak))}），刚才发送的照片或文件没有保存。",
        notice=Notice.HOW_TO_RESUME,
    )


def photo_count(count: int, ak: ActivityKind) -> Reply:
    need = max(0, ak.min_photos - count)
    more = f"至少还需要 {need} 张。" if need else "还有就继续发，发完请点击“完成”。"
    if count >= ak.max_photos:
        more = f"已达上限（最多{ak.max_photos}张），请点击“完成”。"
    return Reply(f"已收到 {count} 张照片。{more}", [done_row(Step.PHOTOS)])


def page_count(count: int) -> Reply:
    return Reply(f"已收到会议记录照片 {count} 页。还有就继续发，发完请点击“完成”。", [done_row(Step.MINUTES)])


def receipt(ak: ActivityKind, number: str, held: date, data: dict) -> Reply:
    return Reply(
        f"✅ 提交成功，等待审核。\n记录编号：{number}\n{ak.name} · {period_of(ak.cadence, held).label} · {held:%Y-%m-%d}\n"
        f"主题：{data['topic']}\n照片：{len(data.get('photos', []))}张\n\n",
        notice=Notice.HOW_TO_VIEW,
    )


def after_question(
    step: str, ak: ActivityKind | None, text: str | None, reply: Reply, note: str | None = None
) -> Reply:
    """``reply`` (the next step's prompt) led by ``note`` (the step's own: lines of a paste left out), and by a
    note when the answer to ``step`` (a topic, a place, the minutes or a kind's text field) reads as a question:
    it was kept as typed, and how to change it (helper-67's review: it was kept without a word). Only the first
    line of a topic or place is kept, so only it is read; longer texts only when they are one line."""
    if note:
        reply = replace(reply, text=note + reply.text)
    kept = _asked_as(step, ak, (text or "").strip())
    if kept is None:
        return reply
    label = step_label(step, ak)
    note = (
        f"提示：刚才这句像是提问，已记作{kept}。如果不是{label}，请填完后在核对页点“改{label}”；"
        "政策问题请填完表单后再问。\n\n"
    )
    return replace(reply, text=note + reply.text)


def _asked_as(step: str, ak: ActivityKind | None, text: str) -> str | None:
    """How the note names what a question-like ``text`` was kept as, or None when it is no such text."""
    if step in (Step.TOPIC, Step.PLACE):
        line, label = text.split("\n")[0], f"活动{step_label(step, ak)}"
    else:
        spec = field_of(ak, step)
        if step != Step.MINUTES and (spec is None or spec.input_type != "text"):
            return None
        line, label = text, step_label(step, ak)
    return label if line and "\n" not in line and ENDS_ASKING.search(line) else None
