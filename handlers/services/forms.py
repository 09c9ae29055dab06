"""The activity-record form: a state machine whose state is the user's draft row.

Every step is saved to the database before the reply goes out, so a dropped connection or a restart loses nothing.
The service is Telegram-free: it takes text, button data and already-downloaded files, and returns ``Reply``
objects (text plus button rows of (label, data)) for a handler to render.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.clock import Clock
from handlers.services.dates import DateInputError, parse_date
from knowledge.activities import (
    CATALOGUE,
    ActivityKind,
    FieldSpec,
    activity_by_code,
    earliest_allowed,
    period_of,
)
from storage.files import FileStore, FileTooLarge, UnsupportedFileType, detect_type
from storage.repositories import BranchRepository, DraftRepository, RecordRepository

FORM_TIMEOUT = timedelta(minutes=30)
MAX_TEXT = 200
MAX_MINUTES_TEXT = 4000
MAX_MINUTES_PAGES = 20

Buttons = list[list[tuple[str, str]]]


@dataclass
class Reply:
    text: str
    buttons: Buttons = field(default_factory=list)
    in_place: bool = False  # update the message whose button was pressed instead of sending a new one


@dataclass(frozen=True, slots=True)
class IncomingFile:
    """A file the user sent, already downloaded by the handler."""

    file_id: str
    unique_id: str
    data: bytes
    media_group_id: str | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    record_id: int
    number: str
    reply: Reply


def record_number(record_id: int, held_on: date) -> str:
    return f"JL{held_on.year}-{record_id:06d}"


def attendance_lines(expected: int | None, actual: int | None, absentees: list[dict] | None) -> list[str]:
    """出勤 and 缺席 lines of a draft or a record (none when attendance was not given)."""
    if not expected:
        return []
    return [
        f"出勤：应到{expected}人，实到{actual}人",
        *(f"  缺席：{p.get('name')}（{p.get('reason')}）" for p in absentees or []),
    ]


def detail_text(value: object) -> str | None:
    """A kind-specific field's value as shown (choices joined with 、), None when empty."""
    if isinstance(value, list):
        value = "、".join(value)
    return None if value in (None, "") else str(value)


# -- steps ----------------------------------------------------------------------------------------------------

BASE_STEPS = ("kind", "date", "topic", "place", "attendance", "absentees")
TAIL_STEPS = ("minutes", "photos", "summary")
NO_BRANCH = (
    "您还没有加入党支部，暂时不能提交活动记录。\n"
    "请联系上级党委管理员为您的支部生成邀请链接，点击链接即可成为支部书记。\n"
    "（提问不受影响，直接输入问题即可。）"
)
TOO_LARGE = "文件超过 20MB，无法保存。请压缩后再发送。"
SKIP_NOT_ALLOWED = "这一项是必填的，不能跳过。"
DONE = "f:done"


def steps_for(ak: ActivityKind) -> list[str]:
    return [*BASE_STEPS, *(f"field:{f.key}" for f in ak.fields), *TAIL_STEPS]


def _spec(ak: ActivityKind, step: str) -> FieldSpec | None:
    key = step.removeprefix("field:")
    return next((f for f in ak.fields if f.key == key), None) if step.startswith("field:") else None


def _kind_buttons() -> Buttons:
    row: list[tuple[str, str]] = []
    rows: Buttons = []
    for ak in CATALOGUE:
        row.append((f"{ak.name}（{ak.cadence.label}）", f"f:kind:{ak.code}"))
        if len(row) == 2:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    return rows


def _parse_attendance(text: str) -> tuple[int, int]:
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if len(numbers) != 2:
        raise ValueError(
            "请发送两个数字：应到人数和实到人数，如“应到8人，实到7人”或“8 7”。没有可发送 /skip。"
        )
    expected, actual = numbers
    if "实到" in text and "应到" in text and text.index("实到") < text.index("应到"):
        expected, actual = actual, expected
    if expected <= 0 or expected > 10000:
        raise ValueError("应到人数应是 1 到 10000 之间的数字。")
    if actual > expected:
        raise ValueError(f"实到人数（{actual}）不能多于应到人数（{expected}），请重新发送。")
    return expected, actual


