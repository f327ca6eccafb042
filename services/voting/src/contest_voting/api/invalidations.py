"""Fraud handling: operators invalidate ballots, with a reason, and every decision is audited."""

from __future__ import annotations

from datetime import datetime
from ipaddress import ip_network
from typing import Self

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from contest_contracts.envelope import new_event_id
from contest_runtime.auth import Operator
from contest_runtime.openapi import problems
from contest_runtime.problems import ProblemError
from contest_voting.api.voters import Voting, phone_and_key
from contest_voting.context import VotingContext
from contest_voting.domain.invalidation import ByVoter, ByWindow, Selection
from contest_voting.store.invalidations import Invalidation

router = APIRouter(tags=["invalidations"])


class VoterSelection(BaseModel):
    """One voter, by phone number or by voter key (as investigations export them)."""

    model_config = ConfigDict(extra="forbid")

    phone: str | None = Field(default=None, min_length=5, max_length=32)
    voter_key: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.phone is None) == (self.voter_key is None):
            raise ValueError("give either phone or voter_key")
        return self


class WindowSelection(BaseModel):
    """Ballots cast in [``cast_from``, ``cast_until``) from an address range."""

    model_config = ConfigDict(extra="forbid")

    cast_from: AwareDatetime
    cast_until: AwareDatetime
    client_network: str = Field(description="Address range in CIDR notation, e.g. 10.2.0.0/16.")

    @field_validator("client_network")
    @classmethod
    def _network(cls, value: str) -> str:
        return str(ip_network(value, strict=False))

    @model_validator(mode="after")
    def _window(self) -> Self:
        if self.cast_from >= self.cast_until:
            raise ValueError("cast_from must be before cast_until")
        return self


class InvalidationForm(BaseModel):
    """An invalidation: a reason and exactly one selection."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=1000)
    voter: VoterSelection | None = None
    window: WindowSelection | None = None

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.voter is None) == (self.window is None):
            raise ValueError("give either voter or window")
        return self


class InvalidationView(BaseModel):
    """An invalidation as audited."""

    invalidation_id: str
    contest_id: str
    reason: str
    by: str
    at: datetime
    selection: dict[str, object]
    ballots_invalidated: dict[str, int] | None


class InvalidationPreview(BaseModel):
    """What an invalidation would take out of the count now, had it been decided."""

    contest_id: str
    selection: dict[str, object]
    ballots_invalidated: dict[str, int] = Field(
        description="Per nomination, the valid ballots it would make invalid."
    )
    choices: dict[str, dict[str, int]] = Field(
        description="Per nomination, per choice (application id), the votes it would remove."
    )


async def _selection(
    contest_id: str, form: InvalidationForm, context: VotingContext
) -> tuple[Selection, dict[str, object]]:
    """The ballots a form selects, and how the audit records the selection; 404 for an
    unknown contest, 409 ``vote_certified`` once the tally no longer changes."""
    await context.contests.require(contest_id)
    vote = await context.public_votes.get(contest_id)
    if vote.certified is not None:
        raise ProblemError(
            409,
            "vote_certified",
            "Conflict with the current state",
            "the tally is certified and published; it no longer changes",
        )
    if form.voter is not None:
        key = form.voter.voter_key or phone_and_key(context, form.voter.phone or "")[1]
        return ByVoter(voter_key=key), {"voter_key": key}
    assert form.window is not None
    window = form.window
    selection = ByWindow(window.cast_from, window.cast_until, ip_network(window.client_network))
    return selection, window.model_dump(mode="json")


@router.post(
    "/contests/{contest_id}/invalidations/preview",
    responses=problems(404, 409, 422),
    summary="What the same invalidation would take out of the count now, per nomination and "
    "choice, without deciding it: nothing is written or audited. Who may call: operators.",
)
async def preview(
    contest_id: str, form: InvalidationForm, context: Voting, operator: Operator
) -> InvalidationPreview:
    selection, audited = await _selection(contest_id, form, context)
    would = await context.ballots.would_invalidate(contest_id, selection)
    return InvalidationPreview(
        contest_id=contest_id,
        selection=audited,
        ballots_invalidated={code: sum(votes.values()) for code, votes in would.items()},
        choices={code: dict(votes) for code, votes in would.items()},
    )


@router.post(
    "/contests/{contest_id}/invalidations",
    responses=problems(404, 409, 422),
    status_code=201,
    summary="Invalidate ballots (of one voter, or cast in a time window from an address range) "
    "with a reason; tallies drop them at once. Refused once the tally is certified. Who may "
    "call: operators.",
)
async def invalidate(
    contest_id: str, form: InvalidationForm, context: Voting, operator: Operator
) -> InvalidationView:
    selection, audited = await _selection(contest_id, form, context)
    invalidation = Invalidation(
        invalidation_id=new_event_id(),
        contest_id=contest_id,
        reason=form.reason,
        by=operator.subject,
        at=context.clock(),
        selection=audited,
    )
    await context.invalidations.begin(invalidation)
    ballots = await context.ballots.invalidate(contest_id, selection, invalidation.invalidation_id)
    await context.invalidations.complete(invalidation.invalidation_id, dict(ballots))
    return InvalidationView(
        **invalidation.model_dump(exclude={"ballots_invalidated"}),
        ballots_invalidated=dict(ballots),
    )


@router.get(
    "/contests/{contest_id}/invalidations",
    responses=problems(404),
    summary="Every invalidation of a contest with who decided it, when, why and what it "
    "invalidated. Who may call: operators.",
)
async def invalidations(
    contest_id: str, context: Voting, operator: Operator
) -> list[InvalidationView]:
    await context.contests.require(contest_id)
    return [
        InvalidationView(**i.model_dump())
        for i in await context.invalidations.of_contest(contest_id)
    ]
