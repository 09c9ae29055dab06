"""Questions in chat when things go wrong: junk input, a 5xx or a 429 from Telegram, an exception in a handler,
the database down; the bot apologises where it must and keeps serving (the answers themselves: ``test_e2e_qa``)."""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy.exc import OperationalError
from telegram.error import NetworkError

from handlers.services.qa import QAResult
from handlers.tg.common import ASK_LINE, ERROR_TEXT
from handlers.tg.qa import NON_TEXT_HINT, PHOTO_HINT
from handlers.tg.render import full_data
from handlers.tg.transport import RETRY_DELAYS
from knowledge.render import CLOSEST
from tests.tg.test_e2e_qa import (
    OFF_TOPIC,
    POLICY_QUESTION,
    USER_ID,
    all_questions,
    ask,
    assert_answers_normally,
    assert_html_ok,
    expected_answer,
    feedback_qid,
    press,
)


async def test_bad_input_keeps_the_bot_serving(make_bot) -> None:
    async with make_bot() as harness:
        emulator = harness.emulator
        user = harness.user(USER_ID)

        async def then_normal() -> None:
            await assert_answers_normally(harness, user)

        # A long paste: answered or not, the reply is valid and within Telegram's limits.
        paste = ("党员不足三人的企业怎样建立党组织，" * 300)[:4000]
        reply = await ask(harness, user, paste)
        assert_html_ok(reply)
        assert len(reply.plain_text) <= 4096
        assert paste not in reply.plain_text
        await then_normal()

        reply = await ask(harness, user, "😀🎉👍")
        assert_html_ok(reply)
        assert "没有找到" in reply.plain_text
        await then_normal()

        reply = await ask(harness, user, "\x00\x07\u200b")  # nothing visible: how to ask (helper-95's review)
        assert reply.plain_text == ASK_LINE
        assert "\x00" not in reply.plain_text and "\x07" not in reply.plain_text
        await then_normal()

        # Markup typed by the user is never interpreted.
        reply = await ask(harness, user, "<b>主题党日</b>多久开展一次")
        assert_html_ok(reply)
        assert "要点：" in reply.plain_text or "相关表述：" in reply.plain_text
        bold = [e for e in reply.message.get("entities", []) if e["type"] == "bold"]
        units = reply.plain_text.encode("utf-16-le")  # entity offsets count UTF-16 code units
        bolded = [units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le") for e in bold]
        # Only the template's labels are bold: the user's <b> was escaped.
        assert bolded and all(b in ("要点：", "相关表述：", CLOSEST) for b in bolded), bolded
        await then_normal()
        reply = await ask(harness, user, "<b>天气</b> & <i>电影</i>怎么样")
        assert_html_ok(reply)
        assert "“<b>天气</b> & <i>电影</i>怎么样”" in reply.plain_text
        assert "&lt;b&gt;天气&lt;/b&gt; &amp; &lt;i&gt;" in reply.text
        await then_normal()

        for send in (user.send_sticker, user.send_photo, user.send_voice):
            send()
            hint = await emulator.wait_for_message(user.id)
            assert hint.text == (PHOTO_HINT if send == user.send_photo else NON_TEXT_HINT), send.__name__
            assert "文字" in hint.plain_text
            await then_normal()

        assert harness.errors == []
        assert all(m.call.ok for m in emulator.messages(user.id))


async def test_server_error_on_one_reply_does_not_stop_the_next(make_bot) -> None:
    async with make_bot() as harness:
        emulator = harness.emulator
        user = harness.user(USER_ID)
        emulator.fail_next("sendMessage", status=500, count=1 + len(RETRY_DELAYS))
        user.send_text(POLICY_QUESTION)
        assert (await emulator.wait_for_message(user.id, timeout=8)).text.startswith(ERROR_TEXT)
        await harness.expect_error(NetworkError)
        await assert_answers_normally(harness, user)
        assert [c.status for c in emulator.calls_to("sendMessage")] == [500] * (1 + len(RETRY_DELAYS)) + [
            200,
            200,
        ]


async def test_429_is_retried(make_bot) -> None:
    async with make_bot() as harness:
        emulator = harness.emulator
        user = harness.user(USER_ID)
        emulator.fail_next("sendMessage", status=429, retry_after=1)
        reply = await ask(harness, user, POLICY_QUESTION, wait=8)
        assert "要点：" in reply.plain_text
        attempts = emulator.calls_to("sendMessage")
        assert [c.status for c in attempts] == [429, 200]
        assert attempts[1].started - attempts[0].started >= 1.0
        assert harness.errors == []


async def test_handler_exception_is_logged_and_apologised_for(make_bot, monkeypatch, caplog) -> None:
    caplog.set_level(logging.ERROR)
    async with make_bot() as harness:
        emulator = harness.emulator
        qa = harness.services.qa
        original = qa.ask
        failures: list[str] = []

        async def flaky(text: str, **kwargs: Any) -> QAResult:
            if not failures:
                failures.append(text)
                raise RuntimeError("simulated failure inside the handler")
            return await original(text, **kwargs)

        monkeypatch.setattr(qa, "ask", flaky)
        user = harness.user(USER_ID)
        reply = await ask(harness, user, POLICY_QUESTION)
        assert reply.text.startswith(ERROR_TEXT)
        error = await harness.expect_error(RuntimeError)
        assert "simulated failure" in str(error)
        assert failures == [POLICY_QUESTION]

        logged = [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]
        assert any(isinstance(r.exc_info[1], RuntimeError) for r in logged)
        # The user is told the error's id, and the log line carries the same id.
        error_id = re.fullmatch(re.escape(ERROR_TEXT) + r"（错误编号 ([0-9a-f]{8})）", reply.text).group(1)
        assert any(error_id in r.getMessage() for r in logged)
        # The failing update stopped there: no unrelated answer or "no answer" reply came after the apology.
        assert [m.text for m in emulator.messages(user.id)][-1].startswith(ERROR_TEXT)

        await assert_answers_normally(harness, user)
        for message in emulator.messages(user.id):
            assert "Traceback" not in (message.plain_text or "")
            assert "simulated failure" not in (message.plain_text or "")
            assert "RuntimeError" not in (message.plain_text or "")


def broken_session_factory(*args: Any, **kwargs: Any) -> Any:
    """A session factory for a database that is down."""
    raise OperationalError("INSERT INTO question_log", {}, Exception("unable to open database file"))


async def test_database_down_for_the_log_still_answers(make_bot, monkeypatch) -> None:
    async with make_bot() as harness:
        monkeypatch.setattr(harness.services.qa, "session_factory", broken_session_factory)
        user = harness.user(USER_ID)
        reply = await assert_answers_normally(harness, user)
        top = expected_answer(harness, POLICY_QUESTION).answer.hits[0]
        assert reply.plain_text.startswith(f"要点：{top.highlight}")
        # Without a logged question there is nothing to vote on or to expand: only the passage button.
        assert [b["callback_data"] for b in reply.buttons] == [full_data(top)]
        await press(harness, user, reply, reply.buttons[0]["callback_data"])
        assert (await harness.emulator.wait_for_message(user.id)).plain_text.startswith(top.text)

        reply = await ask(harness, user, OFF_TOPIC[0])
        assert "没有找到" in reply.plain_text
        assert harness.errors == []
        # The application's own session factory is untouched: nothing was logged meanwhile.
        assert await all_questions(harness) == []


async def test_database_down_feedback_button_is_still_answered(make_bot, monkeypatch) -> None:
    async with make_bot(check_errors=False) as harness:
        user = harness.user(USER_ID)
        reply = await ask(harness, user, POLICY_QUESTION)
        qid = feedback_qid(reply)
        monkeypatch.setattr(harness.services.qa, "session_factory", broken_session_factory)
        update = user.press(reply, f"qa:fb:{qid}:1")
        query_id = update["callback_query"]["id"]
        await harness.emulator.wait_for_call(
            "answerCallbackQuery", lambda c: c.params["callback_query_id"] == query_id, timeout=2
        )
