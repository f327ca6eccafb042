"""Live results: the tally of each nomination, as the contest's visibility rule allows."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from contest_contracts.events.contest import TallyVisibility
from contest_contracts.events.voting import TallyEntry
from contest_voting.api.voters import Voting
from contest_voting.domain.tallies import public_entries

router = APIRouter(tags=["tallies"])


class NominationTallyView(BaseModel):
    """The public view of one nomination's tally."""

    nomination_code: str
    visibility: TallyVisibility
    participation: int
    entries: list[TallyEntry]
    as_of: datetime


@router.get(
    "/contests/{contest_id}/tallies",
    summary="The tally of every nomination, limited by the contest's visibility rule. Who may "
    "call: anyone.",
)
async def tallies(contest_id: str, context: Voting) -> list[NominationTallyView]:
    definition = await context.definition(contest_id)
    vote = await context.public_votes.get(contest_id)
    visibility = definition.public_vote.visibility
    views = []
    for nomination in vote.nominations():
        counts = await context.ballots.tally(contest_id, nomination)
        choices = [c.application_id for c in vote.choices_in(nomination)]
        views.append(
            NominationTallyView(
                nomination_code=nomination,
                visibility=visibility,
                participation=sum(counts.values()),
                entries=public_entries(counts, choices, visibility, certified=False),
                as_of=context.clock(),
            )
        )
    return views
