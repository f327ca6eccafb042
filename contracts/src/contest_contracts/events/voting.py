"""Public vote: votes cast and tallies updated."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from contest_contracts.common import Code, ContractModel, EntityId, UtcDateTime
from contest_contracts.envelope import EventData
from contest_contracts.events.contest import TallyVisibility


class VoteCast(EventData):
    """A verified voter cast a vote. Restricted: keyed by the voter so their votes stay ordered."""

    event_type: ClassVar[str] = "kz.contest.vote.cast"

    receipt_id: EntityId = Field(description="Receipt given to the voter; the ballot's id.")
    contest_id: EntityId = Field(description="Contest id.")
    nomination_code: Code = Field(description="Nomination voted in.")
    application_id: EntityId = Field(description="The finalist voted for.")
    voter_key: str = Field(
        pattern=r"^[0-9a-f]{64}$",
        description="HMAC-SHA256 of the normalised phone number, hex; never the number.",
    )
    voter_key_version: int = Field(ge=1, description="Version of the HMAC key used.")
    client_address: str = Field(description="Client IP address (for fraud investigation).")
    cast_at: UtcDateTime = Field(description="When the vote was accepted.")


class TallyEntry(ContractModel):
    """One choice in a published tally; `votes` is absent while counts are hidden."""

    application_id: EntityId = Field(description="The finalist.")
    rank: int | None = Field(default=None, ge=1, description="Rank; absent while hidden.")
    votes: int | None = Field(default=None, ge=0, description="Votes; absent unless live.")


class TallyUpdated(EventData):
    """The public view of a nomination's tally (at most about once a second); the last one
    of a nomination is the certified final tally, with every count shown. Before that, a
    `ranks_only` view shows ranks alone and a `hidden` view the choices alone, neither with
    participation."""

    event_type: ClassVar[str] = "kz.contest.tally.updated"

    contest_id: EntityId = Field(description="Contest id.")
    nomination_code: Code = Field(description="Nomination.")
    visibility: TallyVisibility = Field(description="What this view may show.")
    certified: bool = Field(
        default=False, description="The final, certified tally: every count is public."
    )
    participation: int = Field(
        ge=0,
        description="Valid ballots so far where the view shows counts (`live`, or "
        "`certified`). 0 while `ranks_only` or `hidden` keep counts back: participation read "
        "at every refresh could be differenced back into them.",
    )
    entries: list[TallyEntry] = Field(description="Choices; content limited by `visibility`.")
    as_of: UtcDateTime = Field(description="When the counts were read.")
