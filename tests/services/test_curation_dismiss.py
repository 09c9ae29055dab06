"""/unanswered's 忽略: an administrator dismisses a group of questions, which leaves the list; the same question
asked again later brings the group back with only the new askings; a press on a group gone already, and anyone
else's press, change nothing (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from handlers.services.clock import FixedClock
from handlers.services.curation import CurationService
from storage.models import QuestionLog
from storage.repositories import QuestionRepository
from tests.services.supervision_world import ADMIN, ADMINS, SEC_A, T0

NOW = T0 + timedelta(days=1)


async def _ask(factory, query: str, at, answered: bool = False) -> int:
    async with factory() as session, session.begin():
        row = await QuestionRepository(session).add(
            query=query, answered=answered, created_at=at, user_id=SEC_A
        )
        return row.id


async def _dismissed(factory) -> dict[int, bool]:
    async with factory() as session:
        rows = await session.execute(select(QuestionLog.id, QuestionLog.dismissed_at))
        return {i: at is not None for i, at in rows}


def _result(result) -> tuple[str, str, int]:
    return result.status, result.text, result.count


def _listed(groups) -> list[tuple[str, int]]:
    return [(g.text, g.count) for g in groups]


async def test_a_dismissed_group_leaves_the_list_until_asked_again(session_factory, tmp_path):
    clock = FixedClock(NOW)
    curation = CurationService(session_factory, clock, ADMINS, tmp_path / "kb")
    canteen = await _ask(session_factory, "公司食堂的菜单怎么定", T0)
    again = await _ask(session_factory, "公司食堂的菜单如何定？", T0 + timedelta(minutes=1))
    await _ask(session_factory, "年终奖怎么发放", T0 + timedelta(minutes=2))
    assert _listed(await curation.unanswered()) == [("公司食堂的菜单怎么定", 2), ("年终奖怎么发放", 1)]

    # Any question of the group names it: the second asking here.
    assert _result(await curation.dismiss(ADMIN, again)) == ("ok", "公司食堂的菜单怎么定", 2)
    assert _listed(await curation.unanswered()) == [("年终奖怎么发放", 1)]
    assert (await _dismissed(session_factory))[canteen] is True

    # A double press, or the button of an older list: the group is gone, nothing fails, nothing changes.
    assert _result(await curation.dismiss(ADMIN, canteen)) == ("gone", "", 0)
    assert _result(await curation.dismiss(ADMIN, 999_999)) == ("gone", "", 0)
    assert _listed(await curation.unanswered()) == [("年终奖怎么发放", 1)]

    # Asked again (a similar wording): listed again, counting only the new asking.
    clock.advance(timedelta(days=3))
    await _ask(session_factory, "公司食堂菜单怎么定", clock.now())
    assert _listed(await curation.unanswered()) == [("公司食堂菜单怎么定", 1), ("年终奖怎么发放", 1)]


async def test_only_an_administrator_dismisses(session_factory, tmp_path):
    curation = CurationService(session_factory, FixedClock(NOW), ADMINS, tmp_path / "kb")
    asked = await _ask(session_factory, "公司食堂的菜单怎么定", T0)
    assert _result(await curation.dismiss(SEC_A, asked)) == ("forbidden", "", 0)
    assert await _dismissed(session_factory) == {asked: False}
    assert _listed(await curation.unanswered()) == [("公司食堂的菜单怎么定", 1)]


async def test_the_group_is_found_in_the_window_it_was_listed_for(session_factory, tmp_path):
    """A button of /unanswered 30 finds the group as the last 30 days group it, and dismisses the older askings of
    the same question with it (全部 would list them); 恢复 from 已忽略 30 brings them all back."""
    clock = FixedClock(NOW + timedelta(days=60))
    curation = CurationService(session_factory, clock, ADMINS, tmp_path / "kb")
    old = await _ask(session_factory, "公司食堂的菜单怎么定", T0)
    new = await _ask(session_factory, "公司食堂的菜单怎么定", clock.now() - timedelta(days=1))
    since = clock.now() - timedelta(days=30)
    assert _result(await curation.dismiss(ADMIN, old, since)) == ("gone", "", 0)  # not listed in that window
    bonus = await _ask(session_factory, "年终奖怎么发放", T0)  # another question, older: left alone
    assert _result(await curation.dismiss(ADMIN, new, since)) == ("ok", "公司食堂的菜单怎么定", 2)
    assert await _dismissed(session_factory) == {old: True, new: True, bonus: False}
    assert _listed(await curation.unanswered()) == [("年终奖怎么发放", 1)]  # 全部 no longer shows the old one
    assert _listed(await curation.dismissed(since)) == [("公司食堂的菜单怎么定", 1)]
    assert _result(await curation.restore(ADMIN, new, since)) == ("ok", "公司食堂的菜单怎么定", 2)
    assert await _dismissed(session_factory) == {old: False, new: False, bonus: False}


async def test_dismissed_groups_are_listed_and_restored(session_factory, tmp_path):
    """/unanswered 已忽略: the dismissed groups; 恢复 puts one back on the list, once; anyone else changes nothing."""
    curation = CurationService(session_factory, FixedClock(NOW), ADMINS, tmp_path / "kb")
    canteen = await _ask(session_factory, "公司食堂的菜单怎么定", T0)
    await _ask(session_factory, "公司食堂的菜单如何定？", T0 + timedelta(minutes=1))
    bonus = await _ask(session_factory, "年终奖怎么发放", T0 + timedelta(minutes=2))
    assert _listed(await curation.dismissed()) == []
    assert _result(await curation.restore(ADMIN, canteen)) == ("gone", "", 0)  # not dismissed
    await curation.dismiss(ADMIN, canteen)
    await curation.dismiss(ADMIN, bonus)
    assert _listed(await curation.dismissed()) == [("公司食堂的菜单怎么定", 2), ("年终奖怎么发放", 1)]
    assert _listed(await curation.unanswered()) == []

    assert _result(await curation.restore(SEC_A, canteen)) == ("forbidden", "", 0)
    assert _result(await curation.restore(ADMIN, canteen)) == ("ok", "公司食堂的菜单怎么定", 2)
    assert _result(await curation.restore(ADMIN, canteen)) == ("gone", "", 0)  # a double press
    assert _listed(await curation.dismissed()) == [("年终奖怎么发放", 1)]
    assert _listed(await curation.unanswered()) == [("公司食堂的菜单怎么定", 2)]
    assert (await _dismissed(session_factory))[canteen] is False
