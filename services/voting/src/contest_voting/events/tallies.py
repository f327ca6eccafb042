"""Publishing the public view of each tally on ``contest.tallies.v1``.

One replica publishes: the one whose tally consumer owns the first partition of
``contest.votes.v1`` (Kafka's group membership elects it; during a rebalance two may publish
for a moment, which a compacted topic keyed by nomination absorbs). A nomination's view is
published when it changed, at most once per refresh, and for the last time when the tally
is certified.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiokafka import TopicPartition

from contest_contracts.topics import TALLIES, VOTES
from contest_voting.context import VotingContext

log = logging.getLogger(__name__)

ELECTING_PARTITION = TopicPartition(VOTES.name, 0)


async def publish_tallies(
    context: VotingContext, elected: Callable[[], bool], interval_s: float
) -> None:
    """Publish changed views forever (a background job), while ``elected`` says so."""
    published: dict[tuple[str, str], int] = {}
    while True:
        try:
            if elected():
                await publish_changed(context, published)
        except Exception:
            log.exception("publishing tallies failed")
        await asyncio.sleep(interval_s)


async def publish_changed(context: VotingContext, published: dict[tuple[str, str], int]) -> int:
    """Publish every nomination's view whose revision differs from the one ``published``
    last; returns how many were published."""
    sent = 0
    for vote in await context.public_votes.all():
        if not vote.choices or await context.contests.get(vote.contest_id) is None:
            continue
        for view, revision in await context.live.revised(vote.contest_id):
            nomination = (view.contest_id, view.nomination_code)
            if published.get(nomination) == revision:
                continue
            await context.publisher.publish(TALLIES, view, subject=":".join(nomination))
            published[nomination] = revision
            sent += 1
    return sent
