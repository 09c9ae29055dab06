"""Branches, invitations and the profile checks the speeches imply."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.clock import Clock
from handlers.services.profile_history import load_histories
from handlers.services.profile_notice import Profile, ProfileEdit, field_changes, profile_notice, recipients
from handlers.services.text import clean_text
from knowledge.activities import Cadence
from knowledge.numbers import parse_count
from knowledge.organisation import OrgForm, org_form_label
from storage.models import Branch
from storage.repositories import BranchRepository, DraftRepository, InvitationRepository, SupervisorRepository

INVITATION_TTL = timedelta(days=7)
FIELD_LABELS = {
    "org_name": "单位名称",
    "name": "支部名称",
    "formal_members": "正式党员人数",
    "units": "联合单位数",
}
NUMBER_FIELDS = frozenset({"formal_members", "units"})
MAX_COUNT = 100000
NAME_LENGTH = (2, 100)


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def new_code() -> str:
    """22 URL-safe characters (128 bits): fits a /start deep-link payload, cannot be guessed."""
    return secrets.token_urlsafe(16)


# What ``new_code`` issues: 16 bytes in URL-safe base64 without padding, so 22 characters whose last holds only
# two bits (A, Q, g or w). The admin's reply shows it after 邀请码：, so a paste may keep that prefix.
_CODE = r"[A-Za-z0-9_-]{21}[AQgw]"
_PASTED_CODE = re.compile(rf"(?:邀请码\s*[:：]?\s*)?({_CODE})")
# In a longer paste (the admin's whole reply, a forwarded link): the code after 邀请码： or in the deep link.
_CODE_IN_TEXT = re.compile(rf"(?:邀请码\s*[:：]\s*|[?&]start=)({_CODE})(?![A-Za-z0-9_-])")
_END_PUNCTUATION = "。.，,！!；;、 \t\r\n"


def pasted_code(text: str) -> str | None:
    """The invitation code when ``text`` is one (as ``new_code`` issues it, optionally after 邀请码 / 邀请码：),
    else None: a secretary who pastes the code into the chat joins as with /start <code>. Read as phones paste
    it (helper-86's review): full-width letters, a full stop after it, a space a line wrap put inside it, the
    t.me link alone, or the administrator's whole reply (the code after 邀请码：, or the link's start=)."""
    plain = unicodedata.normalize("NFKC", text or "").strip().rstrip(_END_PUNCTUATION)
    if match := _PASTED_CODE.fullmatch(plain):
        return match.group(1)
    if match := _PASTED_CODE.fullmatch(re.sub(r"\s+", "", plain)):
        return match.group(1)
    match = _CODE_IN_TEXT.search(plain)
    return match.group(1) if match else _code_with_a_note(plain)


# A code pasted with a few characters around it (helper-97's review: 邀请码是“<code>”，请尽快加入, <code> 👍,
# <code>，谢谢 were answered as questions): one code-shaped token, standing alone, in a short text.
_CODE_TOKEN = re.compile(rf"(?<![A-Za-z0-9_-]){_CODE}(?![A-Za-z0-9_-])")
NOTE_LIMIT = 12  # characters besides the code (spaces not counted)
INVITE_NOTE_LIMIT = 40  # when the note mentions 邀请
_ASKS = re.compile(r"[?？]|怎么|怎样|如何|什么|请问|能否|是否|哪|吗|呢")  # <code> 怎么用: a question about it
# Another credential named beside the token (helper-104's re-review: 学习强国账号 <22 characters> 密码忘了 was
# taken for an invitation code).
_OTHER_CREDENTIAL = re.compile(
    r"账号|帐号|账户|密码|口令|用户名|登录|登陆|验证码|学号|工号|手机|ID", re.IGNORECASE
)


def _code_with_a_note(plain: str) -> str | None:
    """The code-shaped token of a short ``plain`` text, else None. A random code mixes at least two of capitals,
    small letters and digits (all but about once in 10^7 codes); a word or number of 22 characters rarely does."""
    tokens = _CODE_TOKEN.findall(plain)
    if len(tokens) != 1:
        return None
    code = tokens[0]
    kinds = sum(any(test(c) for c in code) for test in (str.isupper, str.islower, str.isdigit))
    note = re.sub(r"\s+", "", plain.replace(code, ""))
    invited = "邀请" in note
    if kinds < 2 or len(note) > (INVITE_NOTE_LIMIT if invited else NOTE_LIMIT) or _ASKS.search(note):
        return None
    return code if invited or not _OTHER_CREDENTIAL.search(note) else None


QUESTION = re.compile(r"[?？]\s*$|怎么|怎样|如何|多久|是否|能否|吗\s*$")
NOT_A_NAME = "这看起来是一个问题，不像名称，没有保存。如需提问，请先发送 /cancel；否则请重新发送名称。"


def parse_branch_value(field: str, text: str) -> str | int:
    """A profile field's value from what the user typed; ``ValueError`` with a Chinese message if unfit."""
    text = text.strip()
    if field in NUMBER_FIELDS:
        # ５ (a full-width digit), 5个, 5 名, 五人: the count as typed on a phone (helper-70's review: refused).
        plain = re.sub(r"\s*(?:个|名|人|家|位)$", "", unicodedata.normalize("NFKC", text)).strip()
        count = int(plain) if re.fullmatch(r"[0-9]{1,12}", plain) else parse_count(plain) if plain else None
        if count is None:
            raise ValueError(f"{FIELD_LABELS[field]}请发送一个数字，如 5。")
        if not 0 <= count <= MAX_COUNT:  # 1000000 is a number, only not a count of this (stop 29)
            raise ValueError(f"{FIELD_LABELS[field]}应在 0 到 {MAX_COUNT} 之间，请重新发送。")
        return count
    if QUESTION.search(
        text
    ):  # 主题党日多久开展一次？ typed while a name was asked (helper-86's review: saved)
        raise ValueError(NOT_A_NAME)
    low, high = NAME_LENGTH
    if not low <= len(text) <= high:
        raise ValueError(f"{FIELD_LABELS[field]}应为{low}到{high}个字。")
    return text


