"""What the portal reads from voting: where a contest's public vote stands."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict

from contest_portal.services.calls import NotFound, ServiceUnavailable, get_json


class VoteStatus(StrEnum):
    """Whether the public vote takes votes (voting's words)."""

    NOT_OPEN = "not_open"
    OPEN = "open"
    CLOSED = "closed"


class VoteState(BaseModel):
    """A public vote's state as voting answers it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    status: VoteStatus
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    closed_at: datetime | None = None
    certified: bool = False


class VotingReader:
    """Voting's public routes."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def vote_state(self, contest_id: str) -> VoteState | None:
        """The vote's state; None when voting does not know the contest (yet) or does not
        answer: a contest's page is still made from its schedule then."""
        try:
            path = f"/contests/{quote(contest_id, safe='')}/vote"
            body = await get_json(self.client, "voting", path)
        except (NotFound, ServiceUnavailable):
            return None
        return VoteState.model_validate(body)
