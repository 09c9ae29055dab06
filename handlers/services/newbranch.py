"""/newbranch as a pure step machine: the values an administrator gives, one step at a time.

The adapter keeps the state between messages; once every value is in (``step`` is None) it shows ``summary``
with 确认创建 / 修改 / 取消 and calls ``BranchService.create`` with ``values`` only when confirmed. A name that
reads as a question ("主题党日多久开展一次？", typed mid-wizard) is refused, not taken as the organisation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from handlers.services.branches import QUESTION, parse_branch_value
from knowledge.organisation import OrgForm, org_form_label, profile_warnings

STEPS = ("org_name", "name", "form", "formal_members", "units")
PROMPTS = {
    "org_name": "新建支部（1/4）：请发送单位（企业或社会组织）名称：",
    "name": "新建支部（2/4）：请发送党支部名称：",
    "form": "新建支部（3/4）：请选择组织形式：",
    "formal_members": "新建支部（4/4）：正式党员有多少名？请发送数字：",
    "units": "这个联合党组织覆盖几个单位？请发送数字：",
}
CHOOSE_FORM = "请点击上面的按钮选择组织形式。"
CONFIRM_FIRST = "请点击上面的按钮：确认创建、修改或取消。"
CANCELLED = "已取消，没有新建支部。"
NOT_A_NAME = (
    "这看起来是一个问题，不像名称，没有保存。如需提问，请先发送 /cancel 退出新建支部；否则请重新发送名称。"
)


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
    if step in ("org_name", "name") and QUESTION.search(text or ""):
        raise ValueError(NOT_A_NAME)  # said for the wizard: how to leave it
    return NewBranchState({**state.values, step: parse_branch_value(step, text)})


def take_form(state: NewBranchState, code: str) -> NewBranchState | None:
    """The state with the organisation form chosen; None when the form is not being asked or is unknown."""
    form = OrgForm.parse(code)
    if state.step != "form" or form is None:
        return None
    return NewBranchState({**state.values, "form": form.value})


def summary(state: NewBranchState, same_name: Sequence[str] = ()) -> str:
    """What is about to be created, for the administrator to check before 确认创建; ``same_name``: the warning
    about other branches of that name (lines), if any."""
    values = state.values
    lines = [
        "请核对要新建的支部：",
        f"单位：{values['org_name']}",
        f"党支部：{values['name']}",
        f"组织形式：{org_form_label(values['form'])}",
        f"正式党员：{values['formal_members']}名",
    ]
    if values.get("units") is not None:
        lines.append(f"联合单位数：{values['units']}个")
    # The speeches' rules before 确认创建, not only after (helper-86's review: the link was live by then).
    warnings = profile_warnings(values["form"], values["formal_members"], values.get("units"))
    if warnings:
        lines += ["", "⚠️ 对照讲话要求：", *(f"• {w}" for w in warnings), "如需调整，请点“修改”。"]
    if same_name:
        lines += ["", *same_name]
    return "\n".join([*lines, "", "无误请点“确认创建”；点“修改”从头重新填写。"])
