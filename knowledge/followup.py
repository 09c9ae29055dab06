"""Follow-up questions: "那联合建呢？", "具体怎么做" right after an answer are read with the question before.

A follow-up is short and leans on what was said: it opens with 那/那么/还有/如果…, ends with 呢, or names no
topic of its own (only question words: "具体怎么做", "有什么要求"). It is then asked as the previous question
followed by the follow-up's own words, or, when it asks a question of its own, as the previous question without
its question words (``without_frame``); one that names only a subject asks the previous question of it
(``in_place``). ``handlers.services.qa`` decides how sure each reading is. The CLI asks single questions and never
uses this.
"""

from __future__ import annotations

import re
from collections.abc import Callable

MAX_FOLLOW_UP = 16  # characters, punctuation removed: longer questions stand on their own
_PUNCT = re.compile(r"[\s，。？！?!,.、；;：:“”\"'‘’（）()…~～]+")
_LEADS = (
    "那么",
    "那要是",
    "那如果",
    "那",
    "还有",
    "另外",
    "如果是",
    "如果",
    "要是",
    "假如",
    "再问一下",
    "再问",
)
_TOPICLESS = re.compile(
    r"^(具体|详细|那|那么)?(一点|一些|说说|讲讲|解释一下|说一下|讲一下)?"
    r"(怎么|如何|咋)(做|办|弄|操作|落实|执行|开展|搞|算)?(呀|啊|才行|才对)?$|"
    r"^(有|有没有|有什么|有哪些|都有哪些|还有什么|还有哪些|什么|哪些)(要求|规定|标准|条件|依据|例子|做法|办法|程序|流程|步骤)|"
    r"^(为什么|为啥|依据是什么|出处在哪|原文是什么|举个例子|比如呢|例如呢|然后呢|之后呢|接下来呢)$|"
    r"^(能|能不能|可以|可不可以|麻烦)?再?(详细|具体)(一?点|一些|些|说说|讲讲|说一下|讲一下)?(吗|呀|啊)?$|"
    r"^(那)?(由谁|谁|找谁)(来)?(负责|牵头|管|办|批)?(啊|呀)?$|"
    r"^(那)?(多久|多长时间|多少天|几天|几个月|几周)(开|搞|办|上|讲)?(一次|一回)(啊|呀)?$"
)


# Words that name no topic: question words, modal and filler words, amounts, spans of time, and the verbs of
# asking who does what. A follow-up made of these alone ("能扣多少", "谁来发", "一年几次", "都有哪些内容",
# "比例是多少") leans on the question before as wholly as "具体怎么做" does (helper-73's review: such follow-ups
# were refused, or answered alone of another activity).
_GENERIC = """
什么 啥 哪些 哪个 哪几个 哪几项 哪几种 哪几条 哪 几 多少 多久 多长 多大 多高 怎么 怎样 怎么样 如何 咋 为什么 为啥
谁 由谁 是否 能否 吗 呢 啊 呀 吧 么 嘛 干嘛 干啥 用来 用途 用处 用在
能 能不能 可以 可不可以 可 要 要不要 需要 需 应该 应 必须 得 是 是不是 有 有没有 没有 都 还 又 也 就 一般 大概 具体
详细 一点 一下 再 到底 分别 主要 通常 最多 最少 至少 一共 总共 的 了 过 那 那么 这 这个 那个 它 他们 我们
一次 一回 每次 次 回 一年 每年 一个月 每月 每个月 个月 一季度 每季度 季度 一周 每周 一天 每天 月 年 周 天 时间 时候
期限 频率 周期 钱 金额 标准 比例 额度 上限 下限 人数 人 名 个 项 条 种 家 元 万 块 几次 几个 几项 几种 几人 几名
做 办 弄 搞 开 开展 举办 组织 落实 执行 操作 发 发放 给 扣 扣除 交 缴 报 批 管 负责 牵头 审批 申请 领 拿 算 计算 参加
参与 出 定 确定 规定 要求 条件 依据 内容 包括 包含 流程 程序 步骤 办法 做法 例子 区别 不同 意思 含义 说说 讲讲 解释
说 讲 来 去 找 部门 单位 哪里 哪儿 在哪 什么时候 何时 结果 效果 作用 目的 意义
"""
_GENERIC_RUN = re.compile(
    "(?:" + "|".join(sorted({re.escape(w) for w in _GENERIC.split()}, key=len, reverse=True)) + ")+"
)


