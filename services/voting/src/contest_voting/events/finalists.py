"""The finalists selected by judging become the public vote's choices (unless the contest
votes on its gallery, see ``gallery``)."""

from __future__ import annotations

from typing import Any

from contest_contracts.envelope import Envelope
from contest_contracts.events.contest import VoteChoices
from contest_contracts.events.judging import FinalistsSelected
from contest_voting.context import VotingContext


async def keep_finalists(context: VotingContext, envelope: Envelope[Any]) -> None:
    """Take the whole list (the latest one wins)."""
    event: FinalistsSelected = envelope.data
    definition = await context.contests.get(event.contest_id)
    if definition is not None and definition.public_vote.choices == VoteChoices.GALLERY:
        return
    await context.public_votes.keep_finalists(event)
