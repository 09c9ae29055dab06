"""The Telegram side of reminders without the emulator: wording and escaping, button data, PTB's errors mapped
to what the sender does, and the rate shared between the broadcast and replies."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from handlers.services.clock import SHANGHAI
from handlers.services.reminders import (
    Audience,
    Blocked,
    CadenceStatus,
    DeliveryView,
    Digest,
    DigestBranch,
    DigestPeriod,
    KindState,
    KindStatus,
    ReminderStatus,
    Transient,
    UnreachableBranch,
)
from handlers.services.reminders import RetryAfter as PauseFor
from handlers.tg.callbacks import ReminderButton, decode_reminder, encode_reminder
from handlers.tg.messenger import (
    BROADCAST,
    SharedRateLimiter,
    TrafficWindow,
    delivery_error,
)
from handlers.tg.render_digest import MAX_MESSAGE, digest_html
from handlers.tg.render_reminders import (
    reminder_html,
    reminder_markup,
    status_html,
    status_markup,
)
from knowledge.activities import Cadence
from knowledge.schedule import Stage
from tests.emulator import parse_html


def view(**overrides) -> DeliveryView:
    values = {
        "id": 1,
        "audience": Audience.BRANCH,
        "chat_id": 1001,
        "branch_id": 7,
        "branch_name": "<b>某&某</b>党支部",
        "cadence": Cadence.MONTHLY,
        "period": "2026-06",
        "period_label": "2026年6月",
        "deadline": date(2026, 6, 30),
        "stage": Stage.LAST,
        "kinds": ("theme_day", "committee"),
        "kind_names": ("主题党日", "支部委员会"),
        "cites": ("每月开展一次“主题党日”活动", "认真落实“三会一课”"),
        "attempt": 1,
    }
    values.update(overrides)
    return DeliveryView(**values)


def test_a_reminder_is_escaped_html_with_one_quote_and_a_button_per_kind(kb) -> None:
    html = reminder_html(view(), kb)
    plain, _ = parse_html(html)  # the emulator's strict parser: nothing left unescaped
    lines = plain.splitlines()
    assert lines[0] == "⚠️ 最后提醒：2026年6月即将截止（<b>某&某</b>党支部）"
    assert lines[2:4] == ["• 主题党日", "• 支部委员会"]
    quotes = [line for line in lines if line.startswith("📖")]
    assert len(quotes) == 1 and "每月开展一次“主题党日”活动" in quotes[0] and "《" in quotes[0]
    data = [b.callback_data for row in reminder_markup(view()).inline_keyboard for b in row]
    assert data == ["rm:new:theme_day:2026-06", "rm:new:committee:2026-06", "rm:settings"]
    assert all(len(d.encode()) <= 64 for d in data)


def test_a_returned_kind_is_said_so_and_its_button_opens_the_returned_record(kb) -> None:
    mixed = view(returned=(("committee", 42),))
    plain, _ = parse_html(reminder_html(mixed, kb))
    lines = plain.splitlines()
    assert lines[1] == "本月以下活动还没有完成登记，请在6月30日前登记，或修改退回的记录后重新提交："
    assert lines[2:4] == ["• 主题党日", "• 支部委员会（已退回，请修改后重新提交）"]
    assert "点下方按钮登记或修改退回的记录；" in plain
    buttons = [(b.text, b.callback_data) for row in reminder_markup(mixed).inline_keyboard for b in row]
    # r:open:<id> is the /records button, served by handlers.tg.records: the record's view and its amend buttons.
    assert buttons == [
        ("📝 登记主题党日", "rm:new:theme_day:2026-06"),
        ("✏️ 修改退回的支部委员会", "r:open:42"),
        ("⚙️ 提醒设置", "rm:settings"),
    ]
    only = view(kinds=("committee",), kind_names=("支部委员会",), returned=(("committee", 42),))
    plain, _ = parse_html(reminder_html(only, kb))
    assert plain.splitlines()[1] == "本月以下活动的记录已被退回，请在6月30日前修改并重新提交："


def test_status_shows_a_returned_kind_with_a_button_to_its_record() -> None:
    kinds = (
        KindStatus("theme_day", "主题党日", KindState.DONE),
        KindStatus("committee", "支部委员会", KindState.RETURNED, returned_id=42),
        KindStatus("group_meeting", "党小组会", KindState.MUTED, "联合开展", None, returned_id=43),
        KindStatus("joint_study", "联学", KindState.MISSING),
    )
    month = CadenceStatus(Cadence.MONTHLY, "2026-06", "2026年6月", date(2026, 6, 30), kinds, None, None, None)
    status = ReminderStatus(7, "第一党支部", 9, True, True, (month,), None)
    plain, _ = parse_html(status_html(status, SHANGHAI, date(2026, 6, 10)))
    assert "↩️ 支部委员会（已退回，待修改）" in plain.splitlines()
    assert "🔕 党小组会（免提醒：联合开展；直到取消；记录已退回，待修改）" in plain.splitlines()
    assert "⬜ 联学" in plain.splitlines()
    buttons = [[(b.text, b.callback_data) for b in row] for row in status_markup(status).inline_keyboard]
    assert [("✏️ 修改支部委员会", "r:open:42"), ("🔕 免提醒", "rm:mute:committee")] in buttons


def test_status_marks_a_kind_waiting_for_review_and_says_all_done_only_when_all_passed() -> None:
    def plain_of(*states: KindState) -> list[str]:
        kinds = tuple(KindStatus(f"k{n}", f"活动{n}", state) for n, state in enumerate(states))
        month = CadenceStatus(
            Cadence.MONTHLY, "2026-06", "2026年6月", date(2026, 6, 30), kinds, None, None, None
        )
        plain, _ = parse_html(
            status_html(
                ReminderStatus(7, "支部", 9, True, False, (month,), None), SHANGHAI, date(2026, 6, 10)
            )
        )
        return plain.splitlines()

    lines = plain_of(KindState.DONE, KindState.WAITING)
    assert "✅ 活动0" in lines and "⏳ 活动1（已提交，待审核）" in lines
    assert "本期已全部提交，待审核 ⏳" in lines and "本期已全部完成 👍" not in lines
    lines = plain_of(KindState.DONE, KindState.DONE)
    assert "本期已全部完成 👍" in lines and "本期已全部提交，待审核 ⏳" not in lines
    lines = plain_of(KindState.WAITING, KindState.MISSING)
    assert not {"本期已全部完成 👍", "本期已全部提交，待审核 ⏳"} & set(lines)


def test_a_reminder_without_the_knowledge_base_still_goes_out() -> None:
    class Broken:
        def find(self, phrase):
            raise RuntimeError("swapping")

    plain, _ = parse_html(reminder_html(view(stage=Stage.OPEN), Broken()))
    assert plain.startswith("📋 2026年6月待完成") and "📖" not in plain


def test_button_data_round_trips_and_rejects_forgeries() -> None:
    for button in (ReminderButton("new", "lecture"), ReminderButton("hour", hour=20), ReminderButton("menu")):
        assert decode_reminder(encode_reminder(button)) == button
    for forged in (
        "rm:new:nothing",
        "rm:hour:7",
        "rm:hour:21",
        "rm:mute:review:x",
        "rm:menu:1",
        "rm:",
        "rm:new",
    ):
        assert decode_reminder(forged) is None, forged


def test_a_digest_marks_a_returned_kind() -> None:
    entry = DigestBranch(1, "第一党支部", "某公司", ("assembly", "lecture"), (), True, False, ("assembly",))
    period = DigestPeriod(Cadence.QUARTERLY, "2026-Q2", "2026年第二季度", 1, 0, (entry,))
    plain, _ = parse_html(digest_html(Digest("2026-06", (period,), ()), SHANGHAI))
    assert "• 某公司 · 第一党支部：缺 党员大会（已退回）、党课" in plain.splitlines()


def test_a_digest_marks_a_branch_created_within_the_period() -> None:
    """helper-85's review: a branch created on 30 June read as failing all of June and the second quarter."""
    entry = DigestBranch(2, "新党支部", "某公司", ("theme_day",), (), True, False, (), "2026-06-30")
    period = DigestPeriod(Cadence.MONTHLY, "2026-06", "2026年6月", 1, 0, (entry,))
    digest = Digest("2026-06", (period,), ())
    plain, _ = parse_html(digest_html(Digest.from_json(digest.to_json()), SHANGHAI))  # stored and read back
    assert "• 某公司 · 新党支部（6月30日新建）：缺 主题党日" in plain.splitlines()


