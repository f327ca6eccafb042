"""What the operator's console reads from and asks of voting: the vote's state, its close,
fraud invalidations previewed (what they would take out, nothing written) and decided, and
the audit of every invalidation."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict

from contest_portal.services.calls import get_json, send_json
from contest_portal.services.voting import VoteStatus


class _Read(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class VoteControl(_Read):
    """Where the public vote stands, as the operator sees it."""

    status: VoteStatus
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    closed_at: datetime | None = None
    certified: bool = False


class VoteClosing(_Read):
    """An operator's close, as voting takes it: it applies from ``closed_at`` on."""

    status: Literal["closing"]
    closed_at: datetime


class Preview(_Read):
    """What an invalidation would take out of the count now, per nomination and choice."""

    ballots_invalidated: dict[str, int]
    choices: dict[str, dict[str, int]]

    @property
    def total(self) -> int:
        """Ballots it would invalidate in every nomination."""
        return sum(self.ballots_invalidated.values())


class InvalidationRecord(_Read):
    """An invalidation decided: who, when, why, what it selected and invalidated."""

    invalidation_id: str
    reason: str
    by: str
    at: datetime
    selection: dict[str, Any]
    ballots_invalidated: dict[str, int] | None = None

    @property
    def window(self) -> tuple[datetime, datetime, str] | None:
        """The time window and address range it selected; None when it selected a voter."""
        if "cast_from" not in self.selection:
            return None
        return (
            datetime.fromisoformat(str(self.selection["cast_from"])),
            datetime.fromisoformat(str(self.selection["cast_until"])),
            str(self.selection["client_network"]),
        )


def _vote(contest_id: str) -> str:
    return f"/contests/{quote(contest_id, safe='')}"


async def state(client: httpx.AsyncClient, token: str, contest_id: str) -> VoteControl:
    """The vote's state (:class:`~contest_portal.services.calls.NotFound` when voting does
    not know the contest)."""
    answer = await get_json(client, "voting", f"{_vote(contest_id)}/vote", token=token)
    return VoteControl.model_validate(answer)


async def close(client: httpx.AsyncClient, token: str, contest_id: str) -> VoteClosing:
    """Close the vote: `closing`, and from when no vote is taken; `vote_closed` when it is
    closed, `vote_not_open` without choices."""
    answer = await send_json(
        client, "voting", "POST", f"{_vote(contest_id)}/vote/close", None, token=token
    )
    return VoteClosing.model_validate(answer)


async def preview(
    client: httpx.AsyncClient, token: str, contest_id: str, request: dict[str, Any]
) -> Preview:
    """What the invalidation ``request`` would take out now; nothing is written."""
    answer = await send_json(
        client,
        "voting",
        "POST",
        f"{_vote(contest_id)}/invalidations/preview",
        request,
        token=token,
    )
    return Preview.model_validate(answer)


async def invalidate(
    client: httpx.AsyncClient, token: str, contest_id: str, request: dict[str, Any]
) -> InvalidationRecord:
    """Decide the invalidation ``request``: its ballots leave the tally at once."""
    answer = await send_json(
        client, "voting", "POST", f"{_vote(contest_id)}/invalidations", request, token=token
    )
    return InvalidationRecord.model_validate(answer)


async def invalidations(
    client: httpx.AsyncClient, token: str, contest_id: str
) -> list[InvalidationRecord]:
    """Every invalidation of the contest, oldest first."""
    answer = await get_json(client, "voting", f"{_vote(contest_id)}/invalidations", token=token)
    return [InvalidationRecord.model_validate(item) for item in answer]
