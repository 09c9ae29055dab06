"""/topics: browse the speeches' table of contents (speech -> section -> passage), edited in place."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler

from handlers.tg.callbacks import parse_index
from handlers.tg.context import BotContext
from handlers.tg.edit import edit_text
from handlers.tg.guards import command
from knowledge.base import KnowledgeBase
from knowledge.ingest import CLOSING
from knowledge.render import citation

BUTTON_CHARS = 30
STALE = "目录已更新，请重新发送 /topics。"


def _label(text: str) -> str:
    return text if len(text) <= BUTTON_CHARS else text[: BUTTON_CHARS - 1] + "…"


def _passage_label(kb: KnowledgeBase, passage_id: int) -> str:
    passage = kb.passage(passage_id)
    if passage is None:
        return "?"
    if len(passage.headings) > 1:
        return _label(passage.headings[-1])
    # A section's own paragraph, before its items, leads into it; the closing one ends the speech (helper-95's
    # review: 结束语 listed "导语：同志们，…").
    return _label(("结语：" if passage.headings == (CLOSING,) else "导语：") + passage.text)


def speeches_view(kb: KnowledgeBase) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [InlineKeyboardButton(_label(d.title), callback_data=f"toc:d:{i}")] for i, d in enumerate(kb.toc())
    ]
    return "<b>讲话目录</b>\n请选择一篇讲话：", InlineKeyboardMarkup(rows)


def sections_view(kb: KnowledgeBase, d: int) -> tuple[str, InlineKeyboardMarkup] | None:
    toc = kb.toc()
    if not 0 <= d < len(toc):
        return None
    doc = toc[d]
    rows = [
        [InlineKeyboardButton(_label(s.title or "正文"), callback_data=f"toc:s:{d}:{j}")]
        for j, s in enumerate(doc.sections)
    ]
    rows.append([InlineKeyboardButton("« 返回讲话列表", callback_data="toc:root")])
    return f"<b>{escape(doc.title)}</b>\n请选择章节：", InlineKeyboardMarkup(rows)


def passages_view(kb: KnowledgeBase, d: int, s: int) -> tuple[str, InlineKeyboardMarkup] | None:
    toc = kb.toc()
    if not (0 <= d < len(toc) and 0 <= s < len(toc[d].sections)):
        return None
    section = toc[d].sections[s]
    rows = [
        [InlineKeyboardButton(_passage_label(kb, pid), callback_data=f"toc:p:{d}:{s}:{pid}")]
        for pid in section.passage_ids
    ]
    rows.append([InlineKeyboardButton("« 返回章节", callback_data=f"toc:d:{d}")])
    return f"<b>{escape(toc[d].title)}</b>\n{escape(section.title)}\n请选择条目：", InlineKeyboardMarkup(rows)


def passage_view(kb: KnowledgeBase, d: int, s: int, pid: int) -> tuple[str, InlineKeyboardMarkup] | None:
    toc = kb.toc()
    passage = kb.passage(pid)
    in_section = 0 <= d < len(toc) and 0 <= s < len(toc[d].sections) and pid in toc[d].sections[s].passage_ids
    if passage is None or not in_section:
        return None
    text = f"{escape(passage.text)}\n\n<i>出处：{escape(citation(passage.source, passage.section))}</i>"
    back = InlineKeyboardMarkup([[InlineKeyboardButton("« 返回条目", callback_data=f"toc:s:{d}:{s}")]])
    return text, back


async def topics(update: Update, context: BotContext) -> None:
    text, markup = speeches_view(context.services.kb)
    await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def on_callback(update: Update, context: BotContext) -> None:
    query = update.callback_query
    kb = context.services.kb
    parts = (query.data or "").split(":")[1:]
    nums = [n for p in parts[1:] if (n := parse_index(p, 1_000_000)) is not None]
    if len(nums) != len(parts[1:]):
        nums = []
    view = None
    if parts[:1] == ["root"]:
        view = speeches_view(kb)
    elif parts[:1] == ["d"] and len(nums) == 1:
        view = sections_view(kb, *nums)
    elif parts[:1] == ["s"] and len(nums) == 2:
        view = passages_view(kb, *nums)
    elif parts[:1] == ["p"] and len(nums) == 3:
        view = passage_view(kb, *nums)
    if view is None:
        await query.answer(STALE, show_alert=True)
        return
    await query.answer()
    text, markup = view
    await edit_text(query, text, parse_mode=ParseMode.HTML, reply_markup=markup)  # a double tap is fine


def register(application: Application, *, group: int = 0) -> None:
    application.add_handler(command("topics", topics), group=group)
    application.add_handler(CallbackQueryHandler(on_callback, pattern=r"^toc:"), group=group)
