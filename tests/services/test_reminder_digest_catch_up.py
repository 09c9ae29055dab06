"""A digest whose month passed while the bot was down is caught up once (an earlier reviewer's finding: it was
skipped as out of date, and with it the quarter's and the year's summary, for good).

2026-12-01 (Tuesday) 09:00: November's digest. 2027-01-04 (Monday; 1 January is a holiday) 09:00: December's,
with the fourth quarter and the year. 2027-02-01 (Monday) 09:00: January's. 2027-03-01 (Monday): February's.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from handlers.services.clock import FixedClock
from handlers.services.reminders import Audience, ReminderPlanner
from storage.models import ReminderDelivery
from tests.services.reminder_world import T0, FakeMessenger, FakeTime, add_branch, make_sender, sh

ADMIN = 900


class World:
    """A planner and a sender over one database; ``restart()`` makes new ones, as a new process would."""

    def __init__(self, session_factory, admins=(ADMIN,)) -> None:
        self.session_factory = session_factory
        self.admins = admins
        self.time = FakeTime()
        self.messenger = FakeMessenger(self.time)
        self.restart()

    def restart(self) -> None:
        self.planner = ReminderPlanner(self.session_factory, FixedClock(T0), admin_ids=self.admins)
        self.sender = make_sender(self.session_factory, self.messenger, self.time)

    async def run(self, at: datetime) -> None:
        await self.planner.plan(at)
        await self.sender.send_due(at)

    def digests(self, admin: int = ADMIN) -> list[tuple[str, bool, list[str], tuple[str, ...]]]:
        """(row's month, catch-up?, the periods it holds, the months it leaves out), in the order sent."""
        return [
            (
                c.view.period,
                getattr(d, "catch_up", False),
                [p.period for p in d.periods],
                getattr(d, "left_out", ()),
            )
            for c in self.messenger.delivered
            if c.view.audience is Audience.ADMIN and c.chat_id == admin and (d := c.view.digest) is not None
        ]


async def digest_rows(session_factory) -> list[tuple[int, str, str, str | None]]:
    async with session_factory() as session:
        rows = await session.scalars(
            select(ReminderDelivery).where(ReminderDelivery.audience == "admin").order_by(ReminderDelivery.id)
        )
        return [(r.target_id, r.period, r.status, r.last_error) for r in rows]


async def test_the_year_end_digest_missed_in_an_outage_is_sent_once_after_it(session_factory):
    await add_branch(session_factory, "甲支部", 1001)
    world = World(session_factory)
    await world.run(sh(2026, 12, 1, 9))  # November's, on time
    # Down from 2 December to 5 February: December's digest (with Q4 and the year) was due on 4 January and
    # went out of date on 1 February, when January's came due.
    await world.run(sh(2027, 2, 5, 9))
    assert world.digests() == [
        ("2026-11", False, ["2026-11"], ()),
        ("2026-12", True, ["2026-12", "2026-Q4", "2026"], ()),  # the catch-up, first
        ("2027-01", False, ["2027-01"], ()),
    ]
    # Never twice: not a minute later, not a week later, not after a restart.
    await world.run(sh(2027, 2, 5, 9, 1))
    world.restart()
    await world.run(sh(2027, 2, 12, 9))
    assert len(world.digests()) == 3
    assert [r[:3] for r in await digest_rows(session_factory)] == [
        (ADMIN, "2026-11", "sent"),
        (ADMIN, "2026-12", "sent"),
        (ADMIN, "2027-01", "sent"),
    ]


async def test_several_missed_months_make_one_catch_up_that_keeps_every_quarter_and_year(session_factory):
    """Down from October to March: one catch-up (January's month, the fourth quarter, the year 2026; October to
    December named, not repeated), then February's as usual; not five digests."""
    await add_branch(session_factory, "甲支部", 1001)
    world = World(session_factory)
    await world.run(sh(2026, 10, 8, 9))  # September's (and the third quarter's), after National Day
    await world.run(sh(2027, 3, 5, 9))
    assert world.digests()[1:] == [
        ("2027-01", True, ["2027-01", "2026-Q4", "2026"], ("2026-10", "2026-11", "2026-12")),
        ("2027-02", False, ["2027-02"], ()),
    ]


async def test_a_digest_planned_before_the_outage_and_never_sent_goes_as_the_catch_up(session_factory):
    await add_branch(session_factory, "甲支部", 1001)
    world = World(session_factory)
    await world.run(sh(2026, 12, 1, 9))
    await world.planner.plan(sh(2027, 1, 4, 9))  # planned; the process died before sending it
    await world.run(sh(2027, 2, 5, 9))
    assert [d[:3] for d in world.digests()] == [
        ("2026-11", False, ["2026-11"]),
        ("2026-12", True, ["2026-12", "2026-Q4", "2026"]),
        ("2027-01", False, ["2027-01"]),
    ]
    assert len(await digest_rows(session_factory)) == 3  # the same row, planned again


async def test_a_newer_catch_up_replaces_one_still_waiting(session_factory):
    """December's catch-up was planned on 5 February and never sent (down again until March): January's
    catch-up says all it said (Q4, the year), so December's is skipped, not sent beside it."""
    await add_branch(session_factory, "甲支部", 1001)
    world = World(session_factory)
    await world.run(sh(2026, 12, 1, 9))
    await world.planner.plan(sh(2027, 2, 5, 9))  # December's catch-up and January's, neither sent
    await world.run(sh(2027, 3, 5, 9))
    assert world.digests()[1:] == [
        ("2027-01", True, ["2027-01", "2026-Q4", "2026"], ("2026-12",)),
        ("2027-02", False, ["2027-02"], ()),
    ]
    rows = {r[1]: r[2:] for r in await digest_rows(session_factory)}
    assert rows["2026-12"] == ("skipped", "superseded by a catch-up digest")


async def test_before_the_next_digest_time_the_missed_one_is_caught_up_at_once(session_factory):
    """Back at 08:30 on 1 February: December's (out of date since midnight) goes now, January's at 09:00."""
    await add_branch(session_factory, "甲支部", 1001)
    world = World(session_factory)
    await world.run(sh(2026, 12, 1, 9))
    await world.run(sh(2027, 2, 1, 8, 30))
    assert [d[:2] for d in world.digests()] == [("2026-11", False), ("2026-12", True)]
    await world.run(sh(2027, 2, 1, 9))
    assert [d[:2] for d in world.digests()][2:] == [("2027-01", False)]


async def test_nothing_old_for_a_fresh_install_or_an_administrator_added_later(session_factory):
    """No digest ever delivered: nothing was missed (the branches were imported with old dates). An
    administrator added after the others got November's gets December's, not November's too."""
    await add_branch(session_factory, "甲支部", 1001, created=sh(2025, 1, 1))
    world = World(session_factory)
    await world.run(sh(2026, 12, 1, 9))
    assert world.digests() == [("2026-11", False, ["2026-11"], ())]
    world.admins = (ADMIN, ADMIN + 1)
    world.restart()
    await world.run(sh(2027, 1, 4, 9))
    assert [d[:2] for d in world.digests(ADMIN + 1)] == [("2026-12", False)]
    assert [d[:2] for d in world.digests()] == [("2026-11", False), ("2026-12", False)]


async def test_an_administrator_added_during_the_outage_gets_the_catch_up_too(session_factory):
    await add_branch(session_factory, "甲支部", 1001)
    world = World(session_factory)
    await world.run(sh(2026, 12, 1, 9))
    world.admins = (ADMIN, ADMIN + 1)
    world.restart()
    await world.run(sh(2027, 2, 5, 9))
    assert [d[:2] for d in world.digests(ADMIN + 1)] == [("2026-12", True), ("2027-01", False)]