NO_SECRETARY = "尚无书记"
UNREACHABLE = "⚠️ 无法联系：提醒已暂停，待其重新发送 /start"


def secretary_of(branch: Branch) -> str | None:
    """The branch's secretary as the lists name them (their stored name, else their user id); None: none yet."""
    if not branch.secretary_user_id:
        return None
    return branch.secretary_name or str(branch.secretary_user_id)


def secretary_warning(branch: Branch) -> str | None:
    """:data:`UNREACHABLE` when the bot can no longer write to the branch's secretary (blocked, deleted)."""
    unreachable = branch.secretary_user_id and branch.secretary_unreachable_at is not None
    return UNREACHABLE if unreachable else None


def closed_on(branch: Branch, tz: tzinfo | None = None) -> date | None:
    """The day the branch was closed (撤销), in ``tz``; None while it is open."""
    at = branch.closed_at
    return None if at is None else (at.astimezone(tz) if tz is not None else at).date()


def branch_line(branch: Branch, tz: tzinfo | None = None) -> str:
    """One line of a branch list, the same in chat and in the terminal (the web's branch page says the same)."""
    name = secretary_of(branch)
    secretary = f"书记 {name}" if name else NO_SECRETARY
    if warning := secretary_warning(branch):
        secretary += f"（{warning}）"
    if (closed := closed_on(branch, tz)) is not None:
        secretary = f"已撤销（{closed.isoformat()}）"
    return (
        f"{branch.id}. {branch.org_name} · {branch.name}"
        f"（{org_form_label(branch.form)}，{branch.formal_members}名正式党员）：{secretary}"
    )


@dataclass(frozen=True, slots=True)
class NewInvitation:
    branch: Branch
    code: str


