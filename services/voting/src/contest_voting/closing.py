"""Announcing a public vote's opening, closing it and certifying its tally.

0. When the vote starts taking votes (its scheduled opening has come and the finalists are
   known), ``StageOpened`` (public vote) is written, once.
1. The vote closes (at its scheduled close, or by an operator): no more votes are taken.
2. A grace period later (longer than a vote may wait for the broker), and once no vote the
   broker did not confirm in time is still unsent (``store.unconfirmed``), the end offsets
   of ``contest.votes.v1`` are recorded: every vote answered 202 before the close, accepted
   or uncertain, lies before them.
3. Once counting has passed those offsets on every partition, the tally is certified from
   the ballots cast before the close, and ``StageClosed`` (public vote) is written with it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import datetime, timedelta

from contest_contracts.common import StageKind
from contest_contracts.events.contest import ContestDefinition
from contest_contracts.events.stages import (
    ChoiceCount,
    NominationTally,
    PublicVoteSummary,
    StageClosed,
    StageOpened,
)
from contest_contracts.topics import STAGES, VOTES
from contest_runtime.kafka import envelope_in_flow
from contest_runtime.mongo import Document, as_utc
from contest_runtime.offsets import end_offsets
from contest_runtime.outbox import outbox_entry
from contest_voting.context import SOURCE, VotingContext
from contest_voting.domain.tallies import ranked
from contest_voting.domain.window import VoteStatus, vote_status
from contest_voting.store.public_votes import PublicVote

log = logging.getLogger(__name__)


async def close_vote(
    context: VotingContext, contest_id: str, by: str, in_effect_after: timedelta = timedelta()
) -> datetime | None:
    """Stop taking votes ``in_effect_after`` from now: the time it takes effect, or None when
    the vote was closed already."""
    closed_at = context.clock() + in_effect_after

    def close(vote: PublicVote) -> tuple[Document, list[Document]] | None:
        if vote.closed_at is not None:
            return None
        return {"closed_at": closed_at, "closed_by": by}, []

    closed = await context.public_votes.change(contest_id, close)
    if closed:
        log.info("public vote closed", extra={"contest_id": contest_id, "by": by})
    return closed_at if closed else None


async def certify(context: VotingContext, vote: PublicVote, grace: timedelta) -> bool:
    """Take the closing vote one step on; True once it is certified."""
    if vote.closed_at is None or vote.certified is not None:
        return vote.certified is not None
    now = context.clock()
    if vote.closing_offsets is None:
        if now < vote.closed_at + grace:
            return False
        if await context.unconfirmed.unsent(vote.contest_id):
            return False  # the relay is still sending votes cast before the close
        ends = await end_offsets(context.settings.infra.kafka_bootstrap_servers, VOTES.name)
        offsets = {str(partition): end for partition, end in ends.items()}
        await context.public_votes.change(
            vote.contest_id,
            lambda held: (
                None if held.closing_offsets is not None else ({"closing_offsets": offsets}, [])
            ),
        )
        return False
    counted = await context.ballots.counted_offsets()
    if any(counted.get(int(p), 0) < end for p, end in vote.closing_offsets.items() if end > 0):
        return False
    summary = await certified_tally(context, vote)
    closed = StageClosed(
        contest_id=vote.contest_id,
        stage=StageKind.PUBLIC_VOTE,
        closed_at=vote.closed_at,
        closed_by=vote.closed_by or "schedule",
        summary=summary,
    )
    envelope = envelope_in_flow(closed, source=SOURCE, subject=vote.contest_id)
    certified = await context.public_votes.change(
        vote.contest_id,
        lambda held: (
            None
            if held.certified is not None
            else ({"certified": summary.model_dump(mode="json")}, [outbox_entry(STAGES, envelope)])
        ),
    )
    if certified:
        await context.relay.flush(context.public_votes.collection, vote.contest_id)
        log.info(
            "public vote certified", extra={"contest_id": vote.contest_id, "voters": summary.voters}
        )
    return True


async def certified_tally(context: VotingContext, vote: PublicVote) -> PublicVoteSummary:
    """The tally of the ballots cast before the close, from the ballots themselves."""
    assert vote.closed_at is not None
    counts: dict[str, Counter[str]] = {n: Counter() for n in vote.nominations()}
    invalidated: Counter[str] = Counter()
    voters: set[str] = set()
    cursor = context.ballots.ballots.find(
        {"contest_id": vote.contest_id},
        {"nomination_code": 1, "application_id": 1, "voter_key": 1, "cast_at": 1, "valid": 1},
    )
    async for ballot in cursor:
        if as_utc(ballot["cast_at"]) >= vote.closed_at or ballot["nomination_code"] not in counts:
            continue
        if not ballot.get("valid", True):
            invalidated[ballot["nomination_code"]] += 1
            continue
        counts[ballot["nomination_code"]][ballot["application_id"]] += 1
        voters.add(ballot["voter_key"])
    tallies = []
    for nomination, tally in counts.items():
        choices = [c.application_id for c in vote.choices_in(nomination)]
        tallies.append(
            NominationTally(
                nomination_code=nomination,
                choices=[
                    ChoiceCount(application_id=a, votes=n) for _, a, n in ranked(tally, choices)
                ],
                ballots_counted=sum(tally.values()),
                ballots_invalidated=invalidated[nomination],
            )
        )
    return PublicVoteSummary(stage=StageKind.PUBLIC_VOTE, voters=len(voters), tallies=tallies)


async def announce_opening(
    context: VotingContext, vote: PublicVote, definition: ContestDefinition
) -> None:
    """``StageOpened`` for a vote that took votes, once: opened at the later of its scheduled
    opening and the moment its finalists were known (nothing for a vote whose finalists came
    after its close)."""
    schedule = next(s for s in definition.stages if s.stage == StageKind.PUBLIC_VOTE)
    opened_at = max(schedule.opens_at, vote.selected_at or schedule.opens_at)
    if not vote.choices or opened_at >= schedule.closes_at:
        return  # it never took a vote: its finalists came after its close
    opened = StageOpened(
        contest_id=vote.contest_id,
        stage=StageKind.PUBLIC_VOTE,
        opened_at=opened_at,
        closes_at=schedule.closes_at,
    )
    envelope = envelope_in_flow(opened, source=SOURCE, subject=vote.contest_id)
    announced = await context.public_votes.change(
        vote.contest_id,
        lambda held: (
            None
            if held.opened_at is not None
            else ({"opened_at": context.clock()}, [outbox_entry(STAGES, envelope)])
        ),
    )
    if announced:
        await context.relay.flush(context.public_votes.collection, vote.contest_id)
        log.info("public vote opened", extra={"contest_id": vote.contest_id})


async def run_closing(context: VotingContext, interval_s: float, grace: timedelta) -> None:
    """Announce votes that opened, close votes at their scheduled close and certify closed
    ones, forever."""
    while True:
        try:
            await closing_pass(context, grace)
        except Exception:
            log.exception("closing pass failed")
        await asyncio.sleep(interval_s)


async def closing_pass(context: VotingContext, grace: timedelta) -> None:
    """One pass over every contest's public vote."""
    now = context.clock()
    for vote in await context.public_votes.all():
        if vote.closed_at is None:
            definition = await context.contests.get(vote.contest_id)
            if definition is None:
                continue
            status = vote_status(
                definition, has_choices=bool(vote.choices), closed_at=None, now=now
            )
            if status != VoteStatus.NOT_OPEN and vote.opened_at is None:
                # Before its close too: a vote shorter than a pass still opened.
                await announce_opening(context, vote, definition)
            if status == VoteStatus.CLOSED:
                await close_vote(context, vote.contest_id, "schedule")
            continue
        await certify(context, vote, grace)
