"""/start, /help, an unknown command, and /topics browsing the speeches in place (a double tap and forged buttons
too)."""

from __future__ import annotations

from handlers.tg.common import NEWCOMER_WELCOME, STRANGER_HELP, UNKNOWN_COMMAND
from handlers.tg.render import EXAMPLES
from handlers.tg.topics import STALE
from knowledge.render import citation
from tests.emulator import SentMessage
from tests.tg.test_e2e_qa import USER_ID, all_questions, ask, assert_answers_normally, assert_html_ok, press


async def test_start_help_and_unknown_command(make_bot) -> None:
    async with make_bot() as harness:
        user = harness.user(USER_ID)
        welcome = await ask(harness, user, "/start")
        assert welcome.text == NEWCOMER_WELCOME
        assert welcome.button_texts == list(EXAMPLES)
        assert [b["callback_data"] for b in welcome.buttons] == [f"qa:ex:{i}" for i in range(len(EXAMPLES))]

        # A button of the welcome answers its example.
        await press(harness, user, welcome, "qa:ex:0")
        assert (await harness.emulator.wait_for_message(user.id)).plain_text == f"❓ {EXAMPLES[0]}"
        assert "要点：" in (await harness.emulator.wait_for_message(user.id)).plain_text

        help_reply = await ask(harness, user, "/help")
        assert help_reply.text == STRANGER_HELP  # no branch, no role: asking, /topics, how to join
        assert_html_ok(help_reply)
        assert "/topics" in help_reply.plain_text and "/submit" in help_reply.plain_text

        for command in ("/nosuchcommand", "/Topics_x", "/foo@branchbot_test_bot"):
            reply = await ask(harness, user, command)
            assert reply.text == UNKNOWN_COMMAND, command
            assert "没有这个命令" in reply.plain_text
        # Commands are not questions: only the example was logged.
        assert [r.query for r in await all_questions(harness)] == [EXAMPLES[0]]


async def test_topics_browse_in_place(make_bot) -> None:
    async with make_bot() as harness:
        emulator = harness.emulator
        kb = harness.services.kb
        toc = kb.toc()
        user = harness.user(USER_ID)

        menu = await ask(harness, user, "/topics")
        assert menu.kind == "send"
        assert_html_ok(menu)
        assert [b["callback_data"] for b in menu.buttons] == [f"toc:d:{i}" for i in range(len(toc))]
        mid = menu.message_id

        async def tap(data: str) -> SentMessage:
            answer = await press(harness, user, mid, data)
            assert not answer.get("show_alert"), data
            edit = await emulator.wait_for_message(user.id)
            assert edit.kind == "edit_text" and edit.message_id == mid, data
            assert_html_ok(edit)
            return edit

        for d, doc in enumerate(toc):
            sections = await tap(f"toc:d:{d}")
            assert doc.title in sections.plain_text
            assert [b["callback_data"] for b in sections.buttons] == [
                *(f"toc:s:{d}:{j}" for j in range(len(doc.sections))),
                "toc:root",
            ]
            for j, section in enumerate(doc.sections):
                passages = await tap(f"toc:s:{d}:{j}")
                assert section.title in passages.plain_text
                datas = [b["callback_data"] for b in passages.buttons]
                assert datas == [*(f"toc:p:{d}:{j}:{pid}" for pid in section.passage_ids), f"toc:d:{d}"]
                if section.title == "结束语":  # the closing paragraph is no lead-in (helper-95's review)
                    labels = [b["text"] for b in passages.buttons[:-1]]
                    assert labels and all(t.startswith("结语：同志们") for t in labels), labels

                pid = section.passage_ids[-1]
                passage = kb.passage(pid)
                shown = await tap(f"toc:p:{d}:{j}:{pid}")
                assert shown.plain_text == (
                    f"{passage.text}\n\n出处：{citation(passage.source, passage.section)}"
                )
                assert [b["callback_data"] for b in shown.buttons] == [f"toc:s:{d}:{j}"]

                back = await tap(f"toc:s:{d}:{j}")
                assert back.plain_text == passages.plain_text
                assert back.inline_keyboard == passages.inline_keyboard
                # "« 返回章节" back to the sections, for the next one.
                again = await tap(f"toc:d:{d}")
                assert again.plain_text == sections.plain_text
            root = await tap("toc:root")
            assert root.plain_text == menu.plain_text
            assert root.inline_keyboard == menu.inline_keyboard

        assert all(m.message_id == mid for m in emulator.messages(user.id))


async def test_topics_double_tap_and_forged_callbacks(make_bot) -> None:
    async with make_bot() as harness:
        emulator = harness.emulator
        user = harness.user(USER_ID)
        menu = await ask(harness, user, "/topics")
        await press(harness, user, menu, "toc:d:0")
        await emulator.wait_for_message(user.id)
        # The same button again: "message is not modified" is swallowed.
        answer = await press(harness, user, menu.message_id, "toc:d:0", check=False)
        assert not answer.get("show_alert")

        forged = ("toc:d:99", "toc:p:0:0:99999", "toc:s:0:999", "toc:d:-1", "toc:", "toc:x:1", "toc:d:abc")
        for data in forged:
            answer = await press(harness, user, menu.message_id, data, check=False)
            assert answer.get("show_alert") is True, data
            assert answer.get("text") == STALE, data
        await emulator.idle(timeout=3, quiet=0.2)
        await emulator.expect_no_message(user.id, within=0.1)
        assert harness.errors == []
        await assert_answers_normally(harness, user)
