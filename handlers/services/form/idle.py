"""A form left idle past ``FORM_TIMEOUT`` still takes an answer that can only be its own.

A meeting often outlasts the timeout: a secretary who stopped at 出勤 and sends 应到8人实到7人 forty minutes later
means the form (helper-92's review: it was answered as a policy question, then told to type it again). Only the
steps whose answers have a shape of their own resume so, and only with an answer the step accepts: a free text
(a topic, a place, minutes) could as well be a question, and stays a question.
"""

from __future__ import annotations

import re
from datetime import date

from handlers.services.form.model import Input, InputError, Step
from handlers.services.form.questions import looks_like_question
from handlers.services.form.steps import apply_input

SHAPED_STEPS = frozenset({Step.DATE, Step.ATTENDANCE})
# Asking words anywhere in the text (是否有效, 能不能开): an idle draft takes no question, however it is shaped
# (helper-94's review: 党员大会应到8人，实到5人，是否有效 was stored as the attendance).
_ASKING = re.compile(
    r"[？?吗呢]|是否|能否|可否|能不能|可不可以|行不行|算不算|怎么|怎样|如何|为什么|有效|合规|要求"
)
RESUMED = "（已记入您之前未填完的表单）\n\n"


def resumes(step: str, data: dict, inp: Input, today: date) -> bool:
    """Whether ``inp``, sent to an idle draft at ``step``, is taken as the form's answer."""
    text = inp.text or ""
    if step not in SHAPED_STEPS or not text or inp.action is not None:
        return False
    if looks_like_question(text) or _ASKING.search(text):
        return False
    try:
        apply_input(step, dict(data), inp, today)
    except InputError:
        return False
    return True
