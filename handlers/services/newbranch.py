"""/newbranch as a pure step machine: the values an administrator gives, one step at a time.

The adapter keeps the state between messages and calls ``BranchService.create`` with ``values`` once
``next_step`` is None.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from handlers.services.branches import parse_branch_value
from knowledge.organisation import OrgForm

STEPS = ("org_name", "name", "form", "formal_members", "units")
PROMPTS = {
    "org_name": "新建支部（1/4）：请发送单位（企业或社会组织）名称：",
    "name": "新建支部（2/4）：请发送党支部名称：",
    "form": "新建支部（3/4）：请选择组织形式：",
    "formal_members": "新建支部（4/4）：正式党员有多少名？请发送数字：",
    "units": "这个联合党组织覆盖几个单位？请发送数字：",
}
CHOOSE_FORM = "请点击上面的按钮选择组织形式。"


@dataclass
class NewBranchState:
    values: dict = field(default_factory=dict)

    @property
    def step(self) -> str | None:
        """The value asked for next; None when every value is in."""
        order = [s for s in STEPS if s != "units" or self.values.get("form") == OrgForm.JOINT]
        return next((s for s in order if s not in self.values), None)

    def to_dict(self) -> dict:
        return {"values": dict(self.values)}

    @classmethod
    def from_dict(cls, raw: object) -> NewBranchState | None:
        """The state kept between messages, or None when it is not a well-formed state."""
        if not isinstance(raw, dict) or not isinstance(raw.get("values"), dict):
            return None
        values = {k: v for k, v in raw["values"].items() if k in STEPS}
        return cls(values)


def take_text(state: NewBranchState, text: str) -> NewBranchState:
    """The state with the typed value in; ``ValueError`` with a Chinese message if it does not fit."""
    step = state.step
    if step is None:
        raise ValueError("新建支部已完成。")
    if step == "form":
        raise ValueError(CHOOSE_FORM)
    return NewBranchState({**state.values, step: parse_branch_value(step, text)})


def take_form(state: NewBranchState, code: str) -> NewBranchState | None:
    """The state with the organisation form chosen; None when the form is not being asked or is unknown."""
    form = OrgForm.parse(code)
    if state.step != "form" or form is None:
        return None
    return NewBranchState({**state.values, "form": form.value})
