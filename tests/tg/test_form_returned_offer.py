"""/submit for a kind whose record this period was returned: the form says so and offers to open that record
(amend and resubmit) before the user records the same activity twice; another kind, or the previous period's
returned record, gets the plain prompt."""

from __future__ import annotations

from tests.tg.forms_world import Chat
from tests.tg.test_e2e_reminders import JULY_1, bot_options, clock, committee_submitted, return_record

__all__ = ["clock"]  # the fixed clock fixture, 1 June 2026

NOTE = "提示：2026年6月的支部委员会记录已被退回，等待修改。"


async def returned_committee(bot) -> tuple[Chat, int]:
    alice, admin, rid = await committee_submitted(bot)
    await return_record(alice, admin, rid)
    return alice, rid


async def test_choosing_a_returned_kind_offers_the_record(make_bot, clock, db_url) -> None:
    async with make_bot(**bot_options(clock, db_url, admin=True)) as bot:
        alice, rid = await returned_committee(bot)
        menu = await alice.send("/submit")
        other = await alice.press(menu, "f:kind:theme_day")
        assert "已被退回" not in other.plain_text  # another kind: the plain date prompt
        await alice.send("/cancel")
        menu = await alice.send("/submit")
        prompt = await alice.press(menu, "f:kind:committee")
        assert prompt.plain_text.startswith(NOTE), prompt.plain_text
        assert "【支部委员会】活动是哪天开展的？" in prompt.plain_text
        assert f"r:open:{rid}" in [b["callback_data"] for b in prompt.buttons]
        alice.user.press(prompt, f"r:open:{rid}")
        reason = "退回意见：照片不清楚，请补充"
        view = await alice.emu.wait_for_message(alice.id, lambda m: reason in (m.plain_text or ""))
        assert any(b["callback_data"].startswith(f"r:amend:{rid}:") for b in view.buttons)


async def test_a_typed_kind_and_the_next_period(make_bot, clock, db_url) -> None:
    async with make_bot(**bot_options(clock, db_url, admin=True)) as bot:
        alice, rid = await returned_committee(bot)
        await alice.send("/cancel")
        chosen = await alice.send("/submit")
        typed = await alice.send("支委会")  # a kind typed at the menu
        assert typed.plain_text.startswith(NOTE), (chosen.plain_text, typed.plain_text)
        await alice.send("/cancel")
        await alice.send("/cancel")
        bot.services.clock.current = JULY_1  # July: June's returned record is not July's
        menu = await alice.send("/submit")
        prompt = await alice.press(menu, "f:kind:committee")
        assert "已被退回" not in prompt.plain_text
        assert f"r:open:{rid}" not in [b["callback_data"] for b in prompt.buttons]