@dataclass(frozen=True, slots=True)
class Redeemed:
    """What opening an invitation did.

    ``status``: ok | confirm | own_branch | unknown | used | expired | revoked | closed | malformed. ``closed``:
    the link's branch was closed (撤销). ``own_branch``: the user already leads the invitation's branch, which
    stays unused (a successor's link). ``confirm``: the user leads another branch (``left``), so nothing changed:
    ask them, then call ``redeem`` again with ``confirm_from=left.id``. ``branch``: the invitation's branch (the one they now lead, on ``ok``; on used, expired or revoked, the link's
    branch, if it still exists). ``left``: the branch they lead (confirm)
    or left (ok), now without a secretary. ``replaced``: the branch's former secretary, someone else, who lost the
    post (ok) or would lose it (confirm): ``(user id, name)``. ``draft``: the user has an unfinished draft for
    ``left``, which the move discards. ``replaced_draft``: the former secretary had an unfinished draft for the
    branch, which can no longer be submitted. ``unsupervised``: the user supervised the branch they now lead,
    which left their scope.
    """

    status: str
    branch: Branch | None = None
    left: Branch | None = None
    replaced: tuple[int, str | None] | None = None
    draft: bool = False
    replaced_draft: bool = False
    unsupervised: bool = False  # the user supervised the branch they now lead: it left their scope (ok)


class BranchClosedError(Exception):
    """The branch was closed (撤销): it takes no new invitation."""

    def __init__(self, branch_id: int, name: str) -> None:
        super().__init__(f"branch {branch_id} is closed")
        self.branch_id, self.name = branch_id, name


