"""HTML rendering of answers, and of a branch's profile, for Telegram (everything user-supplied or from the corpus
is escaped)."""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.services.qa import QAResult
from handlers.tg.callbacks import parse_id
from knowledge.activities import Cadence
from knowledge.ingest import CLOSING, OPENING
from knowledge.organisation import OrgForm, org_form_label, profile_line, profile_warnings
from knowledge.render import citation, closest, no_answer, trim
from knowledge.types import Hit, Passage

TOPICS_HINT = "或浏览讲话目录（/topics）"
EXAMPLES = (
    "党员不足三人的企业怎样建立党组织",
    "主题党日的“1+6+X”是什么",
    "党建工作经费可以在税前扣除吗",
    "“六有”标准指什么",
)


def examples_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(q, callback_data=f"qa:ex:{i}")] for i, q in enumerate(EXAMPLES)]
    )


def answer_html(result: QAResult) -> str:
    answer = result.answer
    top = answer.hits[0]
    parts = []
    if result.read_as:
        parts.append(f"<i>（接着上一个问题，按“{escape(trim(result.read_as, 30))}”理解）</i>")
    elif result.follows:
        parts.append(f"<i>（接着上一个问题“{escape(trim(result.follows, 30))}”理解）</i>")
    if answer.tentative:
        parts.append(f"🔎 <b>{escape(closest(top))}</b>")
    if answer.note:
        parts.append(f"ℹ️ {escape(answer.note)}")
    if answer.rule is not None:
        parts.append(f"📌 <b>{escape(answer.rule.conclusion)}</b>")
    parts.append(f"<b>{'相关表述' if answer.tentative else '要点'}：</b>{escape(top.highlight)}")
    parts.append(f"<blockquote>{escape(trim(top.text, around=top.highlight))}</blockquote>")
    parts.append(f"<i>出处：{escape(citation(top.source, top.section))}</i>")
    return "\n\n".join(parts)


def fingerprint(text: str) -> str:
    """Six hex digits of a passage's text: a 查看原文 button names its passage by id and by this, so a button made
    before a document was added (which renumbers the passages) finds its passage again or says it is stale."""
    return f"{zlib.crc32(text.encode('utf-8')) & 0xFFFFFF:06x}"


def full_data(hit: Hit) -> str:
    return f"qa:full:{hit.passage_id}:{fingerprint(hit.text)}"


def answer_keyboard(result: QAResult) -> InlineKeyboardMarkup:
    answer = result.answer
    top = answer.hits[0]
    qid = result.question_id or 0
    # 查看原文 only when the quote is cut: most passages fit it whole, and the button then sent the same text
    # again (helper-95's review).
    cut = trim(top.text, around=top.highlight) != top.text
    first = [InlineKeyboardButton("查看原文", callback_data=full_data(top))] if cut else []
    rows = [first]
    if answer.tentative:  # the next two candidates, one tap each
        rows += [
            [InlineKeyboardButton(f"也可能是：{button_label(hit)}", callback_data=full_data(hit))]
            for hit in answer.hits[1:3]
        ]
    elif result.has_runners_up and qid:
        first.append(InlineKeyboardButton("其他相关内容", callback_data=f"qa:more:{qid}"))
    if qid:
        rows.append(feedback_row(qid))
    return InlineKeyboardMarkup([row for row in rows if row])


def button_label(hit: Hit, limit: int = 24) -> str:
    """A passage named by its item heading (or, for a speech's opening or a passage without one, its key sentence),
    short enough for a phone's button ("也可能是：开篇" names nothing: helper-67's review)."""
    heading = hit.section.split(" > ")[-1] if hit.section else ""
    name = heading if heading and heading not in (OPENING, CLOSING) else hit.highlight
    return name if len(name) <= limit else name[: limit - 1] + "…"


def feedback_row(question_id: int, voted: int | None = None) -> list[InlineKeyboardButton]:
    up = "👍 有帮助" + (" ✓" if voted == 1 else "")
    down = "👎 没帮助" + (" ✓" if voted == -1 else "")
    return [
        InlineKeyboardButton(up, callback_data=f"qa:fb:{question_id}:1"),
        InlineKeyboardButton(down, callback_data=f"qa:fb:{question_id}:-1"),
    ]


