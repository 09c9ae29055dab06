"""支部委员会 typed at the activity menu starts that form (it was refused: 请点击下面的按钮)."""

from __future__ import annotations

import pytest

from handlers.services.clock import FixedClock
from tests.tg.forms_world import ALICE, START, Chat, make_secretary

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def test_a_typed_kind_name_chooses_it(make_bot, clock: FixedClock) -> None:
    async with make_bot(clock=clock) as harness:
        chat = Chat(harness, harness.user(ALICE, "王书记"))
        await make_secretary(harness, chat.user)
        await chat.send("/submit")
        prompt = await chat.send("支委会")
        assert prompt.plain_text.startswith("【支部委员会】活动是哪天开展的？"), prompt.plain_text
        assert (await chat.data())["kind"] == "committee"
        assert await chat.step() == "date"
