"""Questions and answers end to end: the real application polling the Bot API emulator.

Every assertion is about what the user sees (the emulator's record of what the bot sent or edited,
validated by its strict HTML parser) or about what ended up in the database. Here: answers, their buttons, the
question log; commands and /topics: ``test_e2e_qa_commands``; context and the three outcomes:
``test_e2e_qa_context``; faults: ``test_e2e_qa_faults``. The helpers here are shared with those.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.services.qa import QAResult
from handlers.tg.render import EXAMPLES, full_data
from knowledge.render import citation, trim
from storage.models import Feedback, QuestionLog
from storage.repositories import QuestionRepository
from tests.emulator import SentMessage, SimUser, parse_html
from tests.fixtures_bot import BotHarness

USER_ID = 7_310_001
POLICY_QUESTION = "党员不足三人的企业怎样建立党组织"
OFF_TOPIC = ("今天天气怎么样", "推荐一部电影", "python怎么写循环", "股市行情怎么样")
# Candidates for a question whose answer offers "其他相关内容" (close runners-up).
MORE_CANDIDATES = (POLICY_QUESTION, "党组织书记怎么选", "党建指导员", "“六有”标准指什么", "三会一课")


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


async def ask(harness: BotHarness, user: SimUser, text: str, wait: float = 5.0) -> SentMessage:
    """Send ``text`` and return the bot's next message to the user."""
    user.send_text(text)
    return await harness.emulator.wait_for_message(user.id, timeout=wait)


async def press(
    harness: BotHarness, user: SimUser, message: SentMessage | int, data: str, *, check: bool = True
) -> dict:
    """Press a button and return the parameters of the bot's ``answerCallbackQuery``."""
    update = user.press(message, data, check=check)
    query_id = update["callback_query"]["id"]
    await harness.emulator.wait_for_call(
        "answerCallbackQuery", lambda c: c.params["callback_query_id"] == query_id
    )
    return harness.emulator.callback_answers[query_id]


def assert_html_ok(message: SentMessage) -> None:
    """Sent as HTML, and the text parses under the emulator's strict rules (it was accepted)."""
    assert message.parse_mode == "HTML"
    assert message.text is not None
    plain, _ = parse_html(message.text, strict=True)
    assert plain.strip() == message.plain_text


def expected_answer(harness: BotHarness, question: str, k: int = 3) -> QAResult:
    """What the knowledge base answers (the bot logs the question, this does not)."""
    return QAResult(harness.services.kb.ask(question, k), question_id=None)


def _confident_with_runners_up(harness: BotHarness, question: str) -> bool:
    expected = expected_answer(harness, question)
    return expected.has_runners_up and expected.answer.confidence == "high"


def feedback_qid(message: SentMessage) -> int:
    data = message.callback_data("👍")
    assert data.startswith("qa:fb:") and data.endswith(":1")
    return int(data.split(":")[2])


async def question_row(harness: BotHarness, question_id: int) -> QuestionLog | None:
    async with harness.services.session_factory() as session:
        return await QuestionRepository(session).get(question_id)


async def feedback_rows(harness: BotHarness, question_id: int) -> list[Feedback]:
    async with harness.services.session_factory() as session:
        stmt = select(Feedback).where(Feedback.question_id == question_id)
        return list(await session.scalars(stmt))


async def all_questions(harness: BotHarness) -> list[QuestionLog]:
    async with harness.services.session_factory() as session:
        return list(await session.scalars(select(QuestionLog).order_by(QuestionLog.id)))


async def assert_answers_normally(harness: BotHarness, user: SimUser) -> SentMessage:
    reply = await ask(harness, user, POLICY_QUESTION)
    assert reply.kind == "send"
    assert "要点：" in reply.plain_text and "出处：" in reply.plain_text
    assert_html_ok(reply)
    return reply


# --------------------------------------------------------------------------------------------------
# Answers
# --------------------------------------------------------------------------------------------------


async def test_policy_question_gets_key_sentence_passage_and_citation(make_bot) -> None:
    async with make_bot() as harness:
        user = harness.user(USER_ID, "李书记")
        reply = await ask(harness, user, POLICY_QUESTION)

        assert reply.kind == "send"
        assert_html_ok(reply)
        expected = expected_answer(harness, POLICY_QUESTION)
        top = expected.answer.hits[0]
        text = reply.plain_text
        assert text.startswith(f"要点：{top.highlight}")
        assert "联合建" in text
        # The passage (trimmed around the key sentence) and the citation with title and section.
        assert trim(top.text, around=top.highlight) in text
        assert text.rstrip().endswith(f"出处：{citation(top.source, top.section)}")
        assert f"《{top.source}》" in text and top.section and top.section in text
        types = {e["type"] for e in reply.message.get("entities", [])}
        assert {"bold", "blockquote", "italic"} <= types
        assert "<b>" not in text and "&lt;" not in text

        assert reply.callback_data("查看原文") == full_data(top)
        assert any(t.startswith("👍") for t in reply.button_texts)
        assert any(t.startswith("👎") for t in reply.button_texts)
        assert not any("✓" in t for t in reply.button_texts)
        has_more = any("其他相关内容" in t for t in reply.button_texts)
        assert has_more == expected.has_runners_up


