"""Live results: what the public sees of each nomination's tally, read at most once per
refresh interval per contest however many people watch.

The one public view is the contract's ``TallyUpdated``: the HTTP tallies, the server-sent
event stream and the ``contest.tallies.v1`` topic all show exactly it, so a count the
contest's visibility rule hides has no other way out. Under ``ranks_only`` and ``hidden``
the view carries no participation until the tally is certified (``domain.tallies`` says
why): views read every refresh could otherwise be differenced back into counts.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from time import monotonic
from typing import TYPE_CHECKING

from contest_contracts.events.stages import PublicVoteSummary
from contest_contracts.events.voting import TallyUpdated
from contest_voting.domain.tallies import public_entries, public_participation

if TYPE_CHECKING:
    from contest_voting.context import VotingContext


async def read_tallies(context: VotingContext, contest_id: str) -> list[TallyUpdated]:
    """Every nomination's public view now: the certified tally once there is one, else the
    running tally limited by the contest's visibility rule. A view is ``as_of`` the moment
    before its counts were read: every vote counted by then is in it."""
    as_of = context.clock()
    definition = await context.contests.require(contest_id)
    vote = await context.public_votes.get(contest_id)
    visibility = definition.public_vote.visibility
    certified = (
        {t.nomination_code: t for t in PublicVoteSummary.model_validate(vote.certified).tallies}
        if vote.certified is not None
        else None
    )
    views = []
    for nomination in vote.nominations():
        if certified is not None:
            final = certified[nomination]
            counts = Counter({c.application_id: c.votes for c in final.choices})
        else:
            counts = await context.ballots.tally(contest_id, nomination)
        choices = [c.application_id for c in vote.choices_in(nomination)]
        views.append(
            TallyUpdated(
                contest_id=contest_id,
                nomination_code=nomination,
                visibility=visibility,
                certified=certified is not None,
                participation=public_participation(
                    counts, visibility, certified=certified is not None
                ),
                entries=public_entries(
                    counts, choices, visibility, certified=certified is not None
                ),
                as_of=as_of,
            )
        )
    return views


Revised = list[tuple[TallyUpdated, int]]
"""Views with the revision of their counts: it grows only when what a view shows changes, so
viewers and the publisher compare numbers rather than views."""


@dataclass
class LiveTallies:
    """The public views of each contest, read again at most once per ``refresh_s``."""

    read: Callable[[str], Awaitable[list[TallyUpdated]]]
    """How a contest's views are read (:func:`read_tallies`)."""
    refresh_s: float
    _held: dict[str, tuple[float, Revised]] = field(default_factory=dict)
    _reading: dict[str, asyncio.Lock] = field(default_factory=dict)
    _counts: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)
    """(contest, nomination) → what its view showed last (without its time), and revision."""

    async def views(self, contest_id: str) -> list[TallyUpdated]:
        """A contest's views, at most ``refresh_s`` old."""
        return [view for view, _ in await self.revised(contest_id)]

    async def revised(self, contest_id: str) -> Revised:
        """A contest's views with their revisions, at most ``refresh_s`` old."""
        held = self._fresh(contest_id)
        if held is not None:
            return held
        # Many viewers asking at once wait for one read rather than each making their own.
        async with self._reading.setdefault(contest_id, asyncio.Lock()):
            held = self._fresh(contest_id)
            if held is None:
                held = [(view, self._revision(view)) for view in await self.read(contest_id)]
                self._held[contest_id] = (monotonic(), held)
            return held

    def _revision(self, view: TallyUpdated) -> int:
        shows = view.model_dump_json(exclude={"as_of"})
        nomination = (view.contest_id, view.nomination_code)
        before = self._counts.get(nomination)
        if before is not None and before[0] == shows:
            return before[1]
        revision = before[1] + 1 if before is not None else 1
        self._counts[nomination] = (shows, revision)
        return revision

    def _fresh(self, contest_id: str) -> Revised | None:
        held = self._held.get(contest_id)
        if held is not None and monotonic() - held[0] < self.refresh_s:
            return held[1]
        return None

    async def changes(
        self, contest_id: str, heartbeat_s: float = 15.0
    ) -> AsyncIterator[TallyUpdated | None]:
        """Each nomination's view when it changes (all of them first), at most once per
        refresh; None as a heartbeat when nothing changed for ``heartbeat_s``. Ends after
        the certified views."""
        shown: dict[str, int] = {}
        quiet_since = monotonic()
        while True:
            revised = await self.revised(contest_id)
            for view, revision in revised:
                if shown.get(view.nomination_code) != revision:
                    shown[view.nomination_code] = revision
                    quiet_since = monotonic()
                    yield view
            if revised and all(view.certified for view, _ in revised):
                return
            if monotonic() - quiet_since >= heartbeat_s:
                quiet_since = monotonic()
                yield None
            await asyncio.sleep(self.refresh_s)
