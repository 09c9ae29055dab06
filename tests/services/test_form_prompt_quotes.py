"""A step's label that opens with its own quotes (“6”项内容) is not quoted again in the form's texts."""

from __future__ import annotations

from handlers.services.form import prompts
from handlers.services.form.prompts import idle_draft, keep_or_replace

THEME = {"kind": "theme_day"}


def test_the_resume_offer_names_a_quoted_label_once() -> None:
    offer = keep_or_replace("field:six_items", THEME).text
    assert offer.startswith("您有一份未完成的草稿（主题党日，填到“6”项内容）。"), offer
    assert "““" not in idle_draft("field:six_items", THEME).text
    assert "填到“主题”" in keep_or_replace("topic", THEME).text


def test_quoted() -> None:
    assert prompts.quoted("主题") == "“主题”"
    assert prompts.quoted("“6”项内容") == "“6”项内容"