@pytest.mark.parametrize(
    ("question", "conclusion"),
    [
        ("我们只有两名正式党员", "联合建"),
        ("工资总额800万，党建经费能税前扣多少", "8万元"),
    ],
)
async def test_numeric_question_puts_the_conclusion_first(make_bot, question: str, conclusion: str) -> None:
    async with make_bot() as harness:
        user = harness.user(USER_ID)
        reply = await ask(harness, user, question)
        assert_html_ok(reply)
        first_line, _, rest = reply.plain_text.partition("\n")
        assert conclusion in first_line
        assert first_line.startswith("📌")
        assert "要点：" in rest and "出处：" in rest
        # The conclusion is bold and comes before the key sentence.
        assert reply.message["entities"][0]["type"] == "bold"
        assert reply.plain_text.index(conclusion) < reply.plain_text.index("要点：")


# --------------------------------------------------------------------------------------------------
# Buttons under an answer
# --------------------------------------------------------------------------------------------------


async def test_full_passage_button_sends_the_whole_passage(make_bot) -> None:
    async with make_bot() as harness:
        user = harness.user(USER_ID)
        reply = await ask(harness, user, POLICY_QUESTION)
        top = expected_answer(harness, POLICY_QUESTION).answer.hits[0]

        answer = await press(harness, user, reply, reply.callback_data("查看原文"))
        assert not answer.get("show_alert")
        full = await harness.emulator.wait_for_message(user.id)
        assert full.kind == "send"
        assert_html_ok(full)
        assert full.plain_text == f"{top.text}\n\n出处：{citation(top.source, top.section)}"
        # The answer showed a trimmed preview; this is the whole passage.
        assert trim(top.text, around=top.highlight) != top.text
        assert "……" not in full.plain_text


async def test_more_results_sends_other_passages(make_bot) -> None:
    async with make_bot() as harness:
        # A confident answer offers its runners-up behind 其他相关内容 (a tentative one shows them as buttons).
        question = next((q for q in MORE_CANDIDATES if _confident_with_runners_up(harness, q)), None)
        assert question is not None, "no candidate question has a confident answer with close runners-up"
        user = harness.user(USER_ID)
        reply = await ask(harness, user, question)
        data = reply.callback_data("其他相关内容")
        assert data == f"qa:more:{feedback_qid(reply)}"

        answer = await press(harness, user, reply, data)
        assert not answer.get("show_alert")
        more = await harness.emulator.wait_for_message(user.id)
        assert more.kind == "send"
        assert_html_ok(more)
        assert more.plain_text.startswith("其他相关内容：")

        top = expected_answer(harness, question).answer.hits[0]
        others = harness.services.kb.ask(question, 6).hits[1:]
        assert others
        for hit in others:
            assert hit.highlight in more.plain_text
            assert citation(hit.source, hit.section) in more.plain_text
        expected_data = [full_data(h) for h in others]
        assert [b["callback_data"] for b in more.buttons] == expected_data
        assert full_data(top) not in expected_data

        # Each of them opens its own passage.
        await press(harness, user, more, expected_data[-1])
        full = await harness.emulator.wait_for_message(user.id)
        assert_html_ok(full)
        assert full.plain_text.startswith(others[-1].text)


