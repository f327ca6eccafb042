"""Fixtures of the voting tests: a running voting service, and contests whose public vote is
open, with the finalists judging would have selected."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
import uvicorn
from fastapi import FastAPI
from httpx import AsyncClient

from contest_contracts.common import StageKind
from contest_contracts.events.contest import (
    ContestDefined,
    ContestDefinition,
    PublicVoteRules,
    StageSchedule,
    TallyVisibility,
    VoteChoices,
)
from contest_contracts.events.notifications import NotificationRequested
from contest_contracts.samples import DEFINITION, finalists_selected
from contest_contracts.topics import CONTEST_DEFINITIONS, FINALISTS, NOTIFICATION_PRIORITY
from contest_runtime.auth import AuthSettings
from contest_runtime.kafka import EventPublisher, make_broker
from contest_runtime.settings import InfraSettings
from contest_voting.app import create_app
from contest_voting.context import VotingContext
from contest_voting.domain.voters import voter_key, voter_token
from contest_voting.settings import VotingSettings

NOMINATION = DEFINITION.nominations[0].code


@dataclass
class RunningVoting:
    """A running voting service, an HTTP client to it, and judging's and intake's voice."""

    app: FastAPI
    http: AsyncClient
    outside: EventPublisher
    sms: Any
    """Recorder of the one-time-code topic (what the SMS gateway would send)."""

    @property
    def context(self) -> VotingContext:
        """The service's stores (for looking behind the API in tests)."""
        context: VotingContext = self.app.state.context
        return context

    async def open_vote(
        self,
        eventually: Callable[..., Awaitable[None]],
        visibility: TallyVisibility = TallyVisibility.LIVE,
        finalists: int = 3,
        closes_in: timedelta = timedelta(days=1),
        choices: VoteChoices = VoteChoices.FINALISTS,
    ) -> tuple[ContestDefinition, list[str]]:
        """A contest whose public vote runs now, and its finalists (ids) in one nomination
        (none when it votes on its gallery)."""
        now = datetime.now(UTC)
        definition = DEFINITION.model_copy(
            update={
                "contest_id": f"contest-{uuid.uuid4().hex[:10]}",
                "stages": [
                    *DEFINITION.stages,
                    StageSchedule(
                        stage=StageKind.PUBLIC_VOTE,
                        opens_at=now - timedelta(hours=1),
                        closes_at=now + closes_in,
                    ),
                ],
                "public_vote": PublicVoteRules(visibility=visibility, choices=choices),
            }
        )
        contest_id = definition.contest_id
        await self.outside.publish(
            CONTEST_DEFINITIONS,
            ContestDefined(definition=definition, revision=1),
            subject=contest_id,
        )
        await eventually(lambda: self.context.contests.get(contest_id))
        ids = [f"app-{uuid.uuid4().hex[:10]}" for _ in range(finalists)]
        await self.outside.publish(
            FINALISTS, finalists_selected(contest_id, ids, NOMINATION, now), subject=contest_id
        )
        if choices == VoteChoices.GALLERY:
            return definition, []
        await eventually(lambda: _has_choices(self.context, contest_id))
        return definition, ids

    async def tally_once(
        self,
        contest_id: str,
        eventually: Callable[..., Awaitable[None]],
        until: Callable[[dict[str, Any]], bool],
    ) -> dict[str, Any]:
        """The public tally of the contest's one nomination, once ``until`` holds for it:
        the views are up to a refresh interval old."""
        seen: list[dict[str, Any]] = []

        async def holds() -> bool:
            (view,) = (await self.http.get(f"/contests/{contest_id}/tallies")).json()
            seen.append(view)
            return until(view)

        await eventually(holds)
        return seen[-1]

    def voter_key_of(self, phone: str) -> str:
        """The voter key the service makes of ``phone``."""
        return voter_key(phone, self.context.settings.voter_key_secret.get_secret_value().encode())

    def minted(self, phone: str) -> dict[str, str]:
        """The Authorization header of a voter token for ``phone``, made with the service's
        secret: for tests about votes, not about verification (which needs the SMS topic)."""
        secret = self.context.settings.token_secret.get_secret_value()
        token = voter_token(self.voter_key_of(phone), secret, timedelta(minutes=15))
        return {"Authorization": f"Bearer {token}"}

    def code_sent_to(self, phone: str) -> str | None:
        """The latest one-time code the SMS gateway was asked to send to ``phone``."""
        sent = [
            e.data
            for e in self.sms.events
            if isinstance(e.data, NotificationRequested) and e.data.recipient.address == phone
        ]
        return sent[-1].parameters["code"] if sent else None

    async def verified(
        self, phone: str, eventually: Callable[..., Awaitable[None]]
    ) -> dict[str, str]:
        """Go through verification for ``phone``; returns the voter's Authorization header."""
        codes_before = len([e for e in self.sms.events if e.data.recipient.address == phone])
        answer = await self.http.post("/voters/codes", json={"phone": phone})
        assert answer.status_code == 202, answer.text
        await eventually(
            lambda: (
                len([e for e in self.sms.events if e.data.recipient.address == phone])
                > codes_before
            )
        )
        token = await self.http.post(
            "/voters/tokens", json={"phone": phone, "code": self.code_sent_to(phone)}
        )
        assert token.status_code == 200, token.text
        return {"Authorization": f"Bearer {token.json()['token']}"}


