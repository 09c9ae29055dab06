"""The form's transactions: load the draft, apply one input with the pure steps, save, all in one session.

Every input is saved before the reply goes out, so a dropped connection or a restart loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.clock import Clock
from handlers.services.form import cancel as cancelling
from handlers.services.form import paste, prompts
from handlers.services.form.files import CheckedFile, IncomingFile, check_file
from handlers.services.form.idle import RESUMED, resumes
from handlers.services.form.intake import accept_file, add_file
from handlers.services.form.intake import progress as album_progress
from handlers.services.form.model import (
    FORM_TIMEOUT,
    MAX_MINUTES_TEXT,
    NO_BRANCH,
    NO_FORM,
    Act,
    Action,
    Input,
    InputError,
    Notice,
    Outcome,
    Reply,
    SpentButton,
    Step,
    StepResult,
    TooLong,
)
from handlers.services.form.questions import ask_later
from handlers.services.form.returned import closed_period_note, offer_amend
from handlers.services.form.steps import apply_input, next_step
from handlers.services.form.submit import submit
from knowledge.activities import activity_by_code
from storage.files import FileStore
from storage.models import Draft
from storage.repositories import BranchRepository, DraftRepository

log = logging.getLogger(__name__)

# Called with the new record's id once its transaction has committed (thumbnails; the adapter may add one that
# tells the reviewers). A hook that fails is logged: the record is stored and the secretary gets the receipt.
OnStored = Callable[[int], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class FileMeta:
    """What the channel tells about a file before it is downloaded."""

    unique_id: str
    media_group_id: str | None = None


class FormService:
    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], clock: Clock, files: FileStore
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.files = files
        self.on_stored: list[OnStored] = []

    def _prompt(self, step: str, data: dict) -> Reply:
        """The prompt of ``step`` for the draft's kind, with the form's today (the date step's examples)."""
        return prompts.prompt(step, activity_by_code(data.get("kind", "")), data, self.clock.now().date())

    async def _stored(self, record_id: int) -> None:
        for hook in self.on_stored:
            try:
                await hook(record_id)
            except Exception:
                log.exception("a hook after storing record %s failed", record_id)

    # -- the draft ----------------------------------------------------------------------------------------

    def _active(self, draft: Draft | None) -> bool:
        return draft is not None and self.clock.now() - draft.updated_at <= FORM_TIMEOUT

    async def _load(self, session: AsyncSession, user_id: int) -> tuple[Draft, dict[str, Any]] | None:
        """The user's draft and its data, if the user is still secretary of the draft's branch.

        A secretary replaced by a new invitation loses their draft: it was for a branch that is no longer theirs.
        """
        drafts = DraftRepository(session)
        draft = await drafts.get(user_id)
        if draft is None:
            return None
        branch = await BranchRepository(session).by_secretary(user_id)
        if branch is None or branch.id != draft.branch_id:
            await drafts.delete(user_id)
            return None
        return draft, dict(draft.data or {})

    async def _save(self, session: AsyncSession, user_id: int, branch_id: int, step: str, data: dict) -> None:
        """Saves the draft; an input saved ends an open "cancel?" question (``cancel.ASKED``)."""
        await DraftRepository(session).save(
            user_id=user_id,
            branch_id=branch_id,
            step=step,
            data=cancelling.without_mark(data),
            at=self.clock.now(),
        )

    async def _end_question(self, session: AsyncSession, draft: Draft, data: dict) -> dict:
        """Any input the form takes (text, a button, a file, a sticker) ends an open "cancel?" question."""
        if cancelling.ASKED not in data:
            return data
        data = cancelling.without_mark(data)
        await self._save(session, draft.user_id, draft.branch_id, draft.step, data)
        return data

    async def active_step(self, user_id: int) -> str | None:
        """The step of the user's draft if the form is in progress (touched within ``FORM_TIMEOUT``)."""
        async with self.session_factory() as session:
            draft = await DraftRepository(session).get(user_id)
        return draft.step if self._active(draft) else None

    async def current(self, user_id: int) -> Reply | None:
        """The prompt of the step the user's form is at, if it is in progress (to ask it again)."""
        async with self.session_factory() as session:
            draft = await DraftRepository(session).get(user_id)
        if not self._active(draft):
            return None
        data = dict(draft.data or {})
        return self._prompt(draft.step, data)

    async def idle_draft(self, user_id: int) -> tuple[str, str] | None:
        """(the kind's name, when the draft was last touched, ISO) of a draft left longer than ``FORM_TIMEOUT``;
        None when there is none, it is still in progress, or the user is no longer secretary of its branch (then
        /submit deletes it: nothing to point to)."""
        async with self.session_factory() as session:
            draft = await DraftRepository(session).get(user_id)
            branch = await BranchRepository(session).by_secretary(user_id) if draft is not None else None
        if draft is None or self._active(draft) or branch is None or branch.id != draft.branch_id:
            return None
        ak = activity_by_code(str((draft.data or {}).get("kind", "")))
        return (ak.name if ak else "活动记录"), draft.updated_at.isoformat()

    # -- commands and control buttons ---------------------------------------------------------------------

    async def start(self, user_id: int) -> Reply:
        """/submit: a new form, or an offer to continue the saved draft if anything was entered (a draft with at
        most the kind chosen, as after /submit sent twice, is begun anew: no 重新开始 to wipe a later draft)."""
        async with self.session_factory() as session, session.begin():
            branch = await BranchRepository(session).by_secretary(user_id)
            if branch is None:
                return Reply(NO_BRANCH)
            loaded = await self._load(session, user_id)
            if loaded is not None and cancelling.entered(
                activity_by_code(loaded[1].get("kind", "")), loaded[1]
            ):
                return prompts.keep_or_replace(loaded[0].step, loaded[1])
            await self._save(session, user_id, branch.id, Step.KIND, {})
        return self._prompt(Step.KIND, {})

    async def start_with(
        self, user_id: int, code: str, *, replace: bool = False, period: str | None = None
    ) -> Reply:
        """A new form with the activity kind already chosen (a reminder's button, about ``period``). A draft with
        anything entered is kept: the user is asked, as by /submit, whether to continue it or to start the
        reminded kind anew (``replace``: the answer "start anew")."""
        async with self.session_factory() as session, session.begin():
            branch = await BranchRepository(session).by_secretary(user_id)
            ak = activity_by_code(code)
            if branch is None:
                return Reply(NO_BRANCH)
            if ak is None:
                return self._prompt(Step.KIND, {})
            loaded = await self._load(session, user_id)
            if loaded is not None and not replace and set(loaded[1]) - {"kind"}:
                return prompts.keep_or_replace(loaded[0].step, loaded[1], ak)
            await DraftRepository(session).delete(user_id)
            data = {"kind": ak.code}
            await self._save(session, user_id, branch.id, Step.DATE, data)
            # a closed period's note (``period``: the reminder's), then an offer of a returned record to amend
            today = self.clock.now().date()
            reply = closed_period_note(ak, period, today, self._prompt(Step.DATE, data))
            return await offer_amend(session, branch.id, ak, today, reply)

    async def resume(self, user_id: int) -> Reply:
        async with self.session_factory() as session, session.begin():
            loaded = await self._load(session, user_id)
            if loaded is None:
                return Reply("草稿已不存在，", notice=Notice.DRAFT_GONE)
            draft, data = loaded
            await self._save(session, user_id, draft.branch_id, draft.step, data)  # touch: active again
        return self._prompt(draft.step, data)

    async def restart(self, user_id: int, code: str = "") -> Reply:
        """重新开始: the draft is deleted; a new form (of kind ``code`` when one is given, from a reminder)."""
        if code and activity_by_code(code) is not None:
            return await self.start_with(user_id, code, replace=True)
        async with self.session_factory() as session, session.begin():
            await DraftRepository(session).delete(user_id)
        return await self.start(user_id)

    async def cancel(self, user_id: int, *, typed: bool = True) -> Reply:
        """/cancel (``typed``) or 取消填写: a draft holding anything entered beyond the kind is only asked about
        (确认取消 / 继续填写); /cancel typed again while asked, or nothing entered, deletes it. The button pressed
        while asked asks again: only 确认取消 or /cancel (not within ``DOUBLE_TAP`` of the question) confirms."""
        now = self.clock.now()
        async with self.session_factory() as session, session.begin():
            drafts = DraftRepository(session)
            draft = await drafts.get(user_id)
            data = dict(draft.data or {}) if draft is not None else {}
            lost = cancelling.entered(activity_by_code(data.get("kind", "")), data)
            confirmed = typed and data.get(cancelling.ASKED) and self._active(draft)
            if draft is not None and lost and confirmed and cancelling.double_tap(draft.updated_at, now):
                return cancelling.question(lost)  # /cancel sent twice: asked again, the question's time kept
            if draft is not None and lost and not confirmed:
                data = {**data, cancelling.ASKED: True}
                await drafts.save(
                    user_id=user_id, branch_id=draft.branch_id, step=draft.step, data=data, at=now
                )
                return cancelling.question(lost)
        return await self._delete(user_id)

    async def discard(self, user_id: int) -> Reply:
        """确认取消: the draft is deleted, if the question is still open; else (an input ended it) asked again."""
        async with self.session_factory() as session:
            draft = await DraftRepository(session).get(user_id)
        if draft is not None and not (draft.data or {}).get(cancelling.ASKED):
            return await self.cancel(user_id, typed=False)
        return await self._delete(user_id)

    async def _delete(self, user_id: int) -> Reply:
        async with self.session_factory() as session, session.begin():
            existed = await DraftRepository(session).delete(user_id)
        if existed:
            return Reply("已取消，草稿已删除。", notice=Notice.CANCELLED)
        return Reply("当前没有正在填写的表单。")

    async def on_action(self, user_id: int, action: Action) -> Reply:
        """A button of the form was pressed."""
        if action.act is Act.RESUME:
            return await self.resume(user_id)
        if action.act is Act.RESTART:
            return await self.restart(user_id, action.arg)
        if action.act is Act.CANCEL:
            return await self.cancel(user_id, typed=False)
        if action.act is Act.DISCARD:
            return await self.discard(user_id)
        return await self._step(user_id, Input(action=action), require_active=False) or NO_FORM

    # -- inputs -------------------------------------------------------------------------------------------

    async def take(self, user_id: int, inp: Input) -> Reply | None:
        """Text or /skip while the form is active; None when no form is active (the input is not the form's)."""
        return await self._step(user_id, inp, require_active=True)

    async def take_other(self, user_id: int, what: str) -> Reply | None:
        """A sticker, voice, location... while the form is active: a hint, and the step stays."""
        async with self.session_factory() as session, session.begin():
            loaded = await self._load(session, user_id)
            if loaded is None or not self._active(loaded[0]):
                return None
            draft, data = loaded
            data = await self._end_question(session, *loaded)
        prompt = self._prompt(draft.step, data)
        return Reply(f"这一步不需要发送{what}。\n\n{prompt.text}", prompt.buttons, skip_hint=prompt.skip_hint)

    async def _step(self, user_id: int, inp: Input, *, require_active: bool) -> Reply | None:
        stored: list[int] = []  # the new record's id, once the summary is confirmed
        reply = await self._step_in_transaction(user_id, inp, stored, require_active=require_active)
        for record_id in stored:
            await self._stored(record_id)
        return reply

    async def _step_in_transaction(
        self, user_id: int, inp: Input, stored: list[int], *, require_active: bool
    ) -> Reply | None:
        async with self.session_factory() as session, session.begin():
            loaded = await self._load(session, user_id)
            idle = loaded is not None and require_active and not self._active(loaded[0])
            if loaded is None or (
                idle and not resumes(loaded[0].step, loaded[1], inp, self.clock.now().date())
            ):
                return None
            draft, data = loaded
            step = draft.step
            data = await self._end_question(session, draft, data)
            result = await self._apply(session, draft, data, inp)
            if isinstance(result, Reply):
                return result
            data = paste.forget(result.data)
            ak = activity_by_code(data.get("kind", ""))
            if result.outcome is Outcome.CONFIRM:
                at = self.clock.now()
                return await submit(session, self.files, user_id, draft.branch_id, data, stored, at)
            if result.outcome is Outcome.STAY:
                await self._save(session, user_id, draft.branch_id, step, data)
                reply = self._prompt(step, data)
                reply.in_place = True
                return reply
            target = result.target if result.outcome is Outcome.GOTO else next_step(ak, step, data)
            await self._save(session, user_id, draft.branch_id, target, data)
            note = (RESUMED if idle else "") + (result.note or "")
            reply = prompts.after_question(step, ak, inp.text, self._prompt(target, data), note or None)
            if step == Step.KIND:
                return await offer_amend(session, draft.branch_id, ak, self.clock.now().date(), reply)
            return reply

    async def _apply(self, session: AsyncSession, draft: Draft, data: dict, inp: Input) -> StepResult | Reply:
        """The pure step's result, or the refusal; a part of a split paste is refused whole (``paste``)."""
        step = draft.step
        if (undone := paste.minutes_tail(step, data, inp)) is not None:
            await self._save(session, draft.user_id, draft.branch_id, Step.MINUTES, undone)
            return self._refusal(
                InputError(paste.refusal(Step.MINUTES, MAX_MINUTES_TEXT)), Step.MINUTES, undone
            )
        limit = paste.continued(step, data, inp)
        if limit is not None:
            marked = paste.mark(step, data, inp, limit, first=False)
            await self._save(session, draft.user_id, draft.branch_id, step, marked or data)
            return self._refusal(InputError(paste.refusal(step, limit)), step, data)
        try:
            return apply_input(step, data, inp, self.clock.now().date())
        except TooLong as exc:
            if (marked := paste.mark(step, data, inp, exc.limit)) is not None:
                await self._save(session, draft.user_id, draft.branch_id, step, marked)
            return self._refusal(exc, step, data)
        except InputError as exc:
            return self._refusal(exc, step, data, inp.text)

    def _refusal(self, exc: InputError, step: str, data: dict, text: str | None = None) -> Reply:
        if isinstance(exc, SpentButton):
            return Reply(exc.message, spent=True)  # another step's button: its note (``form/stale.py``)
        prompt = self._prompt(step, data)
        if prompt.notice is Notice.BROKEN:
            return prompt
        notice = ask_later(exc, text)  # a question refused: how to ask it
        return Reply(f"⚠️ {exc.message}", prompt.buttons, skip_hint=exc.skip_hint, notice=notice)

    # -- files --------------------------------------------------------------------------------------------

    async def take_file(
        self, user_id: int, meta: FileMeta, download: Callable[[], Awaitable[IncomingFile]]
    ) -> Reply | None:
        """A photo or document for the user's draft. ``None`` with no draft.

        A draft left idle longer than ``FORM_TIMEOUT`` takes the file when it waits at the photos step (the
        photos of a meeting come after it; the draft is active again); at another step the user is told the
        file was not saved and how to continue.

        One session: the draft is read and the file judged against the step and its limits, the read ends,
        the file is downloaded, checked once and written to the store, then one transaction adds it to the
        draft. A reply with empty text means: received, say nothing yet (an album's next photo).
        """
        async with self.session_factory() as session:
            async with session.begin():
                loaded = await self._load(session, user_id)
                if loaded is None:
                    return None
                step, data = loaded[0].step, loaded[1]
                if not self._active(loaded[0]) and step != Step.PHOTOS:
                    return prompts.idle_draft(step, data)
                data = await self._end_question(session, *loaded)
                refusal = accept_file(step, data, meta.unique_id, today=self.clock.now().date())
                if refusal is not None:
                    return refusal
            checked = check_file(await download())
            if isinstance(checked, str):
                return Reply(checked)
            refusal = accept_file(step, data, meta.unique_id, checked, today=self.clock.now().date())
            if refusal is not None:
                return refusal
            stored = await self.files.put(checked.incoming.data, checked.type)
            async with session.begin():
                loaded = await self._load(session, user_id)
                if loaded is None:
                    return NO_FORM
                return await self._add_file(session, user_id, loaded, checked, stored)

    async def _add_file(self, session, user_id: int, loaded, checked: CheckedFile, stored) -> Reply:
        draft, data = loaded
        ak = activity_by_code(data.get("kind", ""))
        added = add_file(draft.step, ak, data, checked, stored, self.clock.now().date())
        if isinstance(added, Reply):
            return added
        data, step, reply = added
        await self._save(session, user_id, draft.branch_id, step, data)
        return reply

    async def progress(self, user_id: int) -> Reply | None:
        """After an album: how many photos, pages or minutes files are in (None when no form is at a file step)."""
        async with self.session_factory() as session:
            loaded = await self._load(session, user_id)
            await session.commit()
        if loaded is None:
            return None
        return album_progress(loaded[0].step, loaded[1], self.clock.now().date())