async def test_feedback_vote_is_stored_once_and_marked_in_place(make_bot) -> None:
    async with make_bot() as harness:
        emulator = harness.emulator
        user = harness.user(USER_ID)
        reply = await ask(harness, user, POLICY_QUESTION)
        qid = feedback_qid(reply)
        other_rows = [
            row for row in reply.inline_keyboard if not row[0]["callback_data"].startswith("qa:fb:")
        ]

        answer = await press(harness, user, reply, f"qa:fb:{qid}:1")
        assert answer.get("text") == "感谢您的反馈！" and not answer.get("show_alert")
        edit = await emulator.wait_for_message(user.id)
        assert edit.kind == "edit_markup" and edit.message_id == reply.message_id
        assert "👍 有帮助 ✓" in edit.button_texts and "👎 没帮助" in edit.button_texts
        assert [r for r in edit.inline_keyboard if r not in other_rows] == [edit.inline_keyboard[-1]]
        assert [v.value for v in await feedback_rows(harness, qid)] == [1]

        await press(harness, user, reply.message_id, f"qa:fb:{qid}:-1")
        edit = await emulator.wait_for_message(user.id)
        assert edit.kind == "edit_markup" and edit.message_id == reply.message_id
        assert "👎 没帮助 ✓" in edit.button_texts and "👍 有帮助" in edit.button_texts
        assert sum("✓" in t for t in edit.button_texts) == 1
        # The other buttons (查看原文, 其他相关内容) survive the edit.
        for row in other_rows:
            assert row in edit.inline_keyboard
        rows = await feedback_rows(harness, qid)
        assert [(r.value, r.user_id) for r in rows] == [(-1, USER_ID)]

        # The same vote again: answered, no error, nothing new shown, still one vote.
        answer = await press(harness, user, reply.message_id, f"qa:fb:{qid}:-1")
        assert answer.get("text") == "感谢您的反馈！"
        await emulator.idle(timeout=3, quiet=0.2)
        await emulator.expect_no_message(user.id, within=0.2)
        assert [r.value for r in await feedback_rows(harness, qid)] == [-1]
        assert harness.errors == []


async def test_forged_qa_buttons_get_an_alert(make_bot) -> None:
    async with make_bot() as harness:
        user = harness.user(USER_ID)
        reply = await ask(harness, user, POLICY_QUESTION)
        for data in ("qa:full:99999", "qa:fb:99999:1", "qa:fb:1:5", "qa:ex:99", "qa:", "qa:nothing"):
            answer = await press(harness, user, reply, data, check=False)
            assert answer.get("show_alert") is True, data
        answer = await press(harness, user, reply, "qa:more:99999", check=False)
        assert answer.get("text")
        await harness.emulator.idle(timeout=3, quiet=0.2)
        await harness.emulator.expect_no_message(user.id, within=0.1)
        await assert_answers_normally(harness, user)


# --------------------------------------------------------------------------------------------------
# The question log, off-topic questions and examples
# --------------------------------------------------------------------------------------------------


async def test_questions_are_logged_with_the_answered_flag(make_bot) -> None:
    async with make_bot() as harness:
        user = harness.user(USER_ID)
        reply = await ask(harness, user, POLICY_QUESTION)
        qid = feedback_qid(reply)
        row = await question_row(harness, qid)
        assert row is not None
        assert row.answered is True and row.query == POLICY_QUESTION
        assert row.user_id == USER_ID and row.chat_id == USER_ID
        top = expected_answer(harness, POLICY_QUESTION).answer.hits[0]
        assert row.top_passage_id == top.passage_id

        for question in OFF_TOPIC:
            reply = await ask(harness, user, question)
            assert_html_ok(reply)
            assert "没有找到" in reply.plain_text, question
            assert f"“{question}”" in reply.plain_text
            assert reply.button_texts == list(EXAMPLES)
            assert "👍" not in "".join(reply.button_texts)

        rows = await all_questions(harness)
        assert [(r.query, r.answered) for r in rows] == [(POLICY_QUESTION, True)] + [
            (q, False) for q in OFF_TOPIC
        ]
        assert all(r.top_passage_id is None for r in rows[1:])
        async with harness.services.session_factory() as session:
            unanswered = await QuestionRepository(session).unanswered()
        assert [r.query for r in unanswered] == list(reversed(OFF_TOPIC))


async def test_example_button_answers_the_example(make_bot) -> None:
    async with make_bot() as harness:
        user = harness.user(USER_ID)
        reply = await ask(harness, user, OFF_TOPIC[0])
        index = 2
        await press(harness, user, reply, reply.callback_data(EXAMPLES[index]))
        echo = await harness.emulator.wait_for_message(user.id)
        assert echo.plain_text == f"❓ {EXAMPLES[index]}"
        answer = await harness.emulator.wait_for_message(user.id)
        assert_html_ok(answer)
        top = expected_answer(harness, EXAMPLES[index]).answer.hits[0]
        assert answer.plain_text.startswith(f"要点：{top.highlight}") or answer.plain_text.startswith("📌")
        assert f"出处：{citation(top.source, top.section)}" in answer.plain_text
        rows = await all_questions(harness)
        assert [(r.query, r.answered) for r in rows] == [(OFF_TOPIC[0], False), (EXAMPLES[index], True)]