def test_a_long_digest_is_cut_to_one_message() -> None:
    branches = tuple(
        DigestBranch(
            i, f"第{i}党支部<>", "某&公司", ("theme_day",), (("committee", "联合<开展>"),), True, i % 2 == 0
        )
        for i in range(1, 400)
    )
    period = DigestPeriod(Cadence.MONTHLY, "2026-06", "2026年6月", 500, 101, branches)
    since = datetime(2026, 6, 1, 1, tzinfo=SHANGHAI)
    digest = Digest("2026-06", (period,), (UnreachableBranch(3, "第3党支部", "某&公司", since),))
    html = digest_html(digest, SHANGHAI)
    plain, _ = parse_html(html)
    assert len(html) <= MAX_MESSAGE + 100
    assert plain.startswith("📊 2026年6月活动情况汇总")
    assert "共 500 个支部，101 个全部完成，399 个未完成：" in plain
    assert "• 某&公司 · 第1党支部<>：缺 主题党日（🔕 免提醒 支部委员会：联合<开展>）" in plain
    assert "• 某&公司 · 第3党支部（自 6月1日）" in plain.splitlines()  # the unreachable: never crowded out
    assert plain.rstrip().endswith("未列出的：发送 /status 2026-06 查看全部支部的完成情况。")


def test_a_digest_says_how_many_complete_branches_still_wait_for_review() -> None:
    period = DigestPeriod(Cadence.MONTHLY, "2026-06", "2026年6月", 2, 2, (), waiting=1)
    plain, _ = parse_html(digest_html(Digest("2026-06", (period,), ()), SHANGHAI))
    assert "共 2 个支部，2 个全部完成（其中 1 个尚有记录待审核）。" in plain


