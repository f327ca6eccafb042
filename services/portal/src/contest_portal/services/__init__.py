"""Thin typed readers of the services' public HTTP APIs, over pooled connections.

The portal holds no data: every page is read from intake, judging and voting as it is
served (an answer to a GET shared for `PORTAL_SERVICE_CACHE_S` by every page asking the
same, see :mod:`.recent`), and votes are written to voting. A service that does not answer is
:class:`ServiceUnavailable`; a contest or project
it does not know is :class:`NotFound`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import httpx

from contest_portal.services.calls import NotFound, Refused, ServiceUnavailable
from contest_portal.services.connections import StackedConnections
from contest_portal.services.intake import IntakeReader
from contest_portal.services.judging import JudgingReader
from contest_portal.services.recent import RecentAnswers
from contest_portal.services.records import Records
from contest_portal.services.voting import VotingBallots, VotingReader
from contest_portal.settings import PortalSettings

__all__ = ["NotFound", "Refused", "ServiceUnavailable", "Services", "open_services"]


@dataclass(frozen=True)
class Services:
    """The readers of the services the portal's pages are made of."""

    intake: IntakeReader
    judging: JudgingReader
    voting: VotingReader
    ballots: VotingBallots
    """Voting's routes for voters (codes, tokens, votes), on the same connections."""
    records: Records
    """What the workspaces' exports and documents read with the person's token."""
    notifications: httpx.AsyncClient
    """Notifications' API, for the operator's console (every call with the person's token)."""


@asynccontextmanager
async def open_services(settings: PortalSettings) -> AsyncIterator[Services]:
    """One pooled HTTP client per service, open for as long as the block runs (the app's
    lifespan): a client is bound to the event loop it was made in. Its connections are a
    stack of at most `PORTAL_SERVICE_CONNECTIONS` (:mod:`.connections`), its answers to
    GETs shared for a moment (:mod:`.recent`)."""
    timeout = httpx.Timeout(settings.service_timeout_s)
    async with AsyncExitStack() as stack:

        def client(url: object) -> httpx.AsyncClient:
            transport = RecentAnswers(
                StackedConnections(settings.service_connections), settings.service_cache_s
            )
            opened = httpx.AsyncClient(
                base_url=str(url).rstrip("/"),
                timeout=timeout,
                transport=transport,
                headers={"Accept": "application/json", "User-Agent": "contest-portal"},
            )
            stack.push_async_callback(opened.aclose)
            return opened

        voting = client(settings.voting_url)
        intake, judging = client(settings.intake_url), client(settings.judging_url)
        yield Services(
            intake=IntakeReader(intake),
            judging=JudgingReader(judging),
            voting=VotingReader(voting),
            ballots=VotingBallots(voting),
            records=Records(intake, judging),
            notifications=client(settings.notifications_url),
        )
