"""Questions about using the bot itself ("怎么提交活动记录", "提醒怎么关掉"), told apart from policy questions.

Typed as a question, such a sentence would be searched in the speeches, which say nothing about the bot: the
user would get "讲话中没有找到" or a passage on something else, or, right after a policy answer, a follow-up read
together with it. ``usage_of`` recognises the few things a secretary does with the bot, by the action words it
uses (登记, 提交, 上传; 撤回, 修改; 提醒 with 关, 停, 取消) next to what the action is about (an activity, a record, a
photo); a whole message such as 帮助, 菜单 or help asks for the help text; joining a branch or becoming its
secretary (怎么加入支部, 邀请链接失效了) is the invitation's business. The Telegram adapter then points to the command. A question about the duty itself ("主题党日怎么开展")
has none of the action words and stays a policy question.
"""

from __future__ import annotations

import re
from enum import StrEnum

MAX_USAGE_CHARS = 40  # a longer text is a question about something else that happens to use these words


class Usage(StrEnum):
    SUBMIT = "submit"  # record an activity with photos, minutes, attendance
    RECORDS = "records"  # see, withdraw or amend a submitted record
    REMINDERS = "reminders"  # see what is owed, change or stop reminders
    HELP = "help"  # what the bot can do
    JOIN = "join"  # become a branch's secretary: an invitation link from the administrator
    HANDOVER = "handover"  # the secretary's binding moved to a successor: /unbind, then /invite
    THANKS = "thanks"  # 谢谢, 好的, 收到: nothing to search
    GREETING = "greeting"  # 你好, 在吗


_ACTIVITY = (
    r"(?:活动|记录|照片|相片|图片|会议记录|纪要|签到|出勤|主题党日|党日|三会一课|党课|支委会|支部委员会|党小组会|"
    r"党员大会|观摩|述职|集体学习)"
)
_SUBMIT = re.compile(
    rf"(?:登记|提交|上传|填报|录入|补录|补登|补交|交上去|传上去){_ACTIVITY}?"
    rf"|{_ACTIVITY}.{{0,8}}(?:登记|提交|上传|填报|录入|补录|补登|补交|交上去|传上去|发给你)"
    r"|(?:传|发|交)(?:一下|几张)?(?:照片|相片|图片)"
    rf"|(?:记录|照片|相片|图片|纪要|签到表?).{{0,6}}(?:怎么|如何|在哪|去哪|往哪)(?:交|发|传|报)(?![\u4e00-\u9fff])"
)
_SUBMIT_ABOUT = re.compile(_ACTIVITY)
_RECORDS = re.compile(
    r"(?:撤回|撤销|删除|删掉|修改|改一下|更正|查看|看看|查一下|找)(?:我的|我们的|已经?|刚才|之前)?(?:提交|登记)?(?:的|过的)?"
    r"(?:活动)?记录|记录(?:怎么|如何|能不能|可以|能否)(?:撤回|撤销|删除|删掉|修改|更正)|(?:提交|登记)错了|填错了"
)
_REMINDERS = re.compile(
    r"提醒.{0,6}(?:关|停|取消|不要|别再?发|屏蔽|免打扰|暂停|设置|改时间|太多|太烦|烦)"
    r"|(?:关掉|关闭|关|停掉|停|取消|屏蔽|暂停|不要再?发?|别再?发?)(?:这个|这些|那个)?(?:消息)?提醒"
    r"|(?:不想|不要|不用|不愿意?)再?(?:收到?|接收|看到?|接到)(?:这个|这些|那个)?(?:消息)?提醒"
    r"|(?:还差|还欠|欠着|没完成|没做|没搞|没开)(?:哪些|什么|几个|几项)(?:活动)?"
    r"|(?:还有|还差|还剩)(?:哪些|什么|几个|几项)(?:活动|任务|事)(?:还)?(?:没有?|未)(?:完成|做|搞|开|开展|登记)"
)
_HELP = re.compile(
    r"^[/／]?(?:帮助|求助|菜单|目录菜单|功能|功能列表|help|menu|start|开始|使用帮助|命令|命令列表)[?？!！。]*$|"
    r"^(?:你|这个|这个机器人|机器人|助手|你们)?(?:怎么用|如何使用|怎么使用|有什么功能|有啥功能|能干什么|能干啥|能做什么|能做啥|是谁)"
    r"[?？吗啊呀呢]*$|^(?:你的|机器人的?|助手的?|这个机器人的?)?(?:使用说明|使用方法|用法)[?？吗啊呀呢]*$",
    re.IGNORECASE,
)

