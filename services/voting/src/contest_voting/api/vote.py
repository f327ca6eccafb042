"""The state of a contest's public vote, and closing it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from contest_contracts.common import StageKind
from contest_runtime.auth import Operator
from contest_runtime.openapi import problems
from contest_runtime.problems import ProblemError
from contest_voting.api.voters import Voting
from contest_voting.closing import close_vote
from contest_voting.domain.window import VoteStatus, vote_status

router = APIRouter(tags=["vote"])


class VoteState(BaseModel):
    """Where a public vote stands."""

    contest_id: str
    status: VoteStatus
    opens_at: datetime | None
    closes_at: datetime | None
    closed_at: datetime | None
    certified: bool = Field(description="The final tally is certified and published.")


class VoteClosing(BaseModel):
    """An operator's close, taken: the vote takes no vote from ``closed_at`` on."""

    contest_id: str
    status: Literal["closing"] = Field(
        default="closing",
        description="The close is taken; it applies at `closed_at` (then `GET .../vote` says "
        "`closed`). Votes are still taken until then.",
    )
    closed_at: datetime = Field(
        description="When the close takes effect: a moment from now, once every replica knows."
    )


@router.get(
    "/contests/{contest_id}/vote",
    responses=problems(404),
    summary="Whether the public vote is open, and whether its tally is certified. Who may "
    "call: anyone.",
)
async def vote_state(contest_id: str, context: Voting) -> VoteState:
    definition = await context.contests.require(contest_id)
    vote = await context.public_votes.get(contest_id)
    schedule = next((s for s in definition.stages if s.stage == StageKind.PUBLIC_VOTE), None)
    return VoteState(
        contest_id=contest_id,
        status=vote_status(
            definition,
            has_choices=bool(vote.choices),
            closed_at=vote.closed_at,
            now=context.clock(),
        ),
        opens_at=schedule.opens_at if schedule else None,
        closes_at=schedule.closes_at if schedule else None,
        closed_at=vote.closed_at,
        certified=vote.certified is not None,
    )


@router.post(
    "/contests/{contest_id}/vote/close",
    responses=problems(404, 409),
    status_code=202,
    summary="Close the public vote: answers `closing` and the `closed_at` from which no vote is "
    "taken, a moment from now (every replica learns of the close before it applies). The "
    "certified tally follows once every accepted vote is counted. Who may call: operators.",
)
async def close(contest_id: str, context: Voting, operator: Operator) -> VoteClosing:
    await context.contests.require(contest_id)
    vote = await context.public_votes.get(contest_id)
    if not vote.choices:
        raise ProblemError(
            409, "vote_not_open", "Conflict with the current state", "the vote has no choices yet"
        )
    in_effect_after = timedelta(seconds=context.settings.ballot_rules_cache_s)
    closed_at = await close_vote(context, contest_id, operator.subject, in_effect_after)
    if closed_at is None:
        raise ProblemError(
            409, "vote_closed", "Conflict with the current state", "the vote is closed already"
        )
    return VoteClosing(contest_id=contest_id, closed_at=closed_at)
