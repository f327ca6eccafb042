"""Live results: the tally of each nomination, as the contest's visibility rule allows."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from contest_contracts.events.contest import TallyVisibility
from contest_contracts.events.stages import PublicVoteSummary
from contest_contracts.events.voting import TallyEntry
from contest_voting.api.voters import Voting
from contest_voting.domain.tallies import public_entries

router = APIRouter(tags=["tallies"])


class NominationTallyView(BaseModel):
    """The public view of one nomination's tally."""

    nomination_code: str
    visibility: TallyVisibility
    certified: bool = Field(description="The final, certified tally (everything is public).")
    participation: int
    entries: list[TallyEntry]
    as_of: datetime


@router.get(
    "/contests/{contest_id}/tallies",
    summary="The tally of every nomination, limited by the contest's visibility rule. Who may "
    "call: anyone.",
)
async def tallies(contest_id: str, context: Voting) -> list[NominationTallyView]:
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
            NominationTallyView(
                nomination_code=nomination,
                visibility=visibility,
                certified=certified is not None,
                participation=sum(counts.values()),
                entries=public_entries(
                    counts, choices, visibility, certified=certified is not None
                ),
                as_of=context.clock(),
            )
        )
    return views
