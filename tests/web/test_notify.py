"""bot.web.review_notifier: a review on the web tells the secretary in chat with the very message and buttons a
review in chat sends."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from bot.web import login_url, review_notifier
from handlers.services.review import Notify, RecordBrief
from handlers.tg.render_review import amend_keyboard, notice_text

BRIEF = RecordBrief(
    7, "JL2026-000001", 1, "甲党支部", "theme_day", "主题党日", "2026-11", date(2026, 11, 5), "学习全会精神",
    "returned", "active", 1, 1,
)  # fmt: skip


async def test_the_secretary_gets_the_chat_message_and_buttons():
    sent = []

    async def send_message(chat_id, text, **kwargs):
        sent.append((chat_id, text, kwargs))
        if chat_id == 2:
            raise RuntimeError("blocked")

    application = SimpleNamespace(bot=SimpleNamespace(send_message=send_message))
    returned = Notify(1, "returned", BRIEF, "照片不清楚")
    await review_notifier(application)(
        [
            returned,
            Notify(2, "passed", BRIEF),  # a failure to send is logged, the others still go
            Notify(3, "new_record", BRIEF),
            Notify(4, "passed", BRIEF),
        ]
    )
    assert [chat for chat, _, _ in sent] == [1, 2, 4]
    chat, text, kwargs = sent[0]
    assert text == notice_text(returned) and text.startswith("↩️")
    assert "甲党支部" in text and "学习全会精神" in text and "照片不清楚" in text and "/records" not in text
    assert kwargs["reply_markup"] == amend_keyboard(7) and kwargs["parse_mode"] == "HTML"
    assert sent[2][1] == notice_text(Notify(4, "passed", BRIEF)) and sent[2][2]["reply_markup"] is None


def test_login_url():
    settings = SimpleNamespace(public_url="https://bot.example.org/", web_host="127.0.0.1", web_port=8080)
    assert login_url(settings, "abc") == "https://bot.example.org/login/abc"
    settings.public_url = None
    assert login_url(settings, "abc") == "http://127.0.0.1:8080/login/abc"