async def _has_choices(context: VotingContext, contest_id: str) -> bool:
    return bool((await context.public_votes.get(contest_id)).choices)


def voting_settings(infra: InfraSettings, auth: AuthSettings, **changes: Any) -> VotingSettings:
    """Settings of a voting service with a database and groups of its own."""
    name = f"voting-{uuid.uuid4().hex[:8]}"
    return VotingSettings(
        mongodb_database=name,
        consumer_group=name,
        infra=infra,
        auth=auth,
        voter_key_secret="voter-key-secret-of-the-voting-tests",
        token_secret="token-secret-of-the-voting-tests-000",
        codes_per_phone_per_hour=3,
        codes_per_address_per_hour=1000,
        closing_interval_s=0.2,
        closing_grace_s=0.5,
        outbox_interval_s=0.2,
        tally_refresh_s=0.2,
        ballot_rules_cache_s=0.2,
        **changes,
    )


VotingOn = Callable[..., AbstractAsyncContextManager[RunningVoting]]


@pytest.fixture(scope="session")
def voting_on(auth_settings: AuthSettings, app_client: Any) -> VotingOn:
    """``async with voting_on(infra, sms, **settings) as voting:`` a voting service on the
    broker and store ``infra`` names, with settings changed as given."""

    @asynccontextmanager
    async def running(
        infra: InfraSettings, sms: Any = None, **changes: Any
    ) -> AsyncIterator[RunningVoting]:
        broker = make_broker(infra, client_id="judging-and-intake-stand-in")
        await broker.start()
        try:
            app = create_app(voting_settings(infra, auth_settings, **changes))
            async with app_client(app) as http:
                yield RunningVoting(
                    app, http, EventPublisher(broker, source="/contest/judging"), sms
                )
        finally:
            await broker.stop()

    return running


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def voting(
    infra_settings: InfraSettings,
    voting_on: VotingOn,
    recording: Callable[..., Awaitable[Any]],
) -> AsyncIterator[RunningVoting]:
    """One voting service for the voting tests."""
    sms = await recording(NOTIFICATION_PRIORITY)
    async with voting_on(infra_settings, sms) as running:
        yield running


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def served(voting: RunningVoting) -> AsyncIterator[AsyncClient]:
    """The running voting service behind a real HTTP server on a loopback port, for what the
    in-process transport cannot do: read a stream while it is being written."""
    listening = socket.create_server(("127.0.0.1", 0))  # connections wait in its backlog
    port = listening.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(voting.app, lifespan="off", log_config=None))
    serving = asyncio.create_task(server.serve(sockets=[listening]))
    async with AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
        yield http
    server.should_exit = True
    await serving
