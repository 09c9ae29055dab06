"""What a question about using the bot itself (``handlers.services.usage``) is answered with: the command that
does it (/help, /start's examples and the speeches' answers are the Q&A adapter's, ``handlers.tg.qa``)."""

from __future__ import annotations

from handlers.services.usage import Usage

# A question about using the bot itself (``handlers.services.usage``) is answered with the command that does it.
USAGE_REPLIES = {
    Usage.SUBMIT: (
        "登记活动请发送 /submit：选择活动类型，按提示依次填写日期、主题、地点、会议记录和出勤，再发送现场照片，"
        "最后核对并确认提交。填到一半可以先放下，稍后发送 /submit 选择“继续填写”。"
    ),
    Usage.RECORDS: (
        "发送 /records 查看本支部已提交的活动记录，点开一条，在下方可以撤回（提交后24小时内），"
        "或修改日期（同一个月内）、主题、地点、会议记录、出勤和照片。"
    ),
    Usage.REMINDERS: (
        "发送 /reminders 查看本月、本季度、本年度还没有完成的活动；在那里可以设置提醒时间，或对某项活动免提醒。"
    ),
    Usage.JOIN: (
        "支部书记通过邀请链接加入：上级党委管理员新建支部（/newbranch）或为已有支部生成邀请（/invite）后，"
        "会得到一个邀请链接，7天内有效、只能使用一次。请联系上级党委管理员获取您支部的邀请链接，"
        "点击链接即成为该支部书记。想了解党组织书记怎么产生，可以直接问“党组织书记怎么选”。"
    ),
    Usage.HANDOVER: (
        "更换支部书记由上级党委管理员操作：发送 /unbind 支部编号 解除原书记的绑定（支部信息和活动记录都保留），"
        "再发送 /invite 支部编号 生成新的邀请链接发给新书记，新书记点击链接即可接任。"
    ),
    Usage.THANKS: "不客气！还有问题可以直接问我。",
    Usage.GREETING: "您好！请直接输入您的问题，也可以点下面的例子；发送 /help 查看全部功能。",
}