def answered_question(markup: InlineKeyboardMarkup | None) -> int | None:
    """The question an answer answered, by its feedback buttons (``feedback_row``); None for another message."""
    for row in markup.inline_keyboard if markup is not None else ():
        for button in row:
            parts = str(button.callback_data or "").split(":")
            if len(parts) == 4 and parts[:2] == ["qa", "fb"]:
                return parse_id(parts[2])
    return None


def with_vote(markup: InlineKeyboardMarkup, question_id: int, voted: int) -> InlineKeyboardMarkup:
    """The same keyboard with its feedback row showing the user's vote."""
    rows = [
        feedback_row(question_id, voted)
        if any(str(b.callback_data or "").startswith("qa:fb:") for b in row)
        else list(row)
        for row in markup.inline_keyboard
    ]
    return InlineKeyboardMarkup(rows)


def no_answer_html(question: str) -> str:
    shown = trim(question, 40) if question else ""
    head = f"关于“{escape(shown)}”，" if shown else ""
    return f"{head}{escape(no_answer(TOPICS_HINT))}\n\n您也可以试试下面的问题："


def more_html(hits: list[Hit]) -> str:
    lines = ["<b>其他相关内容：</b>"]
    for n, hit in enumerate(hits, start=1):
        lines.append(f"\n{n}. {escape(hit.highlight)}\n<i>{escape(citation(hit.source, hit.section))}</i>")
    return "\n".join(lines)


def more_keyboard(hits: list[Hit]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(f"查看原文 {n}", callback_data=full_data(h))] for n, h in enumerate(hits, 1)]
    )


def passage_html(passage: Passage) -> str:
    return f"{escape(passage.text)}\n\n<i>出处：{escape(citation(passage.source, passage.section))}</i>"


# -- a branch's profile (/branch, the welcome of a new secretary) ----------------------------------------


def profile_html(branch, exempt_now: Mapping[Cadence, frozenset[str]] | None = None) -> str:
    """The profile; ``exempt_now`` (``BranchService.exempt_now``) tells a change that counts from the next period."""
    lines = [
        f"<b>{escape(branch.name)}</b>",
        f"单位：{escape(branch.org_name)}",
        f"组织形式：{org_form_label(branch.form)}",
        f"正式党员：{branch.formal_members}名",
    ]
    if branch.form == OrgForm.JOINT:
        lines.append(f"联合单位数：{branch.units if branch.units is not None else '未填写'}")
    if branch.secretary_name:
        lines.append(f"书记：{escape(branch.secretary_name)}")
    warnings = profile_warnings(branch.form, branch.formal_members, branch.units)
    if warnings:
        lines.append("\n⚠️ 对照讲话要求：")
        lines += [f"• {escape(w)}" for w in warnings]
    elif branch.form == OrgForm.JOINT and branch.units is None:  # not known to conform yet
        lines.append("\nℹ️ 联合单位数还没有填写，填写后才能对照讲话要求。")
    else:
        lines.append("\n✅ 组织设置符合讲话要求。")
    # What the reminders and the reports leave out, and from when (a change counts from the next period; on
    # the day the branch was created, at once: ``handlers.services.profile_history``).
    if (line := profile_line(branch.form, branch.formal_members, exempt_now)) is not None:
        lines.append(f"ℹ️ {escape(line)}")
    return "\n".join(lines)


def profile_keyboard(branch) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton("改单位名称", callback_data="b:edit:org_name"),
            InlineKeyboardButton("改支部名称", callback_data="b:edit:name"),
        ],
        [
            InlineKeyboardButton("改党员人数", callback_data="b:edit:formal_members"),
            InlineKeyboardButton("改组织形式", callback_data="b:form"),
        ],
    ]
    if branch.form == OrgForm.JOINT:
        rows.append([InlineKeyboardButton("改联合单位数", callback_data="b:edit:units")])
    return InlineKeyboardMarkup(rows)


def form_keyboard(prefix: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(form.label, callback_data=f"{prefix}:{form.value}") for form in OrgForm]]
    )
