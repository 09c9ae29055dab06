"""Buttons of an older message: each step's buttons say which step they belong to.

Several steps have a 完成 (the minutes' pages, the photos, a multiple choice), and an older message keeps its
buttons: an old 完成 of the minutes pressed at the photos step finished the photos. So a 完成 carries its step
(``f:done:photos``), an option its field, and the 今天/昨天 and kind buttons belong to their steps by what they
are; pressed while the draft waits at another step, such a button is answered with a short note and changes
nothing. A 完成 or an option without a step (a message sent before buttons named theirs) is read as before.
"""

from __future__ import annotations

from handlers.services.form.model import FIELD_PREFIX, Act, Action, SpentButton, Step, steps_for
from handlers.services.form.prompts import step_label
from knowledge.activities import ActivityKind


class StaleButton(SpentButton):
    """A button of another step's message: ``message`` is the note the press is answered with."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


def option_choice(arg: str) -> tuple[str | None, str]:
    """(the field key or None for an older button, the index part) of an option button's argument."""
    key, _, choice = arg.rpartition(":")
    return (key or None), choice


def owner(action: Action | None) -> str | None:
    """The step whose message carries ``action``; None when any step may read it (or it says no step)."""
    if action is None:
        return None
    if action.act is Act.KIND:
        return Step.KIND
    if action.act is Act.DATE:
        return Step.DATE
    if action.act is Act.DONE:
        return action.arg or None
    if action.act is Act.OPTION:
        key = option_choice(action.arg)[0]
        return f"{FIELD_PREFIX}{key}" if key else None
    return None


def check(step: str, ak: ActivityKind | None, action: Action | None) -> None:
    """Raises ``StaleButton`` when ``action`` belongs to another step than ``step``, the one the draft is at."""
    belongs = owner(action)
    if belongs is None or belongs == step:
        return
    known = (ak is not None and belongs in steps_for(ak)) or belongs in (Step.KIND, Step.DATE)
    where = f"之前“{step_label(belongs, ak)}”一步" if known else "之前一步"
    raise StaleButton(
        f"这是{where}的按钮，已失效。表单现在填到“{step_label(step, ak)}”，请按最新的提示操作。"
    )
