"""The command menus (``setMyCommands``): what everyone sees, and the administrators' full menu.

The default scope lists what an ordinary user (a secretary, a supervisor, a member asking questions) can use;
each administrator of ``BRANCHBOT_ADMIN_IDS`` gets the full menu in their private chat (``BotCommandScopeChat``,
set at start-up by ``bot.app``). Every command /help names is in the administrators' menu.
"""

from __future__ import annotations

from telegram import BotCommand

_HEAD = [
    BotCommand("start", "开始使用"),
    BotCommand("help", "查看帮助"),
    BotCommand("topics", "浏览讲话目录"),
    BotCommand("submit", "登记活动记录"),
    BotCommand("records", "查看本支部活动记录"),
    BotCommand("reminders", "待办与提醒设置"),
    BotCommand("branch", "查看或修改支部信息"),
    BotCommand("status", "查看各项活动完成情况"),
    BotCommand("dashboard", "网页看板登录链接（上级党委、片区督导员）"),
]
_ADMIN_ONLY = [
    BotCommand("unanswered", "查看未能回答的问题（管理员）"),
    BotCommand("adddoc", "向知识库添加 .txt 文档（管理员）"),
    BotCommand("newbranch", "新建支部并生成书记邀请链接（管理员）"),
    BotCommand("branches", "查看全部支部及编号（管理员）"),
    BotCommand("invite", "重新生成书记邀请链接（管理员）"),
    BotCommand("unbind", "解除支部书记的绑定（管理员）"),
    BotCommand("renamebranch", "更正支部名称（管理员）"),
    BotCommand("closebranch", "撤销已不存在的支部（管理员）"),
    BotCommand("reopenbranch", "恢复已撤销的支部（管理员）"),
    BotCommand("returnrecord", "退回已通过的记录供修改（管理员）"),
    BotCommand("supervisor", "设置片区督导员（管理员）"),
    BotCommand("supervisors", "查看全部片区督导员（管理员）"),
]
_TAIL = [
    BotCommand("myid", "查看我的用户编号（设置片区督导员时用）"),
    BotCommand("cancel", "取消正在填写的内容"),
    BotCommand("skip", "跳过可选的一项"),
]

COMMANDS = [*_HEAD, *_TAIL]  # the default scope: every user
ADMIN_COMMANDS = [*_HEAD, *_ADMIN_ONLY, *_TAIL]  # each administrator's private chat
