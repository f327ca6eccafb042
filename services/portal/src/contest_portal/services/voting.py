"""What the portal asks of voting: where a contest's public vote stands, its tallies (as a
document and as voting's stream of changes); and, for a voter, a one-time code, a voter
token, a vote, and what became of it."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from datetime import datetime
from enum import StrEnum
from typing import Literal
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict

from contest_contracts.events.voting import TallyUpdated
from contest_portal.services.calls import NotFound, ServiceUnavailable, get_json, post_json

log = logging.getLogger(__name__)

STREAM_READ_TIMEOUT_S = 60.0
"""Voting's stream sends a heartbeat every 15 s when nothing changes: a minute of silence
is a stream that broke."""


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

    async def tallies(self, contest_id: str) -> list[TallyUpdated]:
        """Each nomination's public tally view, as the contest's visibility allows;
        :class:`NotFound` when voting does not know the contest."""
        path = f"/contests/{quote(contest_id, safe='')}/tallies"
        views = await get_json(self.client, "voting", path)
        return [TallyUpdated.model_validate(view) for view in views]

    async def choices(self, contest_id: str, nomination_code: str) -> list[str] | None:
        """The application ids a nomination's voters choose from (the choices of its
        public tally view, which every visibility shows); None when voting knows no such
        nomination's vote. A service that does not answer is :class:`ServiceUnavailable`."""
        for view in await self.tallies(contest_id):
            if view.nomination_code == nomination_code:
                return [entry.application_id for entry in view.entries]
        return None

    async def tally_changes(self, contest_id: str) -> AsyncIterator[TallyUpdated | None]:
        """Voting's stream of tally views: every nomination's view first, then each that
        changes, None for each heartbeat; it ends after the certified views. A stream that
        cannot be opened or breaks is :class:`ServiceUnavailable`."""
        path = f"/contests/{quote(contest_id, safe='')}/tallies/stream"
        timeout = httpx.Timeout(self.client.timeout.connect, read=STREAM_READ_TIMEOUT_S)
        try:
            async with self.client.stream(
                "GET", path, headers={"Accept": "text/event-stream"}, timeout=timeout
            ) as response:
                if response.status_code == 404:
                    raise NotFound(path)
                if response.status_code != 200:
                    raise ServiceUnavailable("voting", f"HTTP {response.status_code}")
                async for event, data in server_sent_events(response.aiter_lines()):
                    if event == "tally":
                        yield TallyUpdated.model_validate(json.loads(data))
                    elif event is None:
                        yield None
        except httpx.HTTPError as error:
            log.warning(
                "tally stream broke", extra={"contest_id": contest_id, "error": repr(error)}
            )
            raise ServiceUnavailable("voting", type(error).__name__) from error

    async def receipt(self, receipt_id: str) -> ReceiptCheck:
        """What became of the vote behind a receipt; :class:`NotFound` for anything that is
        not a receipt id."""
        path = f"/receipts/{quote(receipt_id, safe='')}"
        body = await get_json(self.client, "voting", path, fresh=True)
        return ReceiptCheck.model_validate(body)


class ReceiptCheck(BaseModel):
    """A receipt's state as voting answers it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    receipt_id: str
    status: Literal["counted", "refused", "pending", "unknown"]
    valid: bool | None = None
    refused: str | None = None
    contest_id: str | None = None
    nomination_code: str | None = None
    cast_at: datetime | None = None


class VoterToken(BaseModel):
    """Proof of a verified phone number, for casting votes."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    token: str
    expires_in_s: int


class Cast(BaseModel):
    """The receipt of a vote: `accepted` (the broker holds it) or `uncertain` (it may)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    receipt_id: str
    status: Literal["accepted", "uncertain"]


class Challenge(BaseModel):
    """Work voting asks of a browser before it sends a code: ``difficulty`` leading zero
    bits of sha256(challenge || phone || nonce); none when ``challenge`` is None."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    challenge: str | None
    difficulty: int


class VotingBallots:
    """Voting's routes for voters: each refusal is :class:`Refused` with voting's code."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def challenge(self) -> Challenge:
        """A new challenge to solve before asking for a code (difficulty 0: none asked)."""
        body = await post_json(self.client, "voting", "/voters/challenges", {})
        return Challenge.model_validate(body)

    async def send_code(
        self, phone: str, client_address: str, challenge: str | None, nonce: str | None
    ) -> None:
        """Ask for a one-time code by SMS to ``phone``, with the solved challenge if any."""
        body = {"phone": phone}
        if challenge:
            body["challenge"] = challenge
        if nonce:
            body["nonce"] = nonce
        await post_json(self.client, "voting", "/voters/codes", body, client_address=client_address)

    async def verify(self, phone: str, code: str) -> VoterToken:
        """Exchange a one-time code for a voter token."""
        body = await post_json(
            self.client, "voting", "/voters/tokens", {"phone": phone, "code": code}
        )
        return VoterToken.model_validate(body)

    async def cast(
        self,
        contest_id: str,
        nomination_code: str,
        application_id: str,
        token: str,
        client_address: str,
    ) -> Cast:
        """Cast a verified voter's vote."""
        body = await post_json(
            self.client,
            "voting",
            f"/contests/{quote(contest_id, safe='')}/votes",
            {"nomination_code": nomination_code, "application_id": application_id},
            token=token,
            client_address=client_address,
        )
        return Cast.model_validate(body)


async def server_sent_events(lines: AsyncIterator[str]) -> AsyncIterator[tuple[str | None, str]]:
    """The events of a `text/event-stream` as (event name, data); a comment line (a
    heartbeat) is (None, "")."""
    event, data = "message", list[str]()
    async for line in lines:
        if not line:
            if data:
                yield event, "\n".join(data)
            event, data = "message", []
        elif line.startswith(":"):
            yield None, ""
        else:
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                event = value
            elif field == "data":
                data.append(value)
