"""The form's steps as pure functions: (step, kind, data, input, today) -> new data and an outcome.

No database, no clock, no channel: the service loads the draft, calls ``apply_input`` and saves what it returns.
A bad input raises ``InputError`` with the Chinese message to show; the draft is then left as it was.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from handlers.services.dates import DateInputError, parse_date
from handlers.services.form import paste, stale
from handlers.services.form.absentees import parse_absentees, says_no_absentees, too_many_absentees
from handlers.services.form.attendance import arabic_counts, looks_like_attendance, parse_attendance
from handlers.services.form.model import (
    MAX_ABSENTEES_TEXT,
    MAX_FIELD_NUMBER,
    MAX_MINUTES_TEXT,
    MAX_TEXT,
    MIN_MINUTES_TEXT,
    MIN_TEXT,
    MINUTES_MORE,
    NOT_EDITABLE,
    PASTE_PART_MIN,
    Act,
    BrokenDraft,
    Input,
    InputError,
    Outcome,
    SpentButton,
    Step,
    StepResult,
    TooLong,
    field_of,
    steps_for,
)
from handlers.services.form.questions import QuestionRefused, looks_like_question
from handlers.services.form.stale import option_choice
from handlers.services.text import ascii_digits
from knowledge.activities import (
    LATE_WINDOW,
    ActivityKind,
    FieldSpec,
    activity_by_code,
    activity_by_name,
    earliest_allowed,
)

SKIP_NOT_ALLOWED = "这一项是必填的，不能跳过。"
MINUTES_PAGES = "minutes"  # the argument of the minutes step's 清空重发 (the photos step's clear has none)
_COUNT = re.compile(r"([0-9]{1,6})\s*[人名位个]?")
BEFORE_EDIT = "before_edit"  # the draft's data when an edit from the summary began (for 返回核对)


def _act(inp: Input, act: Act) -> bool:
    return inp.action is not None and inp.action.act is act


def _option_index(inp: Input, spec: FieldSpec) -> int | None:
    """The option a button chose, when it is one of ``spec.options``."""
    choice = option_choice(inp.action.arg)[1] if _act(inp, Act.OPTION) else ""
    if not re.fullmatch(r"[0-9]{1,3}(?:_on|_off)?", choice):
        return None
    index = int(choice.partition("_")[0])
    return index if index < len(spec.options) else None


def apply_input(step: str, data: dict, inp: Input, today: date) -> StepResult:
    """Applies one input to a copy of ``data``; raises ``InputError`` when it does not fit the step."""
    data = dict(data)
    data.pop(MINUTES_MORE, None)  # an input taken: a document sent later no longer joins the minutes
    if _act(inp, Act.BACK):
        return _back(data)
    if step != Step.SUMMARY and (_act(inp, Act.CONFIRM) or _act(inp, Act.EDIT)):
        raise SpentButton()  # an old summary's button: the draft has moved on (or was begun anew)
    stale.check(step, activity_by_code(data.get("kind", "")), inp.action)  # another step's button
    if step == Step.KIND:
        typed = activity_by_name(inp.text) if inp.text else None  # 支部委员会, 支委会 typed at the menu
        if typed is not None or (_act(inp, Act.KIND) and activity_by_code(inp.action.arg)):
            data["kind"] = typed.code if typed is not None else inp.action.arg
            return StepResult(data, Outcome.ADVANCE)
        raise InputError("请点击下面的按钮选择活动类型。")
    ak = activity_by_code(data.get("kind", ""))
    if ak is None:
        raise BrokenDraft()
    handler = _HANDLERS.get(step)
    if handler is not None:
        return handler(ak, data, inp, today)
    if spec := field_of(ak, step):
        return _field(spec, data, inp)
    raise BrokenDraft()


def _back(data: dict) -> StepResult:
    """返回核对: the summary again, with the draft as it was when the edit began."""
    before = data.get(BEFORE_EDIT)
    if not data.get("editing") or not isinstance(before, dict):
        raise InputError("请按上面的提示填写。")
    return StepResult(dict(before), Outcome.GOTO, Step.SUMMARY)


def _date(ak: ActivityKind, data: dict, inp: Input, today: date) -> StepResult:
    if inp.skip:
        raise InputError(SKIP_NOT_ALLOWED)
    if _act(inp, Act.DATE) and inp.action.arg in ("0", "1"):
        held = today - timedelta(days=int(inp.action.arg))
    elif inp.text:
        try:
            held = parse_date(inp.text, today)
        except DateInputError as exc:
            raise InputError(str(exc)) from None
    else:
        raise InputError("请发送活动日期，或点击“今天”“昨天”。")
    if held > today:
        raise InputError("活动日期不能晚于今天。")
    earliest = earliest_allowed(ak.cadence, today)
    if held < earliest:
        last, this = LATE_WINDOW[ak.cadence]
        raise InputError(f"{ak.name}只能补录{last}和{this}的活动（{earliest:%Y-%m-%d} 以后）。")
    data["held_on"] = held.isoformat()
    return StepResult(data, Outcome.ADVANCE)


# A label the user pasted with the value (主题：学习党章), per step.
_LABEL = {
    Step.TOPIC: re.compile(r"^\s*(?:活动)?(?:主题|议题)\s*[：:]\s*"),
    Step.PLACE: re.compile(r"^\s*(?:活动)?地点\s*[：:]\s*"),
}


def _first_line(step: str, text: str) -> tuple[str, bool]:
    """The value without its label, and its first line only (a pasted notice); whether lines were left out."""
    lines = [line.strip() for line in _LABEL[step].sub("", text).split("\n")]
    lines = [line for line in lines if line]
    return (lines[0] if lines else ""), len(lines) > 1


def _short_text(step: str, label: str):
    def apply(ak: ActivityKind, data: dict, inp: Input, today: date) -> StepResult:
        if inp.skip:
            raise InputError(SKIP_NOT_ALLOWED)
        if not inp.text:
            raise InputError(f"请用文字发送活动{label}。")
        text, cut = _first_line(step, inp.text)
        if len(text) > MAX_TEXT or len(inp.text) >= PASTE_PART_MIN:  # a long paste is refused whole
            length = len(inp.text) if len(inp.text) >= PASTE_PART_MIN else len(text)
            raise TooLong(f"{label}太长了（{length}字），请控制在{MAX_TEXT}字以内。", MAX_TEXT)
        if len(text) < MIN_TEXT:
            raise InputError(f"{label}太短了，请写完整一些。")
        if not any(c.isalnum() for c in text):  # 😀😀😀😀 or ……: no word in it (helper-84's review: kept)
            raise InputError(f"请用文字写活动{label}，不能只有表情或符号。")
        data[step] = text
        note = (
            f"提示：您发送了多行文字，只把第一行“{text}”记作活动{label}，其余各行没有使用。\n\n"
            if cut
            else None
        )
        return StepResult(data, Outcome.ADVANCE, note=note)

    return apply


def _attendance(ak: ActivityKind, data: dict, inp: Input, today: date) -> StepResult:
    if inp.skip:
        data.update(expected=None, actual=None, absentees=[])
    elif not inp.text:
        raise InputError("请发送应到和实到人数，如“应到8人，实到7人”。", skip_hint="不统计")
    else:
        data["expected"], data["actual"] = parse_attendance(inp.text)
    return StepResult(data, Outcome.ADVANCE)


def _absentees(ak: ActivityKind, data: dict, inp: Input, today: date) -> StepResult:
    if inp.skip:
        data["absentees"] = []
    elif not inp.text:
        raise InputError("请按“姓名 原因”每行一人发送缺席人员。", skip_hint="不填写")
    elif len(inp.text) > MAX_ABSENTEES_TEXT:
        raise TooLong(
            f"缺席人员太长了（{len(inp.text)}字），请控制在{MAX_ABSENTEES_TEXT}字以内，每行写一人的姓名和原因。",
            MAX_ABSENTEES_TEXT,
            skip_hint="不填写",
        )
    elif says_no_absentees(inp.text):
        data["absentees"] = []
    elif looks_like_attendance(inp.text):  # the count typed again (应到8人，实到6人): a correction, no person
        return _attendance_again(data, inp.text)
    elif looks_like_question(inp.text):
        raise QuestionRefused("请发送缺席人员和原因，每行一人，如：张三 出差。", skip_hint="不填写")
    else:
        absent = (data.get("expected") or 0) - (data.get("actual") or 0)
        people = parse_absentees(inp.text, absent)
        too_many = too_many_absentees(people, data.get("expected"), data.get("actual"))
        if too_many:
            raise InputError(
                too_many + "请重新发送缺席人员，每行一人；人数有误的，可先不填写，再在核对页点“改出勤”。",
                skip_hint="不填写",
            )
        data["absentees"] = people
    return StepResult(data, Outcome.ADVANCE)


def _attendance_again(data: dict, text: str) -> StepResult:
    """The attendance corrected at the absentees step: who was absent is asked again for the new count."""
    expected, actual = parse_attendance(text)
    data.update(expected=expected, actual=actual, absentees=[])
    note = f"已把出勤改为：应到{expected}人，实到{actual}人。\n\n"
    if actual == expected:
        return StepResult(data, Outcome.ADVANCE, note=note)
    return StepResult(data, Outcome.GOTO, target=Step.ABSENTEES, note=note)


# Typed instead of tapping 完成 after the pages of the minutes. Not 好 or OK: "OK, I will" answers a message that a
# page was not saved (helper-94's review).
_DONE_WORDS = frozenset({"完成", "好了", "发完了", "发完", "就这些", "没有了", "完毕", "都发了"})


def _minutes(ak: ActivityKind, data: dict, inp: Input, today: date) -> StepResult:
    pages = len(data.get("minutes_files") or [])
    if _act(inp, Act.CLEAR):  # 清空重发: the pages sent so far are dropped (to type the minutes instead)
        if inp.action.arg != MINUTES_PAGES:
            raise SpentButton()  # the photos step's 清空已有照片, on an old message
        data["minutes_files"] = []
        return StepResult(data, Outcome.STAY)
    if _act(inp, Act.DONE) or (pages and (inp.text or "").strip(" 。.!！~") in _DONE_WORDS):
        if not pages and not data.get("minutes_text"):
            raise InputError("还没有收到会议记录。请输入文字，或发送文件、照片。")
        return StepResult(data, Outcome.ADVANCE)
    if inp.skip:
        raise InputError(SKIP_NOT_ALLOWED)
    text = inp.text
    if not text:
        raise InputError("请输入会议记录文字，或发送 PDF/Word 文件，或拍照发送手写记录。")
    if pages:  # a sentence after the pages would replace them: they are kept, and the way to either is said
        docs = any(f.get("doc") for f in data["minutes_files"])
        held = f"会议记录文件 {pages} 份" if docs else f"会议记录照片 {pages} 页"
        raise InputError(
            f"已收到{held}，这段文字没有记入。会议记录就是这些的，请点击“完成”；"
            "要改用文字记录，请先点击“清空重发”，再发送文字。"
        )
    if len(text) > MAX_MINUTES_TEXT:
        raise TooLong(
            f"文字记录太长（{len(text)}字），请控制在{MAX_MINUTES_TEXT}字以内，或改为发送文件。",
            MAX_MINUTES_TEXT,
        )
    if len(text) < MIN_MINUTES_TEXT:
        raise InputError(f"会议记录太短了，请写明主要内容（至少{MIN_MINUTES_TEXT}个字）。")
    data["minutes_text"] = text
    data["minutes_files"] = []
    paste.note_minutes(data, inp)
    return StepResult(data, Outcome.ADVANCE)


def _photos(ak: ActivityKind, data: dict, inp: Input, today: date) -> StepResult:
    if _act(inp, Act.CLEAR) and inp.action.arg == MINUTES_PAGES:
        raise SpentButton()  # the minutes' 清空重发 on an old message: never the photos (helper-94's review)
    if _act(inp, Act.CLEAR):
        data["photos"] = []
        return StepResult(data, Outcome.STAY)
    if _act(inp, Act.DONE):
        count = len(data.get("photos", []))
        if count < ak.min_photos:
            raise InputError(f"{ak.name}至少需要{ak.min_photos}张照片，现在有{count}张。请继续发送照片。")
        return StepResult(data, Outcome.ADVANCE)
    if inp.skip:
        raise InputError("照片是必需的，不能跳过。")
    raise InputError(f"这一步请发送活动照片（至少{ak.min_photos}张），发完后点击“完成”。")


def _summary(ak: ActivityKind, data: dict, inp: Input, today: date) -> StepResult:
    if _act(inp, Act.CONFIRM):
        return StepResult(data, Outcome.CONFIRM)
    if _act(inp, Act.EDIT):
        target = inp.action.arg
        if target in steps_for(ak) and target not in NOT_EDITABLE:
            data[BEFORE_EDIT] = {k: v for k, v in data.items() if k != "editing"}
            if target == Step.MINUTES:  # new minutes replace the old ones (返回核对 keeps them)
                data.update(minutes_text=None, minutes_files=[])
            data["editing"] = True
            return StepResult(data, Outcome.GOTO, target)
    raise InputError("请核对以上内容，点击“确认提交”，或点击要修改的项目。")


def _field(spec: FieldSpec, data: dict, inp: Input) -> StepResult:
    details = dict(data.get("details", {}))
    data["details"] = details
    if inp.skip:
        if not spec.optional:
            raise InputError(SKIP_NOT_ALLOWED)
        details.pop(spec.key, None)
        return StepResult(data, Outcome.ADVANCE)
    if spec.input_type == "multi":
        return _multi(spec, data, details, inp)
    if spec.input_type == "choice":
        index = _option_index(inp, spec)
        if index is None:
            raise InputError("请点击下面的按钮选择一项。")
        details[spec.key] = spec.options[index]
        return StepResult(data, Outcome.ADVANCE)
    text = inp.text
    if not text:
        raise InputError(f"请用文字回答：{spec.label}。")
    if spec.input_type == "int":
        count = _COUNT.fullmatch(arabic_counts(ascii_digits(text.strip())))  # 3, 3人, 三人
        if count is None or int(count.group(1)) > MAX_FIELD_NUMBER:
            raise InputError(f"{spec.label}请发送一个数字，如 3。")
        details[spec.key] = int(count.group(1))
    else:
        if len(text) > spec.max_length:
            raise TooLong(
                f"{spec.label}太长了（{len(text)}字），请控制在{spec.max_length}字以内。", spec.max_length
            )
        details[spec.key] = text
    return StepResult(data, Outcome.ADVANCE)


def _multi(spec: FieldSpec, data: dict, details: dict, inp: Input) -> StepResult:
    chosen = list(details.get(spec.key, []))
    index = _option_index(inp, spec)
    if index is not None:
        option = spec.options[index]
        # "3_on" / "3_off" choose or drop (a second tap of the same button changes nothing: helper-70's review lost
        # 学习讨论 to a double tap); a bare "3", from a button made before, toggles.
        suffix = option_choice(inp.action.arg)[1].partition("_")[2]
        wanted = {"on": True, "off": False}.get(suffix, option not in chosen)
        chosen = [c for c in chosen if c != option] + ([option] if wanted else [])
        details[spec.key] = [o for o in spec.options if o in chosen]
        return StepResult(data, Outcome.STAY)
    if _act(inp, Act.DONE):
        if not chosen:
            raise InputError("请至少选择一项，再点击“完成”。")
        return StepResult(data, Outcome.ADVANCE)
    raise InputError("请点击下面的按钮选择（可多选），选好后点击“完成”。")


_HANDLERS = {
    Step.DATE: _date,
    Step.TOPIC: _short_text(Step.TOPIC, "主题"),
    Step.PLACE: _short_text(Step.PLACE, "地点"),
    Step.ATTENDANCE: _attendance,
    Step.ABSENTEES: _absentees,
    Step.MINUTES: _minutes,
    Step.PHOTOS: _photos,
    Step.SUMMARY: _summary,
}


def next_step(ak: ActivityKind, step: str, data: dict) -> str:
    """The step after ``step``: absentees only when someone was absent; back to the summary after an edit."""
    order = steps_for(ak)
    nxt = order[order.index(step) + 1] if step in order and step != Step.SUMMARY else Step.SUMMARY
    if nxt == Step.ABSENTEES and not (data.get("expected") and (data.get("actual") or 0) < data["expected"]):
        data["absentees"] = []
        nxt = order[order.index(Step.ABSENTEES) + 1]
    if data.get("editing") and nxt != Step.ABSENTEES:
        nxt = Step.SUMMARY
    if nxt == Step.SUMMARY:
        data.pop("editing", None)
        data.pop(BEFORE_EDIT, None)
    return nxt
