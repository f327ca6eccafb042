"""What the voting service's routes and handlers work with (built in ``app``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from time import monotonic

from fastapi import Request

from contest_contracts.events.contest import ContestDefinition
from contest_runtime.definitions import ContestDefinitionCopies
from contest_runtime.kafka import EventPublisher
from contest_runtime.mongo import stored_now
from contest_runtime.outbox import OutboxRelay
from contest_voting.domain.voters import RecentVoters
from contest_voting.live import LiveTallies, read_tallies
from contest_voting.settings import VotingSettings
from contest_voting.store.ballots import Ballots
from contest_voting.store.invalidations import Invalidations
from contest_voting.store.public_votes import PublicVotes
from contest_voting.store.unconfirmed import UnconfirmedVotes
from contest_voting.store.verification import Codes, RateLimits, SpentChallenges

SOURCE = "/contest/voting"


@dataclass(frozen=True)
class BallotRules:
    """What a vote is checked against, all of which changes rarely: the contest's schedule
    (in its definition), its choices per nomination, an operator's close, and the seats of
    votes the broker has not confirmed yet (usually none)."""

    definition: ContestDefinition
    choices: dict[str, frozenset[str]]
    closed_at: datetime | None
    read_at: float
    unconfirmed: frozenset[tuple[str, str]] = frozenset()
    """(nomination, voter) of the contest's votes kept unconfirmed, by any replica."""


@dataclass
class VotingContext:
    """Voting's settings, stores and publisher."""

    settings: VotingSettings
    contests: ContestDefinitionCopies
    public_votes: PublicVotes
    ballots: Ballots
    invalidations: Invalidations
    codes: Codes
    limits: RateLimits
    spent_challenges: SpentChallenges
    unconfirmed: UnconfirmedVotes
    publisher: EventPublisher
    relay: OutboxRelay
    clock: Callable[[], datetime] = stored_now
    rules: dict[str, BallotRules] = field(default_factory=dict)
    """Per contest, reused for ``settings.ballot_rules_cache_s``: the vote path then reads
    the store once a second, not once a vote. An operator's close therefore takes effect
    that long after it is made, so every replica knows it before it applies."""
    reading_rules: dict[str, asyncio.Task[BallotRules]] = field(default_factory=dict)
    """Reads of ballot rules under way: when the held rules age out, the votes arriving
    meanwhile wait for one read instead of each reading the store."""
    recent_voters: RecentVoters = field(default_factory=lambda: RecentVoters(200_000))
    """Voters this replica took a vote from, to answer a repeated vote at once."""
    background_notes: set[asyncio.Task[None]] = field(default_factory=set)
    """Notes under way that an unconfirmed vote was acknowledged after all (held so that
    they are not collected before they ran)."""
    live: LiveTallies = field(init=False)
    """The public views of the tallies, shared by every viewer of this replica."""

    def __post_init__(self) -> None:
        self.live = LiveTallies(partial(read_tallies, self), self.settings.tally_refresh_s)

    async def ballot_rules(self, contest_id: str) -> BallotRules:
        """A contest's schedule and choices, as read at most a moment ago."""
        held = self.rules.get(contest_id)
        if held is not None and monotonic() - held.read_at < self.settings.ballot_rules_cache_s:
            return held
        reading = self.reading_rules.get(contest_id)
        if reading is None:
            reading = asyncio.create_task(self._read_rules(contest_id))
            self.reading_rules[contest_id] = reading
            reading.add_done_callback(lambda _: self.reading_rules.pop(contest_id, None))
        # A vote given up by its caller does not cancel the read the others wait for.
        return await asyncio.shield(reading)

    async def _read_rules(self, contest_id: str) -> BallotRules:
        definition = await self.contests.require(contest_id)
        vote = await self.public_votes.get(contest_id)
        choices = {
            n: frozenset(c.application_id for c in vote.choices_in(n)) for n in vote.nominations()
        }
        unconfirmed = await self.unconfirmed.seats(contest_id)
        self.rules[contest_id] = BallotRules(
            definition, choices, vote.closed_at, monotonic(), unconfirmed
        )
        return self.rules[contest_id]


async def voting(request: Request) -> VotingContext:
    """FastAPI dependency: the context of the running voting service (async: FastAPI runs
    a plain function in a worker thread, a thread hop per request)."""
    context: VotingContext = request.app.state.context
    return context