# What a question asks about (有标准吗, 哪些内容): kept when a frame is cut off; a follow-up asks more of it (具体哪些).
_ASKED_ABOUT = frozenset(
    "标准 条件 要求 内容 流程 程序 步骤 办法 做法 规定 依据 例子 区别 意思 含义 作用 目的 意义 结果 效果 部门 单位 人数 "
    "金额 比例 额度 上限 下限 钱 期限 时间 时候".split()
)
_FRAME_WORDS = frozenset(_GENERIC.split()) - _ASKED_ABOUT


_PLACE = re.compile(r"第[一二三四五六七八九十\d](?:个|项|条|点|种)")


# Dialect forms of the particle 呢 ("那经费保障嘞").
_NE = re.compile(r"(?:嘞|咧|捏|哩)$")


# Particles that end a spoken question and ask nothing ("一年搞几回哈", "得凑够几个人呗"), and 嘛 written for 吗
# ("社会组织也查嘛").
_TAIL = re.compile(r"(?<=.)(?:呗|哈|呀|啊|哦|噢|嗷)+$")
_MA = re.compile(r"(?<=[^干])嘛$")  # 干嘛 stays


def _core(text: str) -> str:
    return _MA.sub("吗", _TAIL.sub("", _NE.sub("呢", _PUNCT.sub("", text))))


# Question words: a question ending in 呢 that holds one asks on its own.
_ASKS = re.compile(
    r"怎么|怎样|如何|什么|啥|咋|干嘛|多久|多少|几|哪|谁|是否|能否|要不要|是不是|有没有|能不能|可不可以|吗|不$"
    r"|中不中|行不行|好不好|够不够|成不成|对不对"
)  # 不 at the end asks too: "一年四回够不", "参与社会治理不", "凑6家中不中"
# Spoken fillers that open a question of its own ("那个，五星支部怎么评"): not the lead 那.
_FILLERS = ("那个", "那啥", "那什么", "嗯", "呃", "额")


def _without_fillers(core: str, keep: str = "") -> str:
    """``core`` without the spoken fillers that open it (那个，嗯…), unless it opens with ``keep``."""
    while core.startswith(_FILLERS) and not (keep and core.startswith(keep)):
        core = core[next(len(f) for f in _FILLERS if core.startswith(f)) :]
    return core


def _without_lead(core: str) -> str:
    """``core`` without the lead that opens it (那, 那么, 如果…)."""
    lead = next((lead for lead in _LEADS if core.startswith(lead)), "")
    return core[len(lead) :]


def is_follow_up(text: str) -> bool:
    core = _without_fillers(_core(text), keep="那个呢")
    if not core or len(core) > MAX_FOLLOW_UP:
        return False
    if core.startswith(_LEADS):
        return True
    if names_nothing(core):  # "具体怎么做呢", "为什么呢": no topic of its own
        return True
    if _PLACE.match(core) and len(core) <= 10:  # "第三项是什么": an item of the list just asked
        return True
    if core.endswith("呢"):  # "经费呢" leans on the question before; "主题党日多久开一次呢" asks its own
        return not _ASKS.search(core)
    return False


# A request for more of what was said ("能细说下吗", "举几个例子", "有什么具体形式").
_MORE = re.compile(r"具体|详细|细说|细讲|展开|举例|例子|比如")
MAX_SHORT_ASK = 8  # characters, fillers and lead removed: a short question that may lean on the one before


# Words that ask, not name ("啥时候评": 时候; "最终图个啥": 最终): a follow-up's reading need not hold them.
ASKING_WORDS = frozenset(_GENERIC.split()) | {"咋个", "最终", "达到", "得到"}

