"""Our SQLAlchemy persistence: user_data (follow-up inputs) survives a restart; both databases."""

from __future__ import annotations

from datetime import datetime

from bot.persistence import SQLAlchemyPersistence
from handlers.services.clock import SHANGHAI, FixedClock

ADMIN = 7001


async def test_round_trip_on_both_databases(session_factory):
    persistence = SQLAlchemyPersistence(
        session_factory, FixedClock(datetime(2026, 11, 22, 10, tzinfo=SHANGHAI))
    )
    await persistence.update_user_data(42, {"pending": {"kind": "amend", "record_id": 3, "value": "新主题"}})
    await persistence.update_chat_data(42, {"note": "中文"})
    await persistence.update_conversation("form", (42, 42), "topic")
    assert await persistence.get_user_data() == {
        42: {"pending": {"kind": "amend", "record_id": 3, "value": "新主题"}}
    }
    assert await persistence.get_chat_data() == {42: {"note": "中文"}}
    assert await persistence.get_conversations("form") == {(42, 42): "topic"}

    await persistence.update_user_data(42, {})
    assert await persistence.get_user_data() == {42: {}}
    await persistence.drop_user_data(42)
    await persistence.drop_chat_data(42)
    await persistence.update_conversation("form", (42, 42), None)
    assert await persistence.get_user_data() == {}
    assert await persistence.get_chat_data() == {}
    assert await persistence.get_conversations("form") == {}
    assert await persistence.get_bot_data() == {}  # services live there: never persisted


async def test_a_follow_up_survives_a_restart(make_bot):
    """An admin names the organisation, the bot restarts, the admin goes on with the branch name."""
    async with make_bot(BRANCHBOT_ADMIN_IDS=str(ADMIN)) as first:
        admin = first.user(ADMIN, "管理员")
        admin.send_text("/newbranch")
        await first.emulator.wait_for_message(ADMIN)
        admin.send_text("某科技有限公司")
        reply = await first.emulator.wait_for_message(ADMIN)
        assert "支部名称" in reply.plain_text
    async with make_bot(BRANCHBOT_ADMIN_IDS=str(ADMIN)) as second:
        admin = second.user(ADMIN, "管理员")
        admin.send_text("某科技有限公司党支部")
        reply = await second.emulator.wait_for_message(ADMIN)
        assert "组织形式" in reply.plain_text, reply.plain_text
