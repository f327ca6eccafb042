"""One stream of voting's per contest for every reader of its live results (pure: the
feed with a stand-in for voting's stream; the real stream is in `test_tallies.py`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from contest_contracts.events.contest import TallyVisibility
from contest_contracts.events.voting import TallyEntry, TallyUpdated
from contest_portal.services import ServiceUnavailable
from contest_portal.tally_feeds import READER_BACKLOG, FeedEnded, TallyFeeds

pytestmark = pytest.mark.asyncio


def view(nomination: str, votes: int, *, certified: bool = False) -> TallyUpdated:
    return TallyUpdated(
        contest_id="c",
        nomination_code=nomination,
        visibility=TallyVisibility.LIVE,
        certified=certified,
        participation=votes,
        entries=[TallyEntry(application_id="a", rank=1, votes=votes)],
        as_of=datetime.now(UTC),
    )


class Voting:
    """Voting's stream of one contest: what the test puts in, and how often it was opened."""

    def __init__(self) -> None:
        self.views: asyncio.Queue[TallyUpdated | Exception | None] = asyncio.Queue()
        self.opened = 0
        self.open_now = 0

    async def changes(self, contest_id: str) -> AsyncIterator[TallyUpdated | None]:
        self.opened += 1
        self.open_now += 1
        try:
            while True:
                item = await self.views.get()
                if isinstance(item, Exception):
                    raise item
                yield item
                if item is not None and item.certified:
                    return
        finally:
            self.open_now -= 1


async def next_of(reader: AsyncIterator[TallyUpdated | None]) -> TallyUpdated | None:
    return await asyncio.wait_for(anext(reader), 2)


async def next_view(reader: AsyncIterator[TallyUpdated | None]) -> TallyUpdated:
    got = await next_of(reader)
    assert got is not None
    return got


async def test_readers_of_a_contest_share_one_stream_and_a_late_one_starts_from_the_latest() -> (
    None
):
    voting = Voting()
    feeds = TallyFeeds(voting.changes)
    first = feeds.follow("c")
    await voting.views.put(view("n1", 1))
    assert (await next_view(first)).participation == 1
    await voting.views.put(view("n2", 5))
    await voting.views.put(view("n1", 2))
    assert [(await next_view(first)).participation for _ in range(2)] == [5, 2]

    second = feeds.follow("c")  # each nomination's latest view, then the changes
    got = {(v.nomination_code, v.participation) for v in [await next_view(second) for _ in "12"]}
    assert got == {("n1", 2), ("n2", 5)}
    await voting.views.put(view("n2", 6))
    assert (await next_view(first)).participation == 6
    assert (await next_view(second)).participation == 6
    assert voting.opened == 1

    await first.aclose()
    assert voting.open_now == 1  # the second reader still reads
    await second.aclose()
    assert voting.open_now == 0 and not feeds.feeds  # the last one left: the stream closed


async def test_the_certified_views_end_every_reader_s_stream() -> None:
    voting = Voting()
    feeds = TallyFeeds(voting.changes)
    reader = feeds.follow("c")
    await voting.views.put(view("n1", 3, certified=True))
    assert (await next_view(reader)).certified
    with pytest.raises(StopAsyncIteration):
        await next_of(reader)
    assert not feeds.feeds


async def test_a_broken_stream_ends_its_readers_and_the_next_reader_opens_a_new_one() -> None:
    voting = Voting()
    feeds = TallyFeeds(voting.changes)
    reader = feeds.follow("c")
    await voting.views.put(view("n1", 1))
    await next_of(reader)
    await voting.views.put(ServiceUnavailable("voting", "ReadTimeout"))
    with pytest.raises(FeedEnded) as ended:
        await next_of(reader)
    assert not ended.value.certified
    again = feeds.follow("c")
    await voting.views.put(view("n1", 2))
    assert (await next_view(again)).participation == 2
    assert voting.opened == 2
    await again.aclose()


async def test_a_reader_that_does_not_read_is_let_go_and_the_others_go_on() -> None:
    voting = Voting()
    feeds = TallyFeeds(voting.changes)
    idle, reading = feeds.follow("c"), feeds.follow("c")
    await voting.views.put(view("n1", 0))
    await next_of(idle)
    await next_of(reading)
    for votes in range(1, READER_BACKLOG + 2):
        await voting.views.put(view("n1", votes))
        assert (await next_view(reading)).participation == votes
    seen = 0
    with pytest.raises(FeedEnded):
        while True:
            await next_of(idle)
            seen += 1
    assert seen < READER_BACKLOG + 1
    await voting.views.put(view("n1", 100))
    assert (await next_view(reading)).participation == 100
    await reading.aclose()


async def test_a_reader_gets_a_heartbeat_when_nothing_changes() -> None:
    voting = Voting()
    feeds = TallyFeeds(voting.changes, heartbeat_s=0.05)
    reader = feeds.follow("c")
    assert await next_of(reader) is None
    await reader.aclose()