# An amount or a span of time the user gives ("半年", "一年两回", "6家"): the passage a follow-up leans on need not
# hold it (``handlers.services.qa``).
AMOUNT = re.compile(
    r"^[\d零〇一二两俩三四五六七八九十百千万半几每]+[年月周天日回次趟遍个家名人位项条种元块%]?$"
)


def short_ask(text: str) -> bool:
    """A short question that asks ("谁下去", "具体咋推", "依托谁办", "能细说下吗"): it may lean on the question before
    even though it names something of its own, which ``handlers.services.qa`` checks against the reading with the
    question before (blind follow-up sets: most such follow-ups were read alone and refused)."""
    core = _without_lead(_without_fillers(_core(text))).removesuffix("呢")
    if not core or len(core) > MAX_SHORT_ASK:
        return False
    return bool(_ASKS.search(core) or _MORE.search(core))


def names_nothing(text: str) -> bool:
    """A follow-up with no topic of its own ("多久一次", "具体怎么做"): its answer alone, however sure, answers
    nothing asked (helper-70's review: 多久一次 after 党课多久上一次 was answered, confidently, of 观摩交流)."""
    plain = _without_fillers(_core(text)).removesuffix("呢")
    if not plain or len(plain) > 10:
        return False
    return bool(_TOPICLESS.match(plain) or _GENERIC_RUN.fullmatch(_without_lead(plain)))


# Joins a follow-up to the question it is read with; what is stored of a follow-up is "<question> → <follow-up>",
# and a later follow-up is read with the question alone, never with a chain of earlier follow-ups.
SEPARATOR = " → "
_NUMBER = re.compile(r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+(?=[名个位家人万元千百%])")


_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千万\d]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Words a follow-up may name that are no topic: a turn of the talk, not something the speeches could name.
_DISCOURSE = frozenset(
    "反过来 反之 相反 同样 一样 这样 那样 这种 那种 其他 其它 别的 以后 之后 以前 之前 然后 现在 目前 另外 其次".split()
)


def names_a_topic(subject: str) -> bool:
    """Whether a follow-up's subject names a topic ("团委书记"), not a number ("一年四次"), a turn of the talk
    ("反过来"), a modifier ("线上的") or a letter ("X")."""
    return (
        len(_CJK.findall(subject)) >= 2
        and not subject.endswith("的")
        and subject not in _DISCOURSE
        and not _NUMERAL.search(subject)
    )


def original(query: str) -> str:
    """The question a stored query starts from (a follow-up's earlier question), without its follow-ups."""
    return query.split(SEPARATOR, 1)[0]


def asked(query: str) -> str:
    """The question a stored query stands for as the user asked it: a follow-up's own words ("观摩交流 → 谁来组织":
    谁来组织), not the stem it was read with, which the user may never have typed (观摩交流); else the query."""
    return query.rsplit(SEPARATOR, 1)[-1]


def with_context(previous: str, follow_up: str, limit: int = 500) -> str:
    """The follow-up asked in the light of the previous question (its own words last, leads dropped).

    A follow-up that gives a number of its own ("那1000万呢", "如果有5名呢") asks the previous question again with
    that number: it takes the place of the previous question's first number, which is what the rules read."""
    previous = original(previous).strip()
    core = _without_lead(_core(follow_up))
    number = _NUMBER.search(core)
    if number is not None and _NUMBER.search(previous):
        previous = _NUMBER.sub(number.group(0), previous, count=1)
    combined = f"{previous}{SEPARATOR}{core}" if core else previous
    return combined[-limit:]


# What a question asks of its subject starts at one of these words: a question word, how often, may or must, or
# the verb it asks about ("主题党日|每月搞几次", "支部委员会|多久开一次", "我们公司|想建党支部").
_PREDICATE = re.compile(
    _ASKS.pattern
    + r"|^(?:每|一年|一个月|一季度|要|需要|需|应该|应|必须|能|可以|可|想|是|有|由|搞|开|办|建|选|评|交|发|算|给|让|用)"
)
_OPENERS = ("请问", "想问", "问一下", "您好", "你好", "那么", "那")
_CLAUSE = re.compile(r"[，。？！?!,；;]")
_CLAUSE_ENDS = frozenset("，。？！?!,；;")
MAX_SUBJECT = 8  # characters of a follow-up that only names a subject ("那党课呢？", "社会组织呢")


