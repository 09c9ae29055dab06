"""The overview does not count periods that ended before a branch was created (the branches: 2026-11-20)."""

from __future__ import annotations

import re
from datetime import datetime

from handlers.services.clock import SHANGHAI
from tests.services.supervision_world import SUPERVISOR
from tests.web.world import logged_in


async def test_overview_shows_periods_before_the_branch_as_not_founded(client, site):
    site.world.clock.current = datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)
    await logged_in(client, site, SUPERVISOR)
    october = await (await client.get("/?period=2026-10")).text()
    assert 'data-state="na"' in october and "未成立" in october
    assert 'class="cell overdue" title' not in october
    quarter = await (await client.get("/?period=2026-Q4")).text()
    # A monthly kind in Q4: two months owed (November, December), not three.
    assert re.search(r'data-state="missing">未完成 0/2<', quarter), quarter
    assert "0/3" not in quarter
