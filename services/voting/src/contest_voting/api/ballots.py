"""Casting a vote and checking its receipt."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from contest_contracts.envelope import new_event_id
from contest_contracts.events.voting import VoteCast
from contest_contracts.topics import VOTES
from contest_runtime.openapi import problems
from contest_runtime.problems import ProblemError
from contest_voting.api.voters import Voting, client_address
from contest_voting.context import VotingContext
from contest_voting.domain.voters import voter_of
from contest_voting.domain.window import VoteStatus, vote_status

router = APIRouter(tags=["ballots"])
log = logging.getLogger(__name__)
_CONFLICT = "Conflict with the current state"


async def verified_voter(request: Request) -> str:
    """FastAPI dependency: the voter key a voter token proves (401 without one)."""
    context: VotingContext = request.app.state.context
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    key = voter_of(token, context.settings.token_secret.get_secret_value())
    if scheme.lower() != "bearer" or key is None:
        raise ProblemError(
            401,
            "unauthenticated",
            "Authentication required",
            "a voter token from POST /voters/tokens is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return key


Voter = Annotated[str, Depends(verified_voter)]


class VoteForm(BaseModel):
    """A vote in one nomination."""

    model_config = ConfigDict(extra="forbid")

    nomination_code: str = Field(min_length=1, max_length=64)
    application_id: str = Field(min_length=1, max_length=128, description="The finalist.")


class Receipt(BaseModel):
    """What a voter keeps: the receipt id of an accepted vote."""

    receipt_id: str
    status: str = Field(description="`accepted`: the broker holds the vote; it is counted next.")


class ReceiptCheck(BaseModel):
    """Whether the vote behind a receipt is counted."""

    receipt_id: str
    counted: bool
    valid: bool | None = Field(description="False when invalidated for fraud; None until counted.")
    refused: str | None = Field(
        default=None,
        description="`already_voted`: not counted, this phone number's vote in the nomination "
        "is counted under another receipt.",
    )
    contest_id: str | None = None
    nomination_code: str | None = None
    cast_at: datetime | None = None


@router.post(
    "/contests/{contest_id}/votes",
    responses=problems(401, 404, 409, 422, 503),
    status_code=202,
    summary="Cast a vote for a finalist; 202 with a receipt once the broker holds it, 503 when "
    "it cannot. Who may call: verified voters (voter token).",
)
async def cast(
    contest_id: str, form: VoteForm, request: Request, context: Voting, voter: Voter
) -> Receipt:
    rules = await context.ballot_rules(contest_id)
    now = context.clock()
    status = vote_status(
        rules.definition, has_choices=bool(rules.choices), closed_at=rules.closed_at, now=now
    )
    if status != VoteStatus.OPEN:
        code = "vote_closed" if status == VoteStatus.CLOSED else "vote_not_open"
        raise ProblemError(409, code, _CONFLICT, f"the public vote is {status.value}")
    if form.application_id not in rules.choices.get(form.nomination_code, frozenset()):
        raise ProblemError(
            422,
            "not_a_choice",
            "Invalid input",
            f"{form.application_id!r} is not a finalist of {form.nomination_code!r}",
        )
    seat = (contest_id, form.nomination_code, voter)
    if not context.recent_voters.take(seat):
        raise ProblemError(
            409, "already_voted", _CONFLICT, "this phone number voted in this nomination"
        )
    receipt_id = new_event_id()
    event = VoteCast(
        receipt_id=receipt_id,
        contest_id=contest_id,
        nomination_code=form.nomination_code,
        application_id=form.application_id,
        voter_key=voter,
        voter_key_version=context.settings.voter_key_version,
        client_address=client_address(request),
        cast_at=now,
    )
    try:
        await asyncio.wait_for(
            context.publisher.publish(VOTES, event, subject=voter),
            timeout=context.settings.publish_timeout_s,
        )
    except Exception as error:
        context.recent_voters.forget(seat)
        log.warning("vote not accepted by the broker", extra={"error": repr(error)})
        raise ProblemError(
            503,
            "broker_unavailable",
            "Service unavailable",
            "the vote could not be stored; it was not counted, try again",
            headers={"Retry-After": "5"},
        ) from error
    return Receipt(receipt_id=receipt_id, status="accepted")


@router.get(
    "/receipts/{receipt_id}",
    summary="Whether the vote behind a receipt is counted. Who may call: anyone holding the "
    "receipt id.",
)
async def check_receipt(receipt_id: str, context: Voting) -> ReceiptCheck:
    ballot = await context.ballots.get(receipt_id)
    if ballot is None:
        repeated = await context.ballots.repeated(receipt_id)
        return ReceiptCheck(
            receipt_id=receipt_id,
            counted=False,
            valid=None,
            refused="already_voted" if repeated else None,
        )
    return ReceiptCheck(
        receipt_id=receipt_id,
        counted=True,
        valid=ballot.valid,
        contest_id=ballot.contest_id,
        nomination_code=ballot.nomination_code,
        cast_at=ballot.cast_at,
    )