def _parse_absentees(text: str) -> list[dict[str, str]]:
    people = []
    for line in re.split(r"[\n；;]+", text):
        line = line.strip(" ，,、")
        if not line:
            continue
        parts = re.split(r"[\s，,：:（(]+", line, maxsplit=1)
        name, reason = parts[0], (parts[1] if len(parts) > 1 else "")
        people.append({"name": name[:30], "reason": reason.strip("）) ")[:60] or "未说明"})
    if not people:
        raise ValueError("请按“姓名 原因”每行一人发送，如：张三 出差。")
    return people


class FormService:
    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], clock: Clock, files: FileStore
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.files = files

    # -- state ------------------------------------------------------------------------------------------------

    async def active_step(self, user_id: int) -> str | None:
        """The step of the user's draft if the form is in progress (touched within ``FORM_TIMEOUT``)."""
        async with self.session_factory() as session:
            draft = await DraftRepository(session).get(user_id)
        if draft is None or self.clock.now() - draft.updated_at > FORM_TIMEOUT:
            return None
        return draft.step

    async def _load(self, session: AsyncSession, user_id: int) -> tuple[Any, dict[str, Any]] | None:
        """The user's draft and its data, if the user is still secretary of the draft's branch.

        A secretary replaced by a new invitation loses their draft: it was for a branch that is no longer theirs.
        """
        draft = await DraftRepository(session).get(user_id)
        if draft is None:
            return None
        branch = await BranchRepository(session).by_secretary(user_id)
        if branch is None or branch.id != draft.branch_id:
            await DraftRepository(session).delete(user_id)
            return None
        return draft, dict(draft.data or {})

    async def _save(self, session: AsyncSession, user_id: int, branch_id: int, step: str, data: dict) -> None:
        await DraftRepository(session).save(
            user_id=user_id, branch_id=branch_id, step=step, data=data, at=self.clock.now()
        )

    # -- entry points ---------------------------------------------------------------------------------------

    async def start(self, user_id: int) -> Reply:
        """/submit: a new form, or an offer to continue the saved draft."""
        async with self.session_factory() as session, session.begin():
            branch = await BranchRepository(session).by_secretary(user_id)
            if branch is None:
                return Reply(NO_BRANCH)
            loaded = await self._load(session, user_id)
            if loaded is not None:
                draft, data = loaded
                if draft.branch_id == branch.id:
                    ak = activity_by_code(data.get("kind", ""))
                    what = ak.name if ak else "活动记录"
                    return Reply(
                        f"您有一份未完成的草稿（{what}，填到“{self._step_label(draft.step, ak)}”）。要继续填写吗？",
                        [[("继续填写", "f:resume"), ("重新开始", "f:restart")]],
                    )
            await self._save(session, user_id, branch.id, "kind", {})
        return self._prompt("kind", None, {})

    async def resume(self, user_id: int) -> Reply:
        async with self.session_factory() as session, session.begin():
            loaded = await self._load(session, user_id)
            if loaded is None:
                return Reply("草稿已不存在，请发送 /submit 重新开始。")
            draft, data = loaded
            await self._save(
                session, user_id, draft.branch_id, draft.step, data
            )  # touch: the form is active again
        return self._prompt(draft.step, activity_by_code(data.get("kind", "")), data)

    async def restart(self, user_id: int) -> Reply:
        async with self.session_factory() as session, session.begin():
            await DraftRepository(session).delete(user_id)
        return await self.start(user_id)

    async def cancel(self, user_id: int) -> Reply:
        async with self.session_factory() as session, session.begin():
            existed = await DraftRepository(session).get(user_id) is not None
            await DraftRepository(session).delete(user_id)
        return Reply(
            "已取消，草稿已删除。需要时可发送 /submit 重新填写。" if existed else "当前没有正在填写的表单。"
        )

    async def on_text(self, user_id: int, text: str) -> Reply:
        return await self._step(user_id, text=text.strip())

    async def on_button(self, user_id: int, data: str) -> Reply:
        if data == "f:resume":
            return await self.resume(user_id)
        if data == "f:restart":
            return await self.restart(user_id)
        if data == "f:cancel":
            return await self.cancel(user_id)
        return await self._step(user_id, button=data)

    async def on_skip(self, user_id: int) -> Reply:
        return await self._step(user_id, skip=True)

    async def on_other(self, user_id: int, what: str) -> Reply:
        """A sticker, voice, location... at any step: a hint, and the step stays."""
        async with self.session_factory() as session, session.begin():
            loaded = await self._load(session, user_id)
        if loaded is None:
            return Reply("当前没有正在填写的表单。发送 /submit 开始填写活动记录。")
        draft, data = loaded
        prompt = self._prompt(draft.step, activity_by_code(data.get("kind", "")), data)
        return Reply(f"这一步不能接收{what}。\n\n{prompt.text}", prompt.buttons)

    async def on_file(self, user_id: int, incoming: IncomingFile) -> Reply | None:
        """A photo or document at the minutes or photos step. ``None`` means: received, say nothing yet (album)."""
        try:
            detected = detect_type(incoming.data)
        except FileTooLarge:
            return Reply(TOO_LARGE)
        except UnsupportedFileType:
            return Reply(
                "不支持这种文件。照片请发送 JPG/PNG/WEBP/HEIC，会议记录请发送 PDF 或 Word（doc/docx）文件。"
            )
        async with self.session_factory() as session, session.begin():
            loaded = await self._load(session, user_id)
            if loaded is None:
                return Reply("当前没有正在填写的表单。发送 /submit 开始填写活动记录。")
            draft, data = loaded
            ak = activity_by_code(data.get("kind", ""))
            step = draft.step
            if step not in ("minutes", "photos") or ak is None:
                prompt = self._prompt(step, ak, data)
                return Reply(f"这一步不需要发送文件。\n\n{prompt.text}", prompt.buttons)
            if step == "photos" and detected.role_hint != "image":
                return Reply("这一步请发送活动照片（图片）。会议记录文件请在“会议记录”一步发送。")
            known = [*data.get("photos", []), *data.get("minutes_files", [])]
            if any(f["unique_id"] == incoming.unique_id for f in known):
                return None  # already have it (an album re-sent, a repeated update, a page sent again as a photo)
            as_document = step == "minutes" and detected.role_hint == "document"
            pages = [f for f in data.get("minutes_files", []) if not f.get("doc")]
            photos = list(data.get("photos", []))
            # Limits before storing: a file that will not be kept is not written.
            if step == "minutes" and not as_document and len(pages) >= MAX_MINUTES_PAGES:
                return Reply(
                    f"会议记录照片最多{MAX_MINUTES_PAGES}页，多出的没有保存。请点击“完成”。",
                    [[("完成", DONE)]],
                )
            if step == "photos" and len(photos) >= ak.max_photos:
                return Reply(f"照片最多{ak.max_photos}张，多出的没有保存。请点击“完成”。", [[("完成", DONE)]])
            try:
                stored = await self.files.put(incoming.data)
            except FileTooLarge:
                return Reply(TOO_LARGE)
            entry = {
                "sha256": stored.sha256,
                "size": stored.size,
                "mime": stored.mime,
                "file_id": incoming.file_id,
                "unique_id": incoming.unique_id,
            }
            if as_document:
                data["minutes_text"] = None
                data["minutes_files"] = [entry | {"doc": True}]
                reply_next = await self._advance(session, user_id, draft.branch_id, step, ak, data)
                return Reply("已收到会议记录文件。\n\n" + reply_next.text, reply_next.buttons)
            if step == "minutes":
                data["minutes_files"] = [*pages, entry]
                data["minutes_text"] = None
                count = len(data["minutes_files"])
            else:
                data["photos"] = [*photos, entry]
                count = len(data["photos"])
            await self._save(session, user_id, draft.branch_id, step, data)
        if incoming.media_group_id:
            return None
        return self.page_count(count) if step == "minutes" else self.photo_count(count, ak)

    def photo_count(self, count: int, ak: ActivityKind) -> Reply:
        need = max(0, ak.min_photos - count)
        more = f"至少还需要 {need} 张。" if need else "还有就继续发，发完请点击“完成”。"
        return Reply(f"已收到 {count} 张照片。{more}", [[("完成", DONE)]])

    @staticmethod
    def page_count(count: int) -> Reply:
        return Reply(f"已收到会议记录照片 {count} 页。还有就继续发，发完请点击“完成”。", [[("完成", DONE)]])

    async def progress(self, user_id: int) -> Reply | None:
        """After an album: how many photos or pages are in (None when no form is at a file step)."""
        async with self.session_factory() as session, session.begin():
            loaded = await self._load(session, user_id)
        if loaded is None:
            return None
        draft, data = loaded
        ak = activity_by_code(data.get("kind", ""))
        if ak is None:
            return None
        if draft.step == "photos":
            return self.photo_count(len(data.get("photos", [])), ak)
        if draft.step == "minutes" and data.get("minutes_files"):
            return self.page_count(len(data["minutes_files"]))
        return None

    # -- the step machine -----------------------------------------------------------------------------------

    async def _step(
        self, user_id: int, *, text: str | None = None, button: str | None = None, skip: bool = False
    ) -> Reply:
        async with self.session_factory() as session, session.begin():
            loaded = await self._load(session, user_id)
            if loaded is None:
                return Reply("当前没有正在填写的表单。发送 /submit 开始填写活动记录。")
            draft, data = loaded
            step = draft.step
            ak = activity_by_code(data.get("kind", ""))
            try:
                done = self._apply(step, ak, data, text=text, button=button, skip=skip)
            except ValueError as exc:
                prompt = self._prompt(step, ak, data)
                return Reply(f"⚠️ {exc}", prompt.buttons)
            if step == "summary" and done == "confirm":
                return await self._submit(session, user_id, draft.branch_id, data)
            if done == "stay":
                await self._save(session, user_id, draft.branch_id, step, data)
                reply = self._prompt(step, activity_by_code(data.get("kind", "")), data)
                reply.in_place = True
                return reply
            if isinstance(done, str) and done.startswith("goto:"):
                target = done.removeprefix("goto:")
                data["editing"] = True
                await self._save(session, user_id, draft.branch_id, target, data)
                return self._prompt(target, ak, data)
            return await self._advance(
                session, user_id, draft.branch_id, step, activity_by_code(data.get("kind", "")), data
            )

    async def _advance(
        self,
        session: AsyncSession,
        user_id: int,
        branch_id: int,
        step: str,
        ak: ActivityKind | None,
        data: dict,
    ) -> Reply:
        assert ak is not None
        order = steps_for(ak)
        nxt = order[order.index(step) + 1] if step in order and step != "summary" else "summary"
        if nxt == "absentees" and not (data.get("expected") and (data.get("actual") or 0) < data["expected"]):
            data["absentees"] = []
            nxt = order[order.index("absentees") + 1]
        if data.get("editing") and nxt != "absentees":
            nxt = "summary"
        if nxt == "summary":
            data.pop("editing", None)
        await self._save(session, user_id, branch_id, nxt, data)
        return self._prompt(nxt, ak, data)

    def _apply(
        self,
        step: str,
        ak: ActivityKind | None,
        data: dict,
        *,
        text: str | None,
        button: str | None,
        skip: bool,
    ) -> str | None:
        """Applies one input to ``data``. Returns None to advance, 'stay', 'goto:STEP', or 'confirm'."""
        today = self.clock.now().date()
        if step == "kind":
            if button and button.startswith("f:kind:") and activity_by_code(button[7:]):
                data["kind"] = button[7:]
                return None
            raise ValueError("请点击下面的按钮选择活动类型。")
        assert ak is not None
        if step == "date":
            if skip:
                raise ValueError(SKIP_NOT_ALLOWED)
            if button in ("f:date:0", "f:date:1"):
                held = today - timedelta(days=int(button[-1]))
            elif text:
                try:
                    held = parse_date(text, today)
                except DateInputError as exc:
                    raise ValueError(str(exc)) from None
            else:
                raise ValueError("请发送活动日期，或点击“今天”“昨天”。")
            if held > today:
                raise ValueError("活动日期不能晚于今天。")
            earliest = earliest_allowed(ak.cadence, today)
            if held < earliest:
                raise ValueError(
                    f"{ak.name}只能补录上一{ak.cadence.label[1:]}及本{ak.cadence.label[1:]}的活动（{earliest:%Y-%m-%d} 以后）。"
                )
            data["held_on"] = held.isoformat()
            return None
        if step in ("topic", "place"):
            if skip:
                raise ValueError(SKIP_NOT_ALLOWED)
            label = "主题" if step == "topic" else "地点"
            if not text:
                raise ValueError(f"请用文字发送活动{label}。")
            if len(text) > MAX_TEXT:
                raise ValueError(f"{label}太长了（{len(text)}字），请控制在{MAX_TEXT}字以内。")
            if len(text) < 2:
                raise ValueError(f"{label}太短了，请写完整一些。")
            data[step] = text
            return None
        if step == "attendance":
            if skip:
                data.update(expected=None, actual=None, absentees=[])
                return None
            if not text:
                raise ValueError("请发送应到和实到人数，如“应到8人，实到7人”。")
            data["expected"], data["actual"] = _parse_attendance(text)
            return None
        if step == "absentees":
            if skip:
                data["absentees"] = []
                return None
            if not text:
                raise ValueError("请按“姓名 原因”每行一人发送缺席人员。")
            data["absentees"] = _parse_absentees(text)
            return None
        if spec := _spec(ak, step):
            return self._apply_field(spec, data, text=text, button=button, skip=skip)
        if step == "minutes":
            if button == DONE:
                if not data.get("minutes_files") and not data.get("minutes_text"):
                    raise ValueError("还没有收到会议记录。请输入文字，或发送文件、照片。")
                return None
            if skip:
                raise ValueError(SKIP_NOT_ALLOWED)
            if not text:
                raise ValueError("请输入会议记录文字，或发送 PDF/Word 文件，或拍照发送手写记录。")
            if len(text) > MAX_MINUTES_TEXT:
                raise ValueError(
                    f"文字记录太长（{len(text)}字），请控制在{MAX_MINUTES_TEXT}字以内，或改为发送文件。"
                )
            if len(text) < 10:
                raise ValueError("会议记录太短了，请写明主要内容（至少10个字）。")
            data["minutes_text"] = text
            data["minutes_files"] = []
            return None
        if step == "photos":
            if button == DONE:
                count = len(data.get("photos", []))
                if count < ak.min_photos:
                    raise ValueError(
                        f"{ak.name}至少需要{ak.min_photos}张照片，现在有{count}张。请继续发送照片。"
                    )
                return None
            if skip:
                raise ValueError("照片是必需的，不能跳过。")
            raise ValueError(f"这一步请发送活动照片（至少{ak.min_photos}张），发完后点击“完成”。")
        if step == "summary":
            if button == "f:confirm":
                return "confirm"
            if button and button.startswith("f:edit:"):
                target = button[7:]
                if target in steps_for(ak) and target not in ("kind", "summary", "absentees"):
                    if target == "photos":
                        data["photos"] = []
                    return f"goto:{target}"
            raise ValueError("请核对以上内容，点击“确认提交”，或点击要修改的项目。")
        raise ValueError("表单状态异常，请发送 /cancel 后重新开始。")

    def _apply_field(
        self, spec: FieldSpec, data: dict, *, text: str | None, button: str | None, skip: bool
    ) -> str | None:
        details = dict(data.get("details", {}))
        if skip:
            if not spec.optional:
                raise ValueError(SKIP_NOT_ALLOWED)
            details.pop(spec.key, None)
            data["details"] = details
            return None
        if spec.input_type == "multi":
            chosen = list(details.get(spec.key, []))
            if (
                button
                and button.startswith("f:opt:")
                and button[6:].isdigit()
                and int(button[6:]) < len(spec.options)
            ):
                option = spec.options[int(button[6:])]
                chosen = [c for c in chosen if c != option] if option in chosen else [*chosen, option]
                details[spec.key] = [o for o in spec.options if o in chosen]
                data["details"] = details
                return "stay"
            if button == DONE:
                if not chosen:
                    raise ValueError("请至少选择一项，再点击“完成”。")
                return None
            raise ValueError("请点击下面的按钮选择（可多选），选好后点击“完成”。")
        if spec.input_type == "choice":
            if (
                button
                and button.startswith("f:opt:")
                and button[6:].isdigit()
                and int(button[6:]) < len(spec.options)
            ):
                details[spec.key] = spec.options[int(button[6:])]
                data["details"] = details
                return None
            raise ValueError("请点击下面的按钮选择一项。")
        if not text:
            raise ValueError(f"请用文字回答：{spec.label}。")
        if spec.input_type == "int":
            if not re.fullmatch(r"[0-9]{1,6}", text.strip()) or int(text) > 100000:
                raise ValueError(f"{spec.label}请发送一个数字，如 3。")
            details[spec.key] = int(text)
        else:
            if len(text) > spec.max_length:
                raise ValueError(f"{spec.label}太长了（{len(text)}字），请控制在{spec.max_length}字以内。")
            details[spec.key] = text
        data["details"] = details
        return None

    # -- prompts --------------------------------------------------------------------------------------------

    def _step_label(self, step: str, ak: ActivityKind | None) -> str:
        labels = {
            "kind": "活动类型",
            "date": "日期",
            "topic": "主题",
            "place": "地点",
            "attendance": "出勤",
            "absentees": "缺席人员",
            "minutes": "会议记录",
            "photos": "照片",
            "summary": "核对提交",
        }
        spec = _spec(ak, step) if ak else None
        return spec.label if spec else labels.get(step, step)

    def _prompt(self, step: str, ak: ActivityKind | None, data: dict) -> Reply:
        cancel = [("取消填写", "f:cancel")]
        if step == "kind" or ak is None:
            return Reply("请选择要登记的活动类型：", [*_kind_buttons(), cancel])
        head = f"【{ak.name}】"
        if step == "date":
            return Reply(
                f"{head}活动是哪天开展的？\n可点击按钮，或发送日期，如 2026-11-20、11月20日、20号。",
                [[("今天", "f:date:0"), ("昨天", "f:date:1")], cancel],
            )
        if step == "topic":
            return Reply(f"{head}活动主题是什么？", [cancel])
        if step == "place":
            return Reply(f"{head}活动地点在哪里？", [cancel])
        if step == "attendance":
            return Reply(
                f"{head}应到、实到各多少人？如“应到8人，实到7人”或“8 7”。\n不统计可发送 /skip。", [cancel]
            )
        if step == "absentees":
            return Reply(
                f"{head}有 {data['expected'] - data['actual']} 人缺席。请发送缺席人员和原因，每行一人，如：\n"
                "张三 出差\n李四 病假\n不填写可发送 /skip。",
                [cancel],
            )
        if spec := _spec(ak, step):
            if spec.input_type == "multi":
                chosen = set(data.get("details", {}).get(spec.key, []))
                buttons = [
                    (("✅ " if o in chosen else "") + o, f"f:opt:{i}") for i, o in enumerate(spec.options)
                ]
                rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
                return Reply(f"{head}{spec.prompt}", [*rows, [("完成", DONE)], cancel])
            if spec.input_type == "choice":
                return Reply(
                    f"{head}{spec.prompt}", [[(o, f"f:opt:{i}") for i, o in enumerate(spec.options)], cancel]
                )
            return Reply(f"{head}{spec.prompt}", [cancel])
        if step == "minutes":
            return Reply(
                f"{head}请提交会议记录：直接输入文字，或发送 PDF/Word 文件，或拍照发送手写记录（可多张，发完点“完成”）。",
                [cancel],
            )
        if step == "photos":
            return Reply(
                f"{head}请发送活动照片，至少{ak.min_photos}张、最多{ak.max_photos}张，可一次选多张。发完后点击“完成”。",
                [[("完成", DONE)], cancel],
            )
        if step == "summary":
            return self._summary(ak, data)
        return Reply("表单状态异常，请发送 /cancel 后重新开始。")

    def _summary(self, ak: ActivityKind, data: dict) -> Reply:
        held = date.fromisoformat(data["held_on"])
        lines = [
            f"请核对【{ak.name}】记录：",
            f"日期：{held:%Y-%m-%d}（{period_of(ak.cadence, held).label}）",
        ]
        lines += [f"主题：{data.get('topic', '')}", f"地点：{data.get('place', '')}"]
        lines += attendance_lines(data.get("expected"), data.get("actual"), data.get("absentees")) or [
            "出勤：未填写"
        ]
        details = data.get("details", {})
        lines += [f"{spec.label}：{detail_text(details.get(spec.key)) or '未填写'}" for spec in ak.fields]
        if data.get("minutes_text"):
            text = data["minutes_text"]
            lines.append(f"会议记录：{text[:60]}{'…' if len(text) > 60 else ''}")
        elif data.get("minutes_files"):
            files = data["minutes_files"]
            lines.append(
                "会议记录：已上传文件" if files[0].get("doc") else f"会议记录：手写记录照片{len(files)}页"
            )
        lines.append(f"照片：{len(data.get('photos', []))}张")
        edit_steps = [s for s in steps_for(ak) if s not in ("kind", "absentees", "summary")]
        edit_buttons = [(f"改{self._step_label(s, ak)}", f"f:edit:{s}") for s in edit_steps]
        rows = [edit_buttons[i : i + 3] for i in range(0, len(edit_buttons), 3)]
        return Reply("\n".join(lines), [[("✅ 确认提交", "f:confirm")], *rows, [("取消填写", "f:cancel")]])

    # -- submit ---------------------------------------------------------------------------------------------

    async def _submit(self, session: AsyncSession, user_id: int, branch_id: int, data: dict) -> Reply:
        ak = activity_by_code(data["kind"])
        assert ak is not None
        held = date.fromisoformat(data["held_on"])
        entries = [("minutes", f) for f in data.get("minutes_files", [])] + [
            ("photo", f) for f in data.get("photos", [])
        ]
        for _, f in entries:
            if not await self.files.exists(f["sha256"]):
                return Reply(
                    "有文件没有保存成功，请点击“改照片”或“改会议记录”重新发送。",
                    self._summary(ak, data).buttons,
                )
        files = [
            {
                "role": role,
                "sha256": f["sha256"],
                "size": f["size"],
                "mime": f["mime"],
                "telegram_file_id": f["file_id"],
                "telegram_file_unique_id": f["unique_id"],
                "position": i,
            }
            for i, (role, f) in enumerate(entries)
        ]
        record = await RecordRepository(session).add(
            branch_id=branch_id,
            kind=ak.code,
            period=period_of(ak.cadence, held).code,
            held_on=held,
            topic=data["topic"],
            place=data.get("place"),
            expected=data.get("expected"),
            actual=data.get("actual"),
            absentees=data.get("absentees", []),
            details=data.get("details", {}),
            minutes_text=data.get("minutes_text"),
            submitted_by=user_id,
            at=self.clock.now(),
            files=files,
        )
        await DraftRepository(session).delete(user_id)
        number = record_number(record.id, held)
        return Reply(
            f"✅ 提交成功！\n记录编号：{number}\n{ak.name} · {period_of(ak.cadence, held).label} · {held:%Y-%m-%d}\n"
            f"主题：{data['topic']}\n照片 {len(data.get('photos', []))} 张。\n\n"
            "发送 /records 可查看本支部的活动记录；24小时内可撤回。"
        )
