"""Live tallies for every reader from one stream of voting's per contest.

Each reader of a live results page holds a stream open for as long as the page is open.
Relaying each one to voting would take one of the portal's pooled connections to voting
per reader, and a burst of readers would leave none for votes. So a portal instance opens
one stream per contest, keeps each nomination's latest view, and hands every view to each
of the contest's readers: a new reader gets the latest views first, as voting would give
them. The feed closes when its last reader leaves, and ends with voting's stream (after the
certified views, or when voting breaks it: the readers' browsers then come back by
themselves).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from contest_contracts.events.voting import TallyUpdated
from contest_portal.services import NotFound, ServiceUnavailable

log = logging.getLogger(__name__)

READER_BACKLOG = 64
"""Views a reader may fall behind by before the portal lets it go (its browser comes back
and starts from the latest views): a reader that does not read must not hold memory."""


class FeedEnded(Exception):
    """The contest's feed ended: voting's stream ended or broke."""

    def __init__(self, certified: bool) -> None:
        super().__init__("certified" if certified else "broken")
        self.certified = certified


@dataclass
class _Feed:
    """One contest's stream of voting's, and the readers it is handed to."""

    latest: dict[str, TallyUpdated] = field(default_factory=dict)
    readers: set[asyncio.Queue[TallyUpdated | FeedEnded]] = field(default_factory=set)
    task: asyncio.Task[None] | None = None


class TallyFeeds:
    """The live tallies of every contest a reader watches, one voting stream per contest."""

    def __init__(
        self,
        changes: Callable[[str], AsyncIterator[TallyUpdated | None]],
        heartbeat_s: float = 15.0,
    ) -> None:
        self.changes, self.heartbeat_s = changes, heartbeat_s
        self.feeds: dict[str, _Feed] = {}

    async def follow(self, contest_id: str) -> AsyncIterator[TallyUpdated | None]:
        """Each nomination's latest view, then each view as it changes, None as a heartbeat
        when nothing changed for a while; ends with the certified views (or raises
        :class:`FeedEnded` when voting's stream broke, or the reader fell too far behind)."""
        feed = self.feeds.get(contest_id)
        if feed is None:
            feed = self.feeds[contest_id] = _Feed()
            feed.task = asyncio.create_task(self._relay(contest_id, feed))
        queue: asyncio.Queue[TallyUpdated | FeedEnded] = asyncio.Queue(
            READER_BACKLOG + len(feed.latest)
        )
        for view in feed.latest.values():
            queue.put_nowait(view)
        feed.readers.add(queue)
        try:
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), self.heartbeat_s)
                except TimeoutError:
                    yield None
                    continue
                if isinstance(item, FeedEnded):
                    if item.certified:
                        return
                    raise item
                yield item
        finally:
            feed.readers.discard(queue)
            if not feed.readers and self.feeds.get(contest_id) is feed:
                await self._close(contest_id, feed)

    async def close(self) -> None:
        """Stop every feed (the app's lifespan ends)."""
        for contest_id, feed in list(self.feeds.items()):
            await self._close(contest_id, feed)

    async def _close(self, contest_id: str, feed: _Feed) -> None:
        self.feeds.pop(contest_id, None)
        if feed.task is not None and feed.task is not asyncio.current_task():
            feed.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await feed.task

    async def _relay(self, contest_id: str, feed: _Feed) -> None:
        certified = False
        try:
            async for view in self.changes(contest_id):
                if view is None:
                    continue  # each reader has its own heartbeat
                feed.latest[view.nomination_code] = view
                for queue in list(feed.readers):
                    try:
                        queue.put_nowait(view)
                    except asyncio.QueueFull:
                        feed.readers.discard(queue)
                        _end(queue, FeedEnded(certified=False))
            certified = bool(feed.latest) and all(v.certified for v in feed.latest.values())
        except (NotFound, ServiceUnavailable) as error:
            log.warning("tally feed ended", extra={"contest_id": contest_id, "error": repr(error)})
        except Exception:  # a view the portal cannot read: its readers come back later
            log.exception("tally feed failed", extra={"contest_id": contest_id})
        finally:
            if self.feeds.get(contest_id) is feed:
                self.feeds.pop(contest_id)
            for queue in list(feed.readers):
                _end(queue, FeedEnded(certified))


def _end(queue: asyncio.Queue[TallyUpdated | FeedEnded], ending: FeedEnded) -> None:
    """Tell a reader its feed ended, even when its backlog is full (it drops one view)."""
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(ending)
