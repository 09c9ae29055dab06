"""Presentation helpers shared by the terminal and the bot: trimming and plain-text answers.

Channel-neutral: what a channel offers besides asking again (the bot's /topics) is the caller's to add. The three
outcomes of ``KnowledgeBase.ask`` read differently: a confident answer ("要点：…"), a tentative one introduced by
``CLOSEST`` with the other hits as "也可能相关", and ``NO_ANSWER``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.base import Answer
    from knowledge.types import Hit

NO_ANSWER = "讲话中没有找到与这个问题相关的内容。可以换个说法再问。"
# A tentative answer (``Answer.confidence == "low"``) is introduced as the closest passage, not as the answer.
CLOSEST = "讲话中没有直接回答这个问题的内容，最接近的内容是："
# The same when the closest passage is from a document an administrator added (not from the speeches).
CLOSEST_ADDED = "讲话和补充资料中没有直接回答这个问题的内容，最接近的内容（补充资料）是："


def closest(hit: Hit) -> str:
    """What introduces a tentative answer led by ``hit``."""
    return CLOSEST if hit.speech else CLOSEST_ADDED


OTHERS = "其他相关内容："
OTHERS_TENTATIVE = "也可能相关："
PASSAGE_PREVIEW = 300


def trim(text: str, limit: int = PASSAGE_PREVIEW, around: str | None = None) -> str:
    """At most ``limit`` characters, cut at a sentence end where possible; keeps ``around`` in view."""
    if len(text) <= limit:
        return text
    start = 0
    if around and (pos := text.find(around)) > limit // 2:
        start = max(0, min(pos - limit // 4, len(text) - limit))
        # Start after the sentence end nearest before that point.
        cut = max(text.rfind(c, 0, start + 1) for c in "。；")
        start = cut + 1 if cut >= 0 and start - cut < limit // 3 else start
    piece = text[start : start + limit]
    end = max(piece.rfind(c) for c in "。；！？")
    if end >= limit // 2:
        piece = piece[: end + 1]
    return ("……" if start > 0 else "") + piece + ("……" if start + len(piece) < len(text) else "")


def citation(source: str, section: str) -> str:
    return f"《{source}》" + (f" · {section}" if section else "")


def no_answer(alternative: str = "") -> str:
    """``NO_ANSWER``, or with the caller's own alternative to asking again joined in.

    ``no_answer("或浏览讲话目录（/topics）")`` -> "……可以换个说法再问，或浏览讲话目录（/topics）。"
    """
    return f"{NO_ANSWER.removesuffix('。')}，{alternative}。" if alternative else NO_ANSWER


def render_plain(answer: Answer, *, unanswered: str = NO_ANSWER) -> str:
    """``answer`` as plain text; ``unanswered`` when there is none (the caller's channel may add to it)."""
    if not answer.hits:
        return unanswered
    tentative = answer.confidence == "low"
    lines: list[str] = [closest(answer.hits[0]), ""] if tentative else []
    if answer.note:
        lines += [answer.note, ""]
    if answer.rule is not None:
        lines += [f"结论：{answer.rule.conclusion}", ""]
    top = answer.hits[0]
    lines += [
        f"{'相关表述' if tentative else '要点'}：{top.highlight}",  # as the chat says it
        "",
        trim(top.text, around=top.highlight),
        "",
        f"出处：{citation(top.source, top.section)}",
    ]
    if len(answer.hits) > 1:
        lines += ["", OTHERS_TENTATIVE if tentative else OTHERS]
        lines += [f"  · {_preview(h.highlight)}（{citation(h.source, h.section)}）" for h in answer.hits[1:]]
    return "\n".join(lines)


def _preview(sentence: str, limit: int = 60) -> str:
    """A sentence cut to ``limit`` characters says so ("…")."""
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"
