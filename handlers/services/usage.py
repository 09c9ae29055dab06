"""Questions about using the bot itself ("怎么提交活动记录", "提醒怎么关掉"), told apart from policy questions.

Typed as a question, such a sentence would be searched in the speeches, which say nothing about the bot: the
user would get "讲话中没有找到" or a passage on something else, or, right after a policy answer, a follow-up read
together with it. ``usage_of`` recognises the few things a secretary does with the bot, by the action words it
uses (登记, 提交, 上传; 撤回, 修改; 提醒 with 关, 停, 取消) next to what the action is about (an activity, a record, a
photo); the Telegram adapter then points to the command. A question about the duty itself ("主题党日怎么开展")
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
    r"|(?:关掉|关闭|停掉|取消|屏蔽|暂停|不要再?发?|别再?发?)(?:这个|这些|那个)?(?:消息)?提醒"
    r"|(?:还差|还欠|欠着|没完成|没做|没搞|没开)(?:哪些|什么|几个|几项)(?:活动)?"
)
_HELP = re.compile(
    r"^(?:你|这个|这个机器人|机器人|助手|你们)?(?:怎么用|如何使用|怎么使用|有什么功能|有啥功能|能干什么|能干啥|能做什么|能做啥|是谁)"
    r"[?？吗啊呀呢]*$|^(?:你的|机器人的?|助手的?|这个机器人的?)?(?:使用说明|使用方法|用法)[?？吗啊呀呢]*$"
)


# A whole message of thanks or greeting, once punctuation, emoji and trailing particles are set aside.
_THANKS = frozenset(
    """谢谢 谢谢你 谢谢您 多谢 感谢 非常感谢 太感谢了 谢了 好的 好 好滴 好嘞 行 收到 明白 明白了 知道了 懂了 了解了 清楚了
    嗯 嗯嗯 哦 哦哦 ok okay 好的谢谢 好的收到 收到谢谢 明白了谢谢 知道了谢谢 辛苦了 👍 🙏""".split()
)
_GREETING = frozenset(
    """你好 您好 你好呀 在吗 在不在 有人吗 hi hello 哈喽 早 早上好 上午好 中午好 下午好 晚上好""".split()
)
_NOISE = re.compile(r"[\s，。！？!?,.~～…、]+|[啊呀哈哦喔呢啦]+$")


def _small_talk(text: str) -> Usage | None:
    core = _NOISE.sub("", text.lower())
    core = _NOISE.sub("", core)  # a particle left before the punctuation ("好的啊！")
    if core in _THANKS or (core and all(c in "👍🙏😊🌹" for c in core)):
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
    if _RECORDS.search(text):
        return Usage.RECORDS
    if _REMINDERS.search(text) and ("提醒" in text or _SUBMIT_ABOUT.search(text) or "活动" in text):
        return Usage.REMINDERS
    if _SUBMIT.search(text) and _SUBMIT_ABOUT.search(text):
        return Usage.SUBMIT
    if _HELP.search(text):
        return Usage.HELP
    return None
