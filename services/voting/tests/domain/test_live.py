"""The live tally views shared by every viewer: one read per refresh, and a stream of
changes that ends with the certified tally."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from contest_contracts.events.contest import TallyVisibility
from contest_contracts.events.voting import TallyEntry, TallyUpdated
from contest_voting.live import LiveTallies


def _view(participation: int, certified: bool = False) -> TallyUpdated:
    return TallyUpdated(
        contest_id="contest-1",
        nomination_code="best-social-project",
        visibility=TallyVisibility.HIDDEN,
        certified=certified,
        participation=participation,
        entries=[TallyEntry(application_id="app-1")],
        as_of=datetime.now(UTC),
    )


async def test_many_viewers_at_once_cost_one_read() -> None:
    reads = 0

    async def read(contest_id: str) -> list[TallyUpdated]:
        nonlocal reads
        reads += 1
        await asyncio.sleep(0.01)
        return [_view(reads)]

    live = LiveTallies(read, refresh_s=60)
    seen = await asyncio.gather(*(live.views("contest-1") for _ in range(500)))
    assert reads == 1
    assert {views[0].participation for views in seen} == {1}


async def test_the_stream_sends_changes_only_and_ends_with_the_certified_view() -> None:
    states = iter([[_view(0)], [_view(0)], [_view(2)], [_view(2)], [_view(3, certified=True)]])

    async def read(contest_id: str) -> list[TallyUpdated]:
        return next(states)

    live = LiveTallies(read, refresh_s=0)
    sent = [view async for view in live.changes("contest-1", heartbeat_s=3600)]
    assert [(v.participation, v.certified) for v in sent if v] == [
        (0, False),
        (2, False),
        (3, True),
    ]
