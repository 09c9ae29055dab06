"""/unanswered (administrators): the questions the bot could not answer, grouped; /adddoc and a ``.txt``
document from an administrator: stored in the knowledge-base folder, indexed at once, cited like the speeches."""

from __future__ import annotations

import logging
from datetime import timedelta
from html import escape

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationHandlerStop, MessageHandler, filters

from handlers.services.curation import MAX_DOCUMENT_BYTES, QuestionGroup
from handlers.tg.context import SERVICES_KEY, BotContext
from handlers.tg.guards import command
from handlers.tg.render_status import split_messages

log = logging.getLogger(__name__)

ADMINS_ONLY = "只有上级党委管理员可以使用这个命令。"
MAX_GROUPS = 30
ADDDOC = "adddoc_until"
ADDDOC_WINDOW = timedelta(minutes=10)
ADDDOC_PROMPT = (
    "请把要加入知识库的 .txt 文件（UTF-8 编码，不超过 1 MB）作为文件发给我（10分钟内有效）。"
    "同名文件会被替换。"
)
HOW_TO_ADD = "如要把这个文件加入知识库，请先发送 /adddoc，或在发送文件时在说明里写 /adddoc。"


def group_lines(groups: list[QuestionGroup]) -> list[str]:
    lines = [f"<b>未能回答或把握不大的问题</b>（共 {len(groups)} 组，按次数排序）", ""]
    for i, g in enumerate(groups[:MAX_GROUPS], 1):
        facts = [f"{g.count}次"]
        facts += [f"未答{g.unanswered}"] if g.unanswered else []
        facts += [f"把握不大{g.low_confidence}"] if g.low_confidence else []
        facts += [f"👎{g.down_votes}"] if g.down_votes else []
        lines.append(f"{i}. {escape(g.text)}（{'，'.join(facts)}）")
        others = [e for e in g.examples if e != g.text]
        if others:
            lines.append(f"   例：{escape(others[0])}")
    if len(groups) > MAX_GROUPS:
        lines.append(f"……另有 {len(groups) - MAX_GROUPS} 组未列出。")
    lines += ["", "可发送 /adddoc 把补充材料（.txt）加入知识库；知识库能确切回答的问题不再列出。"]
    return lines


async def unanswered(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if update.effective_user.id not in context.services.admin_ids:
        await message.reply_text(ADMINS_ONLY)
        return
    groups = await context.services.curation.unanswered()
    if not groups:
        await message.reply_text("目前没有未能回答的问题。")
        return
    for text in split_messages(group_lines(groups)):
        await message.reply_text(text, parse_mode=ParseMode.HTML)


async def adddoc(update: Update, context: BotContext) -> None:
    if update.effective_user.id not in context.services.admin_ids:
        await update.effective_message.reply_text(ADMINS_ONLY)
        return
    context.user_data[ADDDOC] = (context.services.clock.now() + ADDDOC_WINDOW).isoformat()
    await update.effective_message.reply_text(ADDDOC_PROMPT)


def _asked(context: BotContext, caption: str | None) -> bool:
    if caption and caption.strip().lower().startswith("/adddoc"):
        return True
    until = context.user_data.get(ADDDOC)
    return bool(until) and context.services.clock.now().isoformat() <= until


async def on_document(update: Update, context: BotContext) -> None:
    """An administrator's document, when no form took it: added to the knowledge base if they asked."""
    message = update.effective_message
    document = message.document
    if not _asked(context, message.caption):
        await message.reply_text(HOW_TO_ADD)
        raise ApplicationHandlerStop
    context.user_data.pop(ADDDOC, None)
    if document.file_size and document.file_size > MAX_DOCUMENT_BYTES:
        await message.reply_text("文件超过 1 MB，请拆分后分别发送。")
        raise ApplicationHandlerStop
    data = bytes(await (await context.bot.get_file(document.file_id)).download_as_bytearray())
    services = context.services
    result = await services.curation.add_document(update.effective_user.id, document.file_name or "", data)
    if result.status != "ok":
        await message.reply_text(result.message)
        raise ApplicationHandlerStop
    await message.reply_text("已收到，正在更新知识库……")
    await services.reload_kb()
    verb = "替换" if result.replaced else "添加"
    await message.reply_text(
        f"已{verb}知识库文档《{result.name}》（{result.chars} 字），知识库已更新，现在提问即可引用。\n"
        f"已添加的文档共 {len(services.curation.documents())} 份。"
    )
    raise ApplicationHandlerStop


def register(application: Application) -> None:
    application.add_handler(command("unanswered", unanswered))
    application.add_handler(command("adddoc", adddoc))
    services = application.bot_data.get(SERVICES_KEY)
    admins = sorted(services.admin_ids) if services is not None else []
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE
            & filters.ChatType.PRIVATE
            & filters.Document.ALL
            & filters.User(admins),
            on_document,
        )
    )
