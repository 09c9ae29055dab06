"""bot.web.review_notifier: a return on the web tells the secretary in chat, with the comment."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from bot.web import login_url, review_notifier
from handlers.services.review import Notify


async def test_the_secretary_is_told_with_the_comment():
    sent = []

    async def send_message(chat_id, text):
        sent.append((chat_id, text))
        if chat_id == 2:
            raise RuntimeError("blocked")

    application = SimpleNamespace(bot=SimpleNamespace(send_message=send_message))
    brief = SimpleNamespace(number="JL2026-000001", kind_name="主题党日", held_on=date(2026, 11, 5))
    await review_notifier(application)(
        [
            Notify(1, "returned", brief, "照片不清楚"),
            Notify(2, "passed", brief),  # a failure to send is logged, the others still go
            Notify(3, "new_record", brief),
        ]
    )
    assert [chat for chat, _ in sent] == [1, 2]
    assert "被退回" in sent[0][1] and "照片不清楚" in sent[0][1] and "JL2026-000001" in sent[0][1]


def test_login_url():
    settings = SimpleNamespace(public_url="https://bot.example.org/", web_host="127.0.0.1", web_port=8080)
    assert login_url(settings, "abc") == "https://bot.example.org/login/abc"
    settings.public_url = None
    assert login_url(settings, "abc") == "http://127.0.0.1:8080/login/abc"
