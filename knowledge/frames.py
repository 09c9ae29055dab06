"""What a question says around its content: politeness, question frames, fillers, and the situation it
describes.

Secretaries wrap a question the speeches answer in words the speeches never use: "您好，请问…，谢谢", frames such as
"…需要满足什么条件", "…应该找谁", "…有没有硬性规定", "…算不算", "…可不可以", A-not-A forms (能不能, 要不要), and
fillers (这些, 那边, 的话, 到底). Counted as content they lower the share of the question a passage contains, so a
question the speeches answer plainly looked unanswered. Here they are removed before segmentation
(``strip``), and fillers are words a query drops like question words (``FILLER_WORDS``).

A question often starts with a situation ("我们是一家50人的企业，…"): ``context_clauses`` tells the clauses that
ask from those that only describe; words found only in the latter weigh less in coverage.

All patterns are about how Chinese questions are put, not about the speeches' topics (those are the lexicon's:
``knowledge.lexicon``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.patterns import opening, quick

# Greetings, requests and thanks: removed wherever they stand.
_POLITE = quick(
    r"^(?:您好|你好|老师(?:您)?好|领导(?:您)?好|大家好|各位(?:老师|领导)?好|hello|hi)[,，!！。.\s]*"
    r"|(?:请问|请教|咨询|打扰)(?:一下)?|我?想(?:要)?(?:问|问问|咨询|请教|了解|知道)(?:一下)?|麻烦(?:问一下|您|你)?"
    r"|(?:^|(?<=麻烦)|(?<=[，,。\s]))(?:再|我)?(?:问|打听|请教)(?:一)?下"
    r"|(?:谢谢|多谢|感谢|辛苦)(?:您|你|了|啦|大家)*(?:的解答|解答)?"
    r"|在线等|急急急|求解答|求助"
)
# A-not-A questions and their tails: 能不能, 要不要, 可不可以, 需不需要, 有没有, 算不算, ... "…去不", "…搞不".
_A_NOT_A = re.compile(
    r"可不可以|需不需要|应不应该|该不该|允不允许|([\u4e00-\u9fff])[不没]\1|(?<=[\u4e00-\u9fff])不(?=[?？。!！]*$)"
)
# Frames: the words of a question that ask, not say.
_FRAMES = quick(
    r"(?:需要|要|得|应当|应该)?满足(?:哪些|什么|啥)?(?:样的)?(?:条件|要求)"
    r"|(?:应该|应当|该|要|得|可以|能)?(?:去)?(?:找谁|问谁|听谁的?)"
    r"|(?:有没有|有|是否有)(?:什么|啥|哪些)?(?:硬性|明确|具体|统一|专门|正式)?(?:的)?(?:规定|说法|讲究|门道|要求)"
    r"|(?:是|叫)(?:什么|啥)(?:名字|名堂|意思|说法)|叫啥名?|啥名字?|什么名字"
    r"|(?:该|要|能|可以)?干(?:点|些|点儿)?(?:啥|什么)"
    r"|(?:有)?(?:啥|什么)(?:好)?(?:办法|招|路子|做法)(?=[?？。!！]*$)"
    # The speech itself as the place of the answer: "讲话里咋说的", "文件中有没有提", "讲话里怎么引导".
    r"|(?:在)?(?:讲话|讲话稿|文件|材料)(?:里面|里头|里|中|上)(?:有没有|是否|有)?(?:提到?|讲到?|说到?|写到?)?"
    r"|(?:是)?(?:咋|怎么|怎样|如何)(?:说|讲|提|写)的?(?:呢)?(?=[?？。!！]*$)"
)
# List questions: "X有哪几项", "都包括什么", "是哪五清", "具体是哪6样", "涵盖哪几块".
_LIST = quick(
    r"(?:都|主要|具体|一共|总共)?(?:包括|包含|涵盖|分为|分成|有)?"
    r"(?:哪几|哪些|哪[一二三四五六七八九十两\d]+)(?:项|个|条|块|类|种|样|方面|部分|点|句|招|清|好|有)?"
    r"|(?:都|主要|具体)(?:包括|包含|涵盖|有)(?:什么|啥|哪些)"
    r"|(?:包括|包含|涵盖)(?:什么|啥)"
)

# Where a match may start: most questions hold none of these characters, and are not searched further.
_POLITE_OPENING, _LIST_OPENING = opening(_POLITE), opening(_LIST)

# Words a query drops like question words: pronouns, demonstratives, time and degree fillers, directional
# complements. None of them says what a question is about.
FILLER_WORDS = frozenset(
    """这些 那些 这种 那种 这项 那项 这类 那类 这样 那样 这次 那次 这边 那边 这里 那里 里头 这块 那块 这方面
    的话 然后 还有 除了 以外 之外 另外 其他 其它 别的 还是 或者 以及
    时候 以后 之后 之前 现在 目前 平时 平常 一直 已经 马上
    具体 到底 究竟 大概 大约 一点 一些 有点 有些 比较 特别 真的 实在 刚好 正好 不少 很多 好多
    大家 有人 别人 他们 她们 它们 人家 一个 一家 一种 好几个 几个 几家 一回 一趟
    出来 起来 过来 下来 上去 进去 回来
    还要 还能 还得 还会 也要 也能 就是 都是 只是 只能 可能 一定 必然
    您好 你好 谢谢 麻烦 请教 咨询 了解 问问 的话
    就是说 听说 据说 听人说 有人说 有人讲 真的吗 是真的 对吗 对不对 晓得 说法 提法
    好像 似乎 貌似 好似 估计 感觉 觉得 印象 记得 印象中""".split()
)

# Words that say little about a question's topic, though a passage may use them too: relations (方面, 当中,
# 之间), adverbs (主要, 专门, 分别, 一共, 原来, 最后), prepositions (针对, 通过, 经过, 对于) and light verbs (进行,
# 参加, 形成, 对待, 当作, 放到). They stay in the ranking; in coverage they weigh ``LIGHT_WEIGHT`` of a word, so a
# question is not judged unanswered for a word like these that the passage lacks.
LIGHT_WORDS = frozenset(
    """方面 当中 之中 中间 之间 下面 上面 里面 外面 前面 后面 周围 身边 期间 过程
    主要 专门 分别 一共 总共 原来 本来 最后 首先 其次 再次 经常 常常 往往 尤其 尽量 立即 同时 一起 一块 一同
    一般 通常 平时 平常 大概 大致
    针对 通过 经过 对于 关于 根据 为了 由于 因为 所以 如果 但是 而且 并且 随着 按照
    进行 参加 形成 表现 当作 作为 成为 变成 对待 处理 解决 安排 采取 放到 放进 放在 加入 涉及 属于 需要 提高 提升
    做到 做好 搞好 弄好 发挥 实现 开展 落实 加强 推动 推进 有关 相关 自己 大家 各地 各级 我方 对方
    办法 方法 法子 路子""".split()
)
LIGHT_WEIGHT = 0.3

# A clause asks when it holds one of these; the others describe the situation.
_ASKS = quick(r"[吗呢么?？]|什么|啥|哪|谁|怎|如何|多少|多久|几|是否|能否|可否|可不可以|需不需要|有没有")
_ASKS_A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1")  # ... or an A-not-A form (好不好)
_CLAUSE = re.compile(r"[^,，;；。.!！?？]+[,，;；。.!！?？]*")
# ... and a clause that does not ask describes the user's situation when it starts from the user ("我们是…",
# "我在…", "咱们…", "本公司…") or from a case ("有个党员…", "有一位…").
_SITUATION = re.compile(r"^\s*(?:我|咱|本(?:单位|公司|企业|店|协会)|有(?:个|一个|一位|一名|位|名|家|一家))")
_CONTENT = re.compile(r"[\u4e00-\u9fff]{2}")


@dataclass(frozen=True, slots=True)
class Shape:
    """A question with its wrapping removed, and what the wrapping said."""

    text: str  # politeness and frames replaced by spaces (so bigrams never bridge them)
    listing: bool  # the question asks for a list ("有哪几项", "都包括什么")
    context: tuple[str, ...]  # clauses that describe a situation rather than ask


def strip(text: str) -> Shape:
    """``text`` (normalised) without politeness and question frames."""
    return Shape(*stripped(text))


def stripped(text: str) -> tuple[str, bool, tuple[str, ...]]:
    """``strip`` as a plain tuple (text, listing, context), for the query path."""
    listing = is_listing(text)
    polite = _POLITE.sub(" ", text) if _POLITE_OPENING.search(text) else text
    return _unframed(polite), listing, context_clauses(polite)


def _unframed(text: str) -> str:
    """``text`` without A-not-A forms, frames and list questions."""
    if "不" in text or "没" in text:  # every A-not-A form holds one of them
        text = _A_NOT_A.sub(" ", text)
    text = _FRAMES.sub(" ", text)
    return _LIST.sub(" ", text) if _LIST_OPENING.search(text) else text


def is_listing(text: str) -> bool:
    """Whether ``text`` (normalised) asks for a list."""
    return bool(_LIST_OPENING.search(text)) and bool(_LIST.search(text))


def context_clauses(text: str) -> tuple[str, ...]:
    """The clauses of ``text`` that only describe the user's situation, when another clause asks.

    "我们是一家50人的企业，要建党组织吗" -> ("我们是一家50人的企业，",). A question of one clause, or one whose asking
    clauses say nothing once their frames are gone ("…，该找谁"), has no context.
    """
    clauses = [c for c in _CLAUSE.findall(text) if c.strip(" ,，;；。.!！?？")]
    if len(clauses) < 2:
        return ()
    context: list[str] = []
    for clause in clauses:
        if _asks(clause):
            break
        # A situation goes on until the question: "我们是一家物流企业，员工两百多人，…".
        if context or _SITUATION.search(clause):
            context.append(clause)
    if not context or not any(_CONTENT.search(_unframed(c)) for c in clauses if _asks(c)):
        return ()
    return tuple(context)


def _asks(clause: str) -> bool:
    return bool(_ASKS.search(clause)) or (
        ("不" in clause or "没" in clause) and bool(_ASKS_A_NOT_A.search(clause))
    )