class BranchService:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        admin_ids: frozenset[int] = frozenset(),
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.admin_ids = admin_ids  # told of profile changes, with the branch's supervisors

    async def create(
        self,
        *,
        org_name: str,
        name: str,
        form: str,
        formal_members: int,
        units: int | None,
        created_by: int | None,
    ) -> NewInvitation:
        if OrgForm.parse(form) is None:
            raise ValueError(f"unknown form {form!r}")
        form = OrgForm.parse(form).value
        now = self.clock.now()
        async with self.session_factory() as session, session.begin():
            branch = await BranchRepository(session).add(
                org_name=org_name.strip(),
                name=name.strip(),
                form=form,
                formal_members=formal_members,
                units=units,
                at=now,
            )
            code = await self._invite(session, branch.id, created_by)
        return NewInvitation(branch, code)

    async def invite(self, branch_id: int, *, created_by: int | None) -> NewInvitation | None:
        """A new invitation of the branch; None when there is no such branch; :class:`BranchClosedError` when it
        was closed (reopen it first)."""
        async with self.session_factory() as session, session.begin():
            branch = await BranchRepository(session).get(branch_id)
            if branch is None:
                return None
            if branch.closed_at is not None:
                raise BranchClosedError(branch.id, branch.name)
            code = await self._invite(session, branch_id, created_by)
        return NewInvitation(branch, code)

    async def _invite(self, session: AsyncSession, branch_id: int, created_by: int | None) -> str:
        now = self.clock.now()
        code = new_code()
        await InvitationRepository(session).create(
            branch_id=branch_id,
            code_hash=hash_code(code),
            created_by=created_by,
            at=now,
            expires_at=now + INVITATION_TTL,
        )
        return code

    async def redeem(
        self,
        code: str,
        *,
        user_id: int,
        name: str | None,
        confirm_from: int | None = None,
        ask_first: bool = False,
    ) -> Redeemed:
        """Make the user the secretary of the invitation's branch.

        A user who leads another branch is asked first (``confirm``) unless ``confirm_from`` names that branch;
        with ``ask_first`` (an administrator, who may only be checking the link) anyone is (``confirm``, no
        ``left``), as the link is spent once opened.
        """
        if not code or len(code) > 64 or not all(c.isalnum() or c in "-_" for c in code):
            return Redeemed("malformed")
        name = clean_text(name, NAME_LENGTH[1]) or None
        now = self.clock.now()
        async with self.session_factory() as session, session.begin():
            branches, invitations = BranchRepository(session), InvitationRepository(session)
            invitation = await invitations.find(hash_code(code))
            target = await branches.get(invitation.branch_id) if invitation is not None else None
            # A closed branch's invitations were revoked as it closed: said so rather than "a newer link exists".
            if target is not None and target.closed_at is not None:
                return Redeemed("closed", target)
            current = await branches.by_secretary(user_id)
            left = current if current is not None and target is not None and current.id != target.id else None
            replaced = None
            if target is not None and target.secretary_user_id not in (None, user_id):
                replaced = (target.secretary_user_id, target.secretary_name)
            draft = left is not None and await self._has_draft(session, user_id, left.id)
            open_ = invitation is not None and invitation.used_at is None and invitation.revoked_at is None
            if left is not None and open_ and invitation.expires_at > now and confirm_from != left.id:
                return Redeemed("confirm", target, left, replaced, draft)
            mine = target is not None and target.secretary_user_id == user_id
            if ask_first and left is None and not mine and open_ and invitation.expires_at > now:
                return Redeemed("confirm", target, None, replaced)
            if (
                target is not None
                and target.secretary_user_id == user_id
                and open_
                and invitation.expires_at > now
            ):
                # The sitting secretary opened a new link of their own branch (an administrator's, most likely
                # for a successor): it stays unused (helper-86's review: it was spent without a word).
                return Redeemed("own_branch", target)
            status = await invitations.redeem(hash_code(code), user_id=user_id, name=name, at=now)
            if str(status) != "ok":  # the link's branch too: its sitting secretary needs no new link
                return Redeemed(str(status), target)
            branch = await branches.by_secretary(user_id)
            lost = replaced is not None and await self._has_draft(session, replaced[0], target.id)
            # Nobody supervises (reviews) their own branch, as /supervisor refuses it (helper-104's re-review:
            # a supervisor who became its secretary through an invitation kept it in their scope).
            unsupervised = bool(await SupervisorRepository(session).revoke(user_id, [target.id]))
        # left: its secretary is cleared now
        return Redeemed("ok", branch, left, replaced, draft, lost, unsupervised)

    @staticmethod
    async def _has_draft(session: AsyncSession, user_id: int, branch_id: int) -> bool:
        draft = await DraftRepository(session).get(user_id)
        return draft is not None and draft.branch_id == branch_id

    async def of_user(self, user_id: int) -> Branch | None:
        async with self.session_factory() as session:
            return await BranchRepository(session).by_secretary(user_id)

    async def list_all(self) -> list[Branch]:
        async with self.session_factory() as session:
            return await BranchRepository(session).list_all()

    async def update(self, branch_id: int, **fields: object) -> Branch:
        """A profile change, nobody to tell of it (see :meth:`edit`)."""
        return (await self.edit(branch_id, by=None, **fields)).branch

    async def edit(
        self, branch_id: int, *, by: int | None, by_name: str | None = None, **fields: object
    ) -> ProfileEdit:
        """A profile change made by user ``by`` (``by_name``: their name as the channel knows it), and the notice
        for the branch's supervisors and the administrators when it changes what the branch owes, its form or
        its formal members (``handlers.services.profile_notice``). A form other than 联合建 forgets the unit
        count (it would come back, stale, on a switch back: helper-86's review)."""
        if "form" in fields and fields["form"] != OrgForm.JOINT:
            fields = {**fields, "units": None}
        now = self.clock.now()
        async with self.session_factory() as session, session.begin():
            repo = BranchRepository(session)
            before = await repo.get(branch_id)
            was = Profile.of(before) if before is not None else None
            branch = await repo.update(branch_id, at=now, **fields)
            if by is None or was is None or not field_changes(was, Profile.of(branch)):
                return ProfileEdit(branch)
            history = (await load_histories(session, [branch], self.clock.tz))[branch.id]
            told = recipients(
                self.admin_ids, await SupervisorRepository(session).supervisors_of(branch.id), by
            )
        name = clean_text(by_name, NAME_LENGTH[1]) or branch.secretary_name or str(by)
        today = now.astimezone(self.clock.tz).date()
        return ProfileEdit(branch, profile_notice(branch, was, history, today, told, name))

    async def exempt_now(self, branch: Branch) -> dict[Cadence, frozenset[str]]:
        """The kinds the branch does not owe this month, quarter and year, by its profile history (a change
        counts from the next period): for ``organisation.profile_line``."""
        async with self.session_factory() as session:
            history = (await load_histories(session, [branch], self.clock.tz))[branch.id]
        return history.exempt_now(self.clock.now().astimezone(self.clock.tz).date())
