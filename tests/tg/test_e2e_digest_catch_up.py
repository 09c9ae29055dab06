"""After an outage the administrator gets the digest that went out of date while the bot was down, once, labelled
补发 with the periods it holds (an earlier reviewer's finding: December's digest, with the fourth quarter's and
the year's summaries, was skipped for good). The real application through the Bot API emulator, a fixed clock,
SQLite and PostgreSQL; and the message itself."""

from __future__ import annotations

from datetime import datetime

from handlers.services.clock import SHANGHAI, FixedClock
from handlers.services.reminders import Digest, DigestBranch, DigestPeriod
from handlers.tg.render_digest import digest_html
from knowledge.activities import Cadence
from tests.emulator import parse_html
from tests.tg.forms_world import Chat
from tests.tg.test_e2e_reminders import ADMIN, ALICE, bot_options, join, tick

JOINED = datetime(2026, 11, 2, 10, tzinfo=SHANGHAI)
NOVEMBERS = datetime(2026, 12, 1, 9, tzinfo=SHANGHAI)  # November's digest is due
BACK = datetime(
    2027, 2, 5, 9, tzinfo=SHANGHAI
)  # down since 2 December: December's went out of date on 1 February


def digests(bot, admin: Chat) -> list[str]:
    return [m.plain_text for m in bot.emulator.messages(admin.id) if "活动情况汇总" in (m.plain_text or "")]


async def test_the_missed_year_end_digest_comes_once_after_a_restart(make_bot, db_url) -> None:
    clock = FixedClock(JOINED)
    options = bot_options(clock, db_url, admin=True)
    async with make_bot(**options) as bot:
        admin = Chat(bot, bot.user(ADMIN, "管理员"))
        await join(bot, ALICE)
        await tick(bot, NOVEMBERS)
        await bot.emulator.wait_for_message(ADMIN, lambda m: "2026年11月活动情况汇总" in m.plain_text)
    clock.current = BACK
    async with make_bot(**options) as bot:  # the bot comes back on 5 February
        await tick(bot)
        catch_up = await bot.emulator.wait_for_message(ADMIN, lambda m: "补发" in m.plain_text)
        await bot.emulator.wait_for_message(ADMIN, lambda m: "2027年1月活动情况汇总" in m.plain_text)
        lines = catch_up.plain_text.splitlines()
        assert lines[0] == "📊 补发：2026年12月、2026年第四季度、2026年度活动情况汇总"
        assert "未能按时发送，现补发" in lines[1]
        text = catch_up.plain_text
        assert "2026年第四季度（季度活动）：共 1 个支部，0 个全部完成，1 个未完成：" in text
        assert "2026年度（年度活动）：共 1 个支部" in text
        assert (await tick(bot)).sent == 0
    clock.current = datetime(2027, 2, 8, 9, tzinfo=SHANGHAI)
    async with make_bot(**options) as bot:  # and after another restart: never twice
        assert (await tick(bot)).sent == 0
        admin = Chat(bot, bot.user(ADMIN, "管理员"))
        assert [text.splitlines()[0] for text in digests(bot, admin)] == [
            "📊 2026年11月活动情况汇总",
            "📊 补发：2026年12月、2026年第四季度、2026年度活动情况汇总",
            "📊 2027年1月活动情况汇总",
        ]


def test_a_catch_up_names_the_months_it_does_not_repeat() -> None:
    entry = DigestBranch(1, "第一党支部", "某公司", ("assembly",), (), True, False)
    periods = (
        DigestPeriod(Cadence.MONTHLY, "2027-01", "2027年1月", 1, 1, ()),
        DigestPeriod(Cadence.QUARTERLY, "2026-Q4", "2026年第四季度", 1, 0, (entry,)),
    )
    digest = Digest("2027-01", periods, (), catch_up=True, left_out=("2026-10", "2026-11", "2026-12"))
    plain, _ = parse_html(digest_html(Digest.from_json(digest.to_json()), SHANGHAI))  # stored and read back
    lines = plain.splitlines()
    assert lines[0] == "📊 补发：2027年1月、2026年第四季度活动情况汇总"
    assert lines[2] == "2026年10月至2026年12月的月度汇总不再逐月补发，发送 /status 2026-10 等可查看。"
    assert "• 某公司 · 第一党支部：缺 党员大会" in lines
    one = Digest("2027-01", periods, (), catch_up=True, left_out=("2026-12",))
    assert "2026年12月的月度汇总不再逐月补发" in digest_html(one, SHANGHAI)
