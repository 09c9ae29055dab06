"""What Telegram's failures mid-form leave the user with (helper-84's review): the step the form moved to is named
after an error, and a failed acknowledgement or button removal no longer skips the reply that matters."""

from __future__ import annotations

import pytest
from telegram.error import NetworkError

from handlers.tg.common import ERROR_TEXT, IN_FORM_AFTER_ERROR
from handlers.tg.transport import RETRY_DELAYS
from tests.tg.forms_world import ADMIN_ID, ALICE, Chat, Form, make_secretary, records


async def test_a_failed_prompt_is_named_in_the_error_and_the_retype_is_not_misfiled(make_bot) -> None:
    """The topic is saved and the form moves to 地点, but the place prompt fails three times: the apology names
    the step it waits at, so the topic is not typed again into 地点."""
    async with make_bot() as harness:
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        await make_secretary(harness, alice.user)
        form = Form(alice, "committee")
        await form.run("date")
        harness.emulator.fail_next("sendMessage", status=500, count=1 + len(RETRY_DELAYS))
        alice.user.send_text(form.topic)
        apology = await alice.reply(timeout=10)
        await harness.expect_error(NetworkError)
        assert apology.plain_text.startswith(ERROR_TEXT), apology.plain_text
        assert f"{IN_FORM_AFTER_ERROR}\n\n【支部委员会】活动地点在哪里？" in apology.plain_text
        form.prompt = apology
        form.done.append("topic")
        await form.run("confirm")
        (record,) = await records(harness)
        assert (record.topic, record.place) == (form.topic, form.place)


@pytest.mark.parametrize("status", [400, 500])
async def test_a_failed_acknowledgement_does_not_skip_the_receipt(make_bot, status: int) -> None:
    """✅ 确认提交 answered "query is too old" (400) or 500 three times: the record goes in and the receipt comes."""
    async with make_bot() as harness:
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        await make_secretary(harness, alice.user)
        form = Form(alice, "committee")
        summary = await form.run("summary")
        description = "Bad Request: query is too old and response timeout expired or query id is invalid"
        harness.emulator.fail_next(
            "answerCallbackQuery", status=status, count=1 + len(RETRY_DELAYS), description=description
        )
        alice.user.press(summary, "f:confirm")
        receipt = await alice.reply(timeout=10)
        assert receipt.plain_text.startswith("✅ 提交成功"), receipt.plain_text
        assert len(await records(harness)) == 1
        assert harness.errors == []


@pytest.mark.parametrize("fault", ["buttons", "confirmation"])
async def test_a_pass_reaches_the_secretary_when_the_reviewers_calls_fail(make_bot, fault: str) -> None:
    """通过: taking the notice's buttons off, or the reviewer's own confirmation, fails: the secretary is told."""
    async with make_bot(BRANCHBOT_ADMIN_IDS=str(ADMIN_ID)) as harness:
        admin = Chat(harness, harness.user(ADMIN_ID, "管理员"))
        alice = Chat(harness, harness.user(ALICE, "Alice"))
        await make_secretary(harness, alice.user)
        await Form(alice, "committee").run("confirm")
        record_id = (await records(harness))[-1].id
        notice = await admin.reply()
        method = "editMessageReplyMarkup" if fault == "buttons" else "sendMessage"
        harness.emulator.fail_next(method, status=500, count=1 + len(RETRY_DELAYS))
        admin.user.press(notice, f"rv:pass:{record_id}")
        told = await alice.emu.wait_for_message(
            alice.id, lambda m: "审核通过" in (m.plain_text or ""), timeout=10
        )
        assert told.plain_text.startswith("✅"), told.plain_text
        assert (await records(harness))[-1].review_state == "passed"
        if fault == "confirmation":
            await harness.expect_error(NetworkError)