# Words that point at a subject without naming it: "群团组织那块呢", "宣传政策那个先锋呢".
_AREA = re.compile(r"(?:那块|这块|那边|这边|那方面|这方面|方面)$")
_POINTER = re.compile(r"(?<=.)(?:那个|这个)(?=.)")


def subject_only(follow_up: str) -> str | None:
    """The subject a follow-up names and nothing else ("那党课呢？", "嗯，那党课呢" -> 党课), or None."""
    core = _without_lead(_without_fillers(_core(follow_up))).removesuffix("呢")
    core = _AREA.sub(
        "", _POINTER.sub("", core)
    )  # "群团组织那块" -> 群团组织; "宣传政策那个先锋" -> 宣传政策先锋
    if not core or len(core) > MAX_SUBJECT or _ASKS.search(core) or _TOPICLESS.match(core):
        return None
    return core


def _span(clause: str, cut: Callable[[str], list[str]]) -> tuple[list[str], int, int]:
    """A clause's words, where its subject starts (after openers: 请问…) and where what it asks starts."""
    words = cut(clause)
    i = 0
    while i < len(words) and (words[i].startswith(_OPENERS) or not words[i].strip()):
        i += 1
    j = i
    while j < len(words) and not _PREDICATE.search(words[j]) and words[j] not in _CLAUSE_ENDS:
        j += 1
    return words, i, j


def in_place(previous: str, follow_up: str, cut: Callable[[str], list[str]]) -> str | None:
    """The previous question asked of the follow-up's subject ("主题党日每月搞几次", "那党课呢？" ->
    "党课每月搞几次"): the words that open its last clause that has any, up to what it asks of them (of "X的Y", X),
    replaced by that subject. None when the follow-up names more than a subject, or nothing is left to replace."""
    subject = subject_only(follow_up)
    if subject is None:
        return None
    previous = original(previous).strip()
    starts = [0, *(m.end() for m in _CLAUSE.finditer(previous))]
    for start in reversed(starts):
        words, i, j = _span(previous[start:], cut)
        if j == i:
            continue  # "需要满足什么条件": this clause names no subject; the one before may
        if j == len(words) or words[j] in _CLAUSE_ENDS:
            j = i + 1  # a clause of nouns only ("党建工作经费税前扣除比例"): its first word is the subject
        if "的" in words[i + 1 : j]:
            j = words.index("的", i + 1)  # "支部书记的补贴": the subject is whose it is
        if subject in "".join(words[i:j]):
            return None
        return previous[:start] + "".join(words[:i]) + subject + "".join(words[j:])
    return None


def asks_own(follow_up: str) -> bool:
    """Whether a follow-up asks a question of its own ("谁来组织", "具体怎么搞"), not only a subject or a number."""
    return bool(_ASKS.search(_core(follow_up)))


def without_frame(previous: str, cut: Callable[[str], list[str]]) -> str | None:
    """The previous question without the question words that end it ("观摩交流多久一次" -> "观摩交流"): what a
    follow-up that asks a question of its own ("谁来组织") is read with. The question before's own frame would
    otherwise answer for it (helper-88's review: its 多久一次 brought the cadence rule, again). Words of substance
    and what it asked about stay ("…怎样建立党组织" is kept whole, "…有标准吗" loses only 吗). None when no question
    word ends it, or nothing else is left."""
    previous = original(previous).strip().rstrip("？?！!。.～~ ")
    words = cut(previous)
    n = len(words)
    while n > 0 and (words[n - 1] in _FRAME_WORDS or not words[n - 1].strip()):
        n -= 1
    if n == len(words) or n == 0:
        return None
    return "".join(words[:n])
