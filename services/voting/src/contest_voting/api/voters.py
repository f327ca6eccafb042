"""Voter verification: a one-time code by SMS, then a short-lived voter token."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from contest_contracts.envelope import new_event_id
from contest_contracts.events.notifications import Channel, NotificationRequested, Recipient
from contest_contracts.topics import NOTIFICATION_PRIORITY
from contest_runtime.openapi import problems
from contest_runtime.problems import ProblemError
from contest_voting.api.challenges import spend_work
from contest_voting.context import VotingContext, voting
from contest_voting.domain.challenges import NONCE
from contest_voting.domain.voters import (
    code_digest,
    new_code,
    normalise_phone,
    voter_key,
    voter_token,
)

router = APIRouter(tags=["voters"])

Voting = Annotated[VotingContext, Depends(voting)]
_HOUR = timedelta(hours=1)


class CodeRequest(BaseModel):
    """A phone number to send a one-time code to."""

    model_config = ConfigDict(extra="forbid")

    phone: str = Field(min_length=5, max_length=32, description="Kazakhstan mobile number.")
    challenge: str | None = Field(
        default=None,
        max_length=128,
        description="A challenge from `POST /voters/challenges`, when it asks for work.",
    )
    nonce: str | None = Field(
        default=None,
        pattern=NONCE,
        description="What solves the challenge for this number (decimal).",
    )


class CodeSent(BaseModel):
    """A code is on its way."""

    expires_in_s: int
    attempts: int


class CodeAnswer(BaseModel):
    """The code a voter received."""

    model_config = ConfigDict(extra="forbid")

    phone: str = Field(min_length=5, max_length=32)
    code: str = Field(pattern=r"^\d{6}$", description="The six digits received.")


class VoterToken(BaseModel):
    """Proof of a verified phone number, for casting votes."""

    token: str
    expires_in_s: int


def phone_and_key(context: VotingContext, raw_phone: str) -> tuple[str, str]:
    """The normalised phone number and the voter key behind it (422 if it is no number)."""
    phone = normalise_phone(raw_phone, context.settings.phone_countries)
    if phone is None:
        raise ProblemError(
            422,
            "invalid_phone",
            "Invalid input",
            "a mobile number of "
            + ", ".join(context.settings.phone_countries)
            + ", e.g. +77011234567",
        )
    return phone, voter_key(phone, context.settings.voter_key_secret.get_secret_value().encode())


def client_address(request: Request) -> str:
    """The caller's address (the direct peer; a proxy in front must be trusted to set it)."""
    return request.client.host if request.client else "unknown"


async def _limit(context: VotingContext, rule: str, subject: str, limit: int) -> None:
    retry_after = await context.limits.spend(rule, subject, limit, _HOUR, context.clock())
    if retry_after is not None:
        raise ProblemError(
            429,
            "rate_limited",
            "Too many requests",
            f"at most {limit} code requests per hour; try again later",
            headers={"Retry-After": str(math.ceil(retry_after))},
        )


@router.post(
    "/voters/codes",
    responses=problems(
        422,
        429,
        described={
            409: "`challenge_spent`: the challenge bought a code already",
            422: "`invalid_phone`; `challenge_expired`: not signed by voting, expired or "
            "easier than asked now; `challenge_unsolved`: the nonce does not solve it for "
            "this number",
            428: "`challenge_required`: the setting asks for a solved challenge",
        },
    ),
    status_code=202,
    summary="Send a one-time code to a phone number by SMS. Who may call: anyone (with a "
    "solved challenge when `VOTING_CHALLENGE_DIFFICULTY` is above 0; limited per phone "
    "number and per client address).",
)
async def request_code(form: CodeRequest, request: Request, context: Voting) -> CodeSent:
    phone, key = phone_and_key(context, form.phone)
    # The work before the limits: a request without it spends no one's allowance (else
    # anyone could use up a number's codes for an hour without solving anything).
    await spend_work(context, phone, form.challenge, form.nonce)
    settings = context.settings
    await _limit(
        context, "codes-per-address", client_address(request), settings.codes_per_address_per_hour
    )
    await _limit(context, "codes-per-phone", key, settings.codes_per_phone_per_hour)
    code = new_code()
    expires_at = context.clock() + timedelta(seconds=settings.code_ttl_s)
    await context.codes.issue(key, code_digest(code, key), expires_at, settings.code_attempts)
    await context.publisher.publish(
        NOTIFICATION_PRIORITY,
        NotificationRequested(
            notification_id=f"voter-code-{new_event_id()}",
            channel=Channel.SMS,
            recipient=Recipient(recipient_id=f"voter-{key[:32]}", address=phone),
            template="voter_code",
            parameters={"code": code, "minutes": str(settings.code_ttl_s // 60)},
            essential=True,
        ),
        subject=f"voter-{key[:32]}",
    )
    return CodeSent(expires_in_s=settings.code_ttl_s, attempts=settings.code_attempts)


@router.post(
    "/voters/tokens",
    responses=problems(401, 422),
    summary="Exchange a one-time code for a voter token. Who may call: anyone holding the code "
    "(limited attempts per code).",
)
async def verify_code(form: CodeAnswer, context: Voting) -> VoterToken:
    _, key = phone_and_key(context, form.phone)
    now = context.clock()
    if not await context.codes.redeem(key, code_digest(form.code, key), now):
        attempts_left = await context.codes.spend_attempt(key, now)
        if attempts_left is None:
            raise ProblemError(
                401, "code_expired", "Authentication required", "no live code: request a new one"
            )
        raise ProblemError(
            401,
            "wrong_code",
            "Authentication required",
            f"the code does not match; {attempts_left} attempt(s) left",
        )
    settings = context.settings
    token = voter_token(
        key, settings.token_secret.get_secret_value(), timedelta(seconds=settings.token_ttl_s)
    )
    return VoterToken(token=token, expires_in_s=settings.token_ttl_s)
