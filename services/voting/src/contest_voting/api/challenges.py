"""The proof-of-work challenge of code requests (``domain.challenges``): handed out by one
route, checked and spent by the code request that carries it."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from contest_runtime.problems import ProblemError
from contest_voting.context import VotingContext, voting
from contest_voting.domain.challenges import ChallengeRefusal, issue_challenge, judge

router = APIRouter(tags=["voters"])

Voting = Annotated[VotingContext, Depends(voting)]

REFUSALS = {
    "challenge_required": (428, "Precondition required", "solve a challenge first"),
    ChallengeRefusal.EXPIRED.value: (
        422,
        "Invalid input",
        "the challenge is not one voting issued, or it has expired: get a new one",
    ),
    ChallengeRefusal.UNSOLVED.value: (
        422,
        "Invalid input",
        "the nonce does not solve the challenge for this number",
    ),
    "challenge_spent": (409, "Conflict", "this challenge was used already: get a new one"),
}
"""Each refusal of a challenge: status, title, detail."""


class ChallengeIssued(BaseModel):
    """Work to do before asking for a code, or none (``difficulty`` 0)."""

    challenge: str | None = Field(
        description="Opaque and signed; sent back with the code request. None when no work "
        "is asked for."
    )
    difficulty: int = Field(
        description="Leading zero bits sha256(challenge || phone || nonce) must have, with "
        "the normalised number (+77XXXXXXXXX) and a decimal nonce."
    )
    expires_in_s: int = Field(description="Seconds left to solve and use it.")


@router.post(
    "/voters/challenges",
    status_code=201,
    summary="A proof-of-work challenge to solve before asking for a code. Who may call: anyone.",
)
async def new_challenge(context: Voting, response: Response) -> ChallengeIssued:
    settings = context.settings
    response.headers["Cache-Control"] = "no-store"
    if settings.challenge_difficulty == 0 or settings.challenge_secret is None:
        return ChallengeIssued(challenge=None, difficulty=0, expires_in_s=0)
    expires_at = context.clock() + timedelta(seconds=settings.challenge_ttl_s)
    secret = settings.challenge_secret.get_secret_value().encode()
    return ChallengeIssued(
        challenge=issue_challenge(secret, settings.challenge_difficulty, expires_at),
        difficulty=settings.challenge_difficulty,
        expires_in_s=settings.challenge_ttl_s,
    )


def _refuse(code: str) -> ProblemError:
    status, title, detail = REFUSALS[code]
    return ProblemError(status, code, title, detail)


async def spend_work(
    context: VotingContext, phone: str, challenge: str | None, nonce: str | None
) -> None:
    """Let a code request for ``phone`` through only with a solved challenge it spends,
    when the setting asks for one: the signature, expiry and work first (pure, two
    hashes), then the spend (one insert). A refused request has spent nothing."""
    settings = context.settings
    if settings.challenge_difficulty == 0 or settings.challenge_secret is None:
        return
    if not challenge or not nonce:
        raise _refuse("challenge_required")
    secret = settings.challenge_secret.get_secret_value().encode()
    judged = judge(challenge, phone, nonce, secret, settings.challenge_difficulty, context.clock())
    if isinstance(judged, ChallengeRefusal):
        raise _refuse(judged.value)
    if not await context.spent_challenges.spend(judged.signature, judged.expires_at):
        raise _refuse("challenge_spent")