# Becoming a branch's secretary is the invitation's business, not the speeches': a whole short message about
# joining "the" branch in the bot, or the invitation link itself. (Joining the Party, 入党, is policy.)
_JOIN = re.compile(
    r"^(?:我|我们)?(?:要|想|该)?(?:怎么|如何|怎样|咋|怎么样)(?:才能|才可以|可以|能)?"
    r"(?:加入|进入|绑定|关联|进)(?:到|我们的?|我的|本|自己的)?(?:党?支部|支部群)[?？吗呢啊]*$"
    r"|^(?:我|我们)?(?:要|想|该)?(?:怎么|如何|怎样|咋|怎么样)(?:才能|才可以|可以|能)?(?:成为|当上?|做)(?:支部)?书记"
    r"(?:[?？吗呢啊]*|.{0,4}(?:机器人|助手|这里|系统)[?？吗呢啊]*)$"
    r"|邀请(?:链接|码).{0,10}(?:失效|过期|没有|没了|用不了|打不开|无效|在哪|怎么|如何|哪里|用过)"
    r"|(?:怎么|如何|在哪|去哪|哪里)(?:获取|拿到?|要|申请|得到)邀请(?:链接|码)"
)

# Moving the bot's secretary binding to a successor (书记离职了怎么解绑, 新书记怎么绑定): the administrator's /unbind and
# /invite. Only the binding's words: who should succeed (谁来当书记) or act (谁代理书记工作) is policy.
_HANDOVER = re.compile(
    r"(?:解绑|换绑|解除绑定|取消绑定|重新绑定).{0,6}书记|书记.{0,10}(?:解绑|换绑|解除绑定|取消绑定|重新绑定)"
    r"|新书记.{0,6}(?:怎么|如何|怎样)(?:绑定|加入|接手|接管)"
)


# Another system named by the user (an app, a mini program, 学习强国, the national members' database): how to
# use it is not a question about this bot.
_OTHER_APP = re.compile(r"app|APP|App|小程序|公众号|学习强国|信息管理系统|党员系统|网站|系统里|系统上")


# A whole message of thanks or greeting, once punctuation, emoji and trailing particles are set aside.
_THANKS = frozenset(
    """谢谢 谢谢你 谢谢您 多谢 感谢 非常感谢 太感谢了 谢了 好的 好 好滴 好嘞 行 收到 明白 明白了 知道了 懂了 了解了 清楚了
    嗯 嗯嗯 哦 哦哦 ok okay 好的谢谢 好的收到 收到谢谢 明白了谢谢 知道了谢谢 辛苦了 👍 🙏
    了解 懂 清楚 好吧 行吧 好好 谢谢老师 谢谢啦 感谢感谢""".split()
)
# Acknowledgements run together ("好的明白了", "收到了解谢谢"): each piece one of the above, 了/啦 between.
_THANKS_RUN = re.compile(
    "(?:"
    + "|".join(sorted((re.escape(t) for t in _THANKS if len(t) > 1), key=len, reverse=True))
    + ")"
    + r"(?:[了啦的]?(?:"
    + "|".join(sorted((re.escape(t) for t in _THANKS), key=len, reverse=True))
    + "))+"
)
_GREETING = frozenset(
    """你好 您好 你好呀 在吗 在不在 有人吗 hi hello 哈喽 早 早上好 上午好 中午好 下午好 晚上好""".split()
)
_NOISE = re.compile(r"[\s，。！？!?,.~～…、]+|[啊呀哈哦喔呢啦]+$")


def _small_talk(text: str) -> Usage | None:
    core = _NOISE.sub("", text.lower())
    core = _NOISE.sub("", core)  # a particle left before the punctuation ("好的啊！")
    if core in _THANKS or _THANKS_RUN.fullmatch(core) or (core and all(c in "👍🙏😊🌹" for c in core)):
        return Usage.THANKS
    if core in _GREETING:
        return Usage.GREETING
    return None


def usage_of(text: str) -> Usage | None:
    """What the user wants to do with the bot, if ``text`` asks that (None for a policy question)."""
    text = re.sub(r"\s+", "", text or "")
    if not text or len(text) > MAX_USAGE_CHARS:
        return None
    if (talk := _small_talk(text)) is not None:
        return talk
    if _OTHER_APP.search(text):  # 智慧党建app怎么上传照片: another system's use, not this bot's
        return None
    if _RECORDS.search(text):
        return Usage.RECORDS
    if _REMINDERS.search(text) and ("提醒" in text or _SUBMIT_ABOUT.search(text) or "活动" in text):
        return Usage.REMINDERS
    if _SUBMIT.search(text) and _SUBMIT_ABOUT.search(text):
        return Usage.SUBMIT
    if _HELP.search(text):
        return Usage.HELP
    if _HANDOVER.search(text):
        return Usage.HANDOVER
    if _JOIN.search(text):
        return Usage.JOIN
    return None
