"""Another step's button (an older message's) changes nothing: the pure steps refuse it with a note naming the
step it belongs to. A 完成 or option made before buttons named their step is read as before."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.services.form import prompts
from handlers.services.form.model import Act, Action, Input, Outcome, Step
from handlers.services.form.stale import StaleButton
from handlers.services.form.steps import apply_input
from knowledge.activities import activity_by_code

TODAY = date(2026, 11, 20)
PAGE = {"sha256": "a" * 64, "unique_id": "p1", "file_id": "f1", "size": 1, "mime": "image/jpeg"}
PHOTO = {**PAGE, "unique_id": "p2", "sha256": "b" * 64}
THEME = {"kind": "theme_day", "held_on": "2026-11-20", "minutes_files": [PAGE], "photos": [PHOTO, PHOTO]}
REVIEW = {"kind": "review", "held_on": "2026-11-20", "details": {}}


def press(act: Act, arg: str = "") -> Input:
    return Input(action=Action(act, arg))


STALE = [
    # step the draft is at, data, the old button, the step it is named as
    (Step.PHOTOS, THEME, press(Act.DONE, Step.MINUTES), "会议记录"),  # the reported bug
    (
        Step.MINUTES,
        THEME,
        press(Act.DONE, Step.PHOTOS),
        "照片",
    ),  # 改会议记录 from the summary, old photos' 完成
    (Step.PHOTOS, THEME, press(Act.DONE, "field:six_items"), "“6”项内容"),
    (Step.SUMMARY, THEME, press(Act.DONE, Step.PHOTOS), "照片"),
    (Step.TOPIC, THEME, press(Act.DATE, "0"), "日期"),
    (Step.DATE, THEME, press(Act.KIND, "committee"), "活动类型"),
    (Step.MINUTES, THEME, press(Act.OPTION, "six_items:1_on"), "“6”项内容"),
    # a 主题党日's option left on an old message, pressed at a 述职评议's 考核等次: never chosen as a grade
    ("field:grade", REVIEW, press(Act.OPTION, "six_items:1_on"), "之前一步"),
]


@pytest.mark.parametrize(("step", "data", "inp", "named"), STALE)
def test_another_steps_button_is_refused_with_a_note(step, data, inp, named) -> None:
    with pytest.raises(StaleButton) as refused:
        apply_input(step, data, inp, TODAY)
    assert named in refused.value.message and refused.value.message.startswith("这是之前")
    assert "已失效" in refused.value.message and len(refused.value.message) < 200  # an alert's limit


LIVE = [
    (Step.PHOTOS, THEME, press(Act.DONE, Step.PHOTOS), Outcome.ADVANCE),
    (Step.MINUTES, THEME, press(Act.DONE, Step.MINUTES), Outcome.ADVANCE),
    (Step.PHOTOS, THEME, press(Act.DONE), Outcome.ADVANCE),  # a 完成 sent before buttons named their step
    ("field:grade", REVIEW, press(Act.OPTION, "grade:1"), Outcome.ADVANCE),
    ("field:grade", REVIEW, press(Act.OPTION, "1"), Outcome.ADVANCE),
    ("field:six_items", THEME, press(Act.OPTION, "six_items:1_on"), Outcome.STAY),
]


@pytest.mark.parametrize(("step", "data", "inp", "outcome"), LIVE)
def test_the_steps_own_buttons_still_work(step, data, inp, outcome) -> None:
    assert apply_input(step, data, inp, TODAY).outcome is outcome


def test_the_prompts_buttons_name_their_step() -> None:
    ak = activity_by_code("theme_day")
    actions = {
        step: [a for row in prompts.prompt(step, ak, THEME, TODAY).buttons for _, a in row]
        for step in (Step.MINUTES, Step.PHOTOS, "field:six_items")
    }
    assert Action(Act.DONE, Step.MINUTES) in actions[Step.MINUTES]
    assert Action(Act.DONE, Step.PHOTOS) in actions[Step.PHOTOS]
    assert Action(Act.DONE, "field:six_items") in actions["field:six_items"]
    assert Action(Act.OPTION, "six_items:0_on") in actions["field:six_items"]
    assert prompts.page_count(2).buttons == [[("完成", Action(Act.DONE, Step.MINUTES))]]
