"""A photo's caption in the form (helper-84's review: dropped without a word): at 主题 or 地点 the caption is the
answer and the photo is not kept; where a file is taken or refused, the reply says the caption was not saved."""

from __future__ import annotations

from handlers.tg.forms import CAPTION_TAKEN, CAPTION_UNUSED
from tests.tg.forms_world import ALICE, Chat, Form, jpeg, make_secretary, records


async def form_at(harness, step: str) -> tuple[Chat, Form]:
    """Alice, a secretary, with a 支部委员会 form answered up to and including ``step``."""
    alice = Chat(harness, harness.user(ALICE, "Alice"))
    await make_secretary(harness, alice.user)
    form = Form(alice, "committee")
    await form.run(step)
    return alice, form


async def test_a_caption_at_the_topic_step_is_the_topic(make_bot) -> None:
    async with make_bot() as harness:
        alice, form = await form_at(harness, "date")
        alice.user.send_photo(caption="学习贯彻党的二十大精神", content=jpeg(7))
        reply = await alice.reply()
        assert reply.plain_text.startswith(CAPTION_TAKEN + "【支部委员会】活动地点在哪里？"), reply.plain_text
        form.topic = "学习贯彻党的二十大精神"
        form.prompt = reply
        form.done.append("topic")
        await form.run("confirm")
        (record,) = await records(harness)
        assert record.topic == "学习贯彻党的二十大精神"


async def test_a_caption_on_a_photo_taken_is_said_unsaved(make_bot) -> None:
    async with make_bot() as harness:
        alice, _ = await form_at(harness, "minutes")
        alice.user.send_photo(caption="会场全景", content=jpeg(8))
        reply = await alice.reply()
        assert reply.plain_text.startswith("已收到 1 张照片。"), reply.plain_text
        assert reply.plain_text.endswith(CAPTION_UNUSED.strip()), reply.plain_text