@pytest.mark.parametrize(
    ("error", "expected", "reason"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), Blocked, "403 forbidden"),
        (BadRequest("Chat not found"), Blocked, "400 chat not found"),
        (BadRequest("Can't parse entities: secret user text"), Transient, "400 bad request"),
        (TimedOut(), Transient, "timeout"),
        (NetworkError("Internal Server Error (500)"), Transient, "network error or 5xx"),
    ],
)
def test_telegram_errors_become_what_the_sender_does(error, expected, reason) -> None:
    mapped = delivery_error(error)
    assert type(mapped) is expected and mapped.reason == reason  # never Telegram's text


def test_429_becomes_a_pause() -> None:
    mapped = delivery_error(RetryAfter(3))
    assert isinstance(mapped, PauseFor) and mapped.seconds == 3


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_window_keeps_the_replies_share_and_spaces_the_broadcast() -> None:
    time = FakeTime()
    window = TrafficWindow(30, 25, monotonic=time)

    def start(broadcast: bool) -> None:
        assert window.delay(broadcast) == 0
        asyncio.run(window.acquire(broadcast))  # no wait: returns at once

    for _ in range(3):
        start(True)  # after an idle spell, CATCH_UP more may go at once
    assert window.delay(True) == pytest.approx(0.04)  # then evenly spaced: one every 40 ms
    for _ in range(22):
        time.now += window.delay(True)
        start(True)
    time.now += 0.04
    assert window.delay(True) > 0  # 25 in the last second: the broadcast's share is used up
    for _ in range(5):
        start(False)  # replies still have theirs, at once
    assert window.delay(False) > 0  # 30 in the window: nobody more
    time.now += 1.0
    assert window.delay(True) == 0 and window.delay(False) == 0


async def test_broadcast_requests_skip_the_limiters_retries_and_replies_are_counted() -> None:
    limiter = SharedRateLimiter(broadcast=25)
    calls = []

    async def fails(*args, **kwargs):
        calls.append(args)
        raise RetryAfter(1)

    with pytest.raises(RetryAfter):  # straight back to the sender, which pauses the broadcast itself
        await limiter.process_request(fails, ("b",), {}, "sendMessage", {"chat_id": 1}, BROADCAST)
    assert len(calls) == 1 and limiter.window._broadcasts == 1

    async def ok(*args, **kwargs):
        return {"ok": True}

    started = asyncio.get_running_loop().time()
    for _ in range(5):
        await limiter.process_request(ok, (), {}, "sendMessage", {"chat_id": 2}, None)
    assert asyncio.get_running_loop().time() - started < 0.2 and len(limiter.window._starts) == 6
