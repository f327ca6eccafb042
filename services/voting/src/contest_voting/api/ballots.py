"""Casting a vote and checking its receipt."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from contest_contracts.envelope import new_event_id
from contest_contracts.events.voting import VoteCast
from contest_contracts.topics import VOTES
from contest_runtime.kafka import envelope_in_flow
from contest_runtime.mongo import as_utc
from contest_runtime.openapi import problems
from contest_runtime.problems import ProblemError
from contest_voting.api.voters import Voting, client_address
from contest_voting.confirming import keep_unconfirmed
from contest_voting.context import SOURCE, VotingContext
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
    """What a voter keeps: the receipt id of their vote, and how far it got."""

    receipt_id: str = Field(description="The receipt (a UUIDv7): `GET /receipts/{id}` follows it.")
    status: Literal["accepted", "uncertain"] = Field(
        description="`accepted`: the broker holds the vote; it is counted next. "
        "`uncertain`: the broker did not confirm the vote in time, but it may still hold it: "
        "the vote is kept and sent again until the broker takes it, and this phone number "
        "cannot vote again in the nomination meanwhile. Do not vote again: the receipt tells "
        "the outcome (`pending`, then `counted`)."
    )


ReceiptStatus = Literal["counted", "refused", "pending", "unknown"]


class ReceiptCheck(BaseModel):
    """What became of the vote behind a receipt."""

    receipt_id: str
    status: ReceiptStatus = Field(
        description="`counted`: the vote is in the tally (see `valid`). `refused`: not "
        "counted, see `refused`. `pending`: the broker did not confirm the vote when it was "
        "cast; it is kept and sent again, and counted once the broker takes it. `unknown`: "
        "nothing is counted or kept under this receipt. A vote answered `accepted` a moment "
        "ago is not counted yet (counting follows within seconds); a receipt still unknown "
        "after that was never given for a vote this service took."
    )
    counted: bool = Field(description="The vote is in the tally (`status` is `counted`).")
    valid: bool | None = Field(description="False when invalidated for fraud; None until counted.")
    refused: Literal["already_voted"] | None = Field(
        default=None,
        description="`already_voted`: not counted, this phone number's vote in the nomination "
        "is counted under another receipt.",
    )
    contest_id: str | None = None
    nomination_code: str | None = None
    cast_at: datetime | None = None


@router.post(
    "/contests/{contest_id}/votes",
    status_code=202,
    summary="Cast a vote for a finalist; 202 with a receipt once the broker holds it (status "
    "`accepted`) or may hold it (status `uncertain`: do not vote again, follow the receipt), "
    "503 when the broker surely did not take it. Who may call: verified voters (voter token).",
    responses=problems(
        401,
        404,
        described={
            409: "`vote_not_open`, `vote_closed`, or `already_voted`.",
            422: "`unknown_nomination`: the contest has no such nomination; `not_a_choice`: "
            "the application is not one of the nomination's choices.",
            503: "`broker_unavailable`: the vote was not stored and is not counted.",
        },
    ),
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
    if all(n.code != form.nomination_code for n in rules.definition.nominations):
        raise ProblemError(
            422,
            "unknown_nomination",
            "Invalid input",
            f"the contest has no nomination {form.nomination_code!r}",
        )
    if form.application_id not in rules.choices.get(form.nomination_code, frozenset()):
        raise ProblemError(
            422,
            "not_a_choice",
            "Invalid input",
            f"{form.application_id!r} is not a finalist of {form.nomination_code!r}",
        )
    seat = (contest_id, form.nomination_code, voter)
    unconfirmed = (form.nomination_code, voter) in rules.unconfirmed
    if unconfirmed or not context.recent_voters.take(seat):
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
    envelope = envelope_in_flow(event, source=SOURCE, subject=voter)
    publishing = asyncio.ensure_future(context.publisher.publish_envelope(VOTES, envelope))
    try:
        # Shielded: giving up the wait must not give up the record, which aiokafka may
        # already hold in its queue and send once the broker answers.
        await asyncio.wait_for(
            asyncio.shield(publishing), timeout=context.settings.publish_timeout_s
        )
    except TimeoutError:
        # The vote may still be counted: never "not counted", and the seat stays taken.
        await keep_unconfirmed(context, event, envelope, publishing)
        return Receipt(receipt_id=receipt_id, status="uncertain")
    except Exception as error:
        # The producer failed it before the timeout (not started, no such topic, refused
        # by the broker): a batch in flight is retried until aiokafka's request timeout,
        # far past ours, so a failure this early means the broker did not store it.
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
    summary="What became of the vote behind a receipt: counted, refused, pending (sent again "
    "until the broker takes it) or unknown. Who may call: anyone holding the receipt id.",
    responses=problems(
        described={404: "`unknown_receipt`: not a receipt id (receipts are UUIDv7)."}
    ),
)
async def check_receipt(receipt_id: str, context: Voting) -> ReceiptCheck:
    receipt_id = _receipt_id(receipt_id)
    ballot = await context.ballots.get(receipt_id)
    if ballot is not None:
        return ReceiptCheck(
            receipt_id=receipt_id,
            status="counted",
            counted=True,
            valid=ballot.valid,
            contest_id=ballot.contest_id,
            nomination_code=ballot.nomination_code,
            cast_at=ballot.cast_at,
        )
    if await context.ballots.repeated(receipt_id):
        return ReceiptCheck(
            receipt_id=receipt_id,
            status="refused",
            counted=False,
            valid=None,
            refused="already_voted",
        )
    kept = await context.unconfirmed.get(receipt_id)
    if kept is not None:
        return ReceiptCheck(
            receipt_id=receipt_id,
            status="pending",
            counted=False,
            valid=None,
            contest_id=kept["contest_id"],
            nomination_code=kept["nomination_code"],
            cast_at=as_utc(kept["cast_at"]),
        )
    return ReceiptCheck(receipt_id=receipt_id, status="unknown", counted=False, valid=None)


def _receipt_id(text: str) -> str:
    """The receipt id ``text`` spells (its canonical form), or a 404: receipts are UUIDv7
    (``new_event_id``), so anything else names no receipt."""
    try:
        parsed = uuid.UUID(text)
    except ValueError:
        parsed = None
    if (
        parsed is None
        or parsed.version != 7
        or parsed.variant != uuid.RFC_4122
        or len(text) != len(str(parsed))
    ):
        raise ProblemError(404, "unknown_receipt", "Not found", "this is not a receipt id")
    return str(parsed)
