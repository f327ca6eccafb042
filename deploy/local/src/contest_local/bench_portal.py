"""``python -m contest_local bench --portal``: the portal's vote path and vote page, each
against its own baseline measured in the same run, with the same load generator.

It starts the embedded broker and store, intake, voting and the portal (each a process
of its own, as in production), opens a vote on a gallery of projects through intake's
API, and measures, from C concurrent keep-alive clients:

- N votes sent straight to voting's ``POST /contests/{id}/votes`` (the baseline), then N
  votes of other voters through the portal's confirmation form (``POST …/confirm``: the
  signed session cookie and its CSRF token read, the vote cast at voting, the receipt
  kept in the cookie, a 303 to the receipt page);
- N static files served by the portal (the baseline), then N vote pages (a nomination's
  finalists: read from intake and voting, rendered in Russian), neither from a cache.

Voter tokens are minted with voting's secret and the sessions signed with the portal's:
verification by SMS is not what is measured. After each vote run it waits for the tally to
reach the accepted votes, and counts votes lost and counted twice, which must be 0.
"""

from __future__ import annotations

import asyncio
import os
import platform
import secrets
import time
from collections.abc import Awaitable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from contest_local.bench import DATABASE, Load, Send, counted, generate, post_votes
from contest_local.calls import KeepAliveConnection
from contest_local.gallery_vote import Finalists, open_gallery_vote
from contest_local.infra import Endpoints, running_infrastructure
from contest_local.platform import PORTAL, portal_environment, start_services
from contest_portal.sessions import COOKIE, Sessions, VoterSession
from contest_runtime.auth import AuthSettings
from contest_voting.domain.voters import voter_key, voter_token

NOMINATION = "social-project"
PROJECTS = {(NOMINATION, "KZ-71"): 3, (NOMINATION, "KZ-75"): 2}
"""The gallery voted on: five projects of one nomination."""


@dataclass
class Measured:
    """Everything one run measured."""

    direct: Load
    portal: Load
    static: Load
    page: Load
    lost: int
    counted_twice: int

    def report(self, clients: int) -> str:
        """The figures, as printed and recorded in docs/benchmark.md."""
        rows = [
            ("votes straight to voting", self.direct),
            ("votes through the portal", self.portal),
            ("a static file of the portal", self.static),
            ("the vote page", self.page),
        ]
        return "\n".join(
            [
                f"{clients} concurrent clients on {os.cpu_count()} cores, Python "
                f"{platform.python_version()}; the generator, the services, the broker and "
                "the store share them",
                f"{'':<30}{'per second':>12}{'p50 ms':>10}{'p99 ms':>10}",
                *(
                    f"{name:<30}{load.per_second:>12.0f}{load.percentile(50):>10.1f}"
                    f"{load.percentile(99):>10.1f}"
                    for name, load in rows
                ),
                *(
                    f"{name}: not as expected {dict(load.outcomes)}"
                    for name, load in rows
                    if load.accepted < sum(load.outcomes.values())
                ),
                "votes through the portal / straight to voting: "
                f"{self.portal.per_second / self.direct.per_second:.2f}",
                f"vote pages / static files: {self.page.per_second / self.static.per_second:.2f}",
                f"lost votes: {self.lost}   votes counted twice: {self.counted_twice}",
            ]
        )


async def get_each(base_url: str, path: str, total: int, clients: int) -> Load:
    """GET ``path`` ``total`` times; a 200 is what is expected."""
    address = urlsplit(base_url)
    connections = [
        KeepAliveConnection(address.hostname or "127.0.0.1", address.port or 80)
        for _ in range(clients)
    ]

    async def send(i: int, client: int) -> str:
        status, _ = await connections[client].request("GET", path)
        return "accepted" if status == 200 else f"HTTP {status}"

    return await _closing(connections, generate(_failures_counted(send), total, clients))


async def post_forms(
    base_url: str, forms: list[tuple[str, str, bytes]], clients: int, expected: int
) -> Load:
    """POST each (path, cookie, urlencoded body); the ``expected`` status is accepted."""
    address = urlsplit(base_url)
    connections = [
        KeepAliveConnection(address.hostname or "127.0.0.1", address.port or 80)
        for _ in range(clients)
    ]

    async def send(i: int, client: int) -> str:
        path, cookie, body = forms[i]
        status, _ = await connections[client].request(
            "POST",
            path,
            body,
            {"Cookie": f"{COOKIE}={cookie}"},
            content_type="application/x-www-form-urlencoded",
        )
        return "accepted" if status == expected else f"HTTP {status}"

    return await _closing(connections, generate(_failures_counted(send), len(forms), clients))


def _failures_counted(send: Send) -> Send:
    """``send``, with a broken connection counted as what broke it rather than raised."""

    async def counted_send(i: int, client: int) -> str:
        try:
            return await send(i, client)
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError) as error:
            return type(error).__name__

    return counted_send


async def _closing(connections: list[KeepAliveConnection], load: Awaitable[Load]) -> Load:
    try:
        return await load
    finally:
        for connection in connections:
            connection.close()


async def measure(
    endpoints: Endpoints,
    voting: str,
    portal: str,
    contest_id: str,
    finalists: Finalists,
    total: int,
    clients: int,
    secrets_of: tuple[str, str],
) -> Measured:
    """The four loads, each vote run followed by the count."""
    token_secret, session_secret = secrets_of
    choices = [f["application_id"] for f in finalists[NOMINATION]]
    ttl = timedelta(hours=1)

    def token(i: int) -> str:
        return voter_token(voter_key(f"+7702{i:07d}", b"bench"), token_secret, ttl)

    votes_path = f"/contests/{contest_id}/votes"
    direct_ballots = [
        (token(i), f'{{"nomination_code":"{NOMINATION}","application_id":"{choices[i % 5]}"}}')
        for i in range(total)
    ]
    sessions = Sessions(session_secret)
    forms = []
    for i in range(total, 2 * total):
        session = VoterSession(token=token(i), token_expires_at=time.time() + 3600)
        path = f"/ru/contests/{contest_id}/vote/{NOMINATION}/{choices[i % 5]}/confirm"
        body = urlencode({"csrf": session.csrf}).encode()
        forms.append((path, sessions.signed(session), body))

    print(f"  votes straight to voting: {total} from {clients} clients", flush=True)
    receipts: list[str] = []
    encoded = [(t, b.encode()) for t, b in direct_ballots]
    direct = await post_votes(voting, votes_path, encoded, clients, receipts)
    await _counted(endpoints, contest_id, direct.accepted)
    print(f"  votes through the portal: {total} from {clients} clients", flush=True)
    through_portal = await post_forms(portal, forms, clients, expected=303)
    accepted = direct.accepted + through_portal.accepted
    tally, ballots = await _counted(endpoints, contest_id, accepted)

    page_path = f"/ru/contests/{contest_id}/vote/{NOMINATION}"
    static_path = "/static/portal.css"
    print(f"  static files: {total} from {clients} clients", flush=True)
    static = await get_each(portal, static_path, total, clients)
    print(f"  vote pages: {total} from {clients} clients", flush=True)
    page = await get_each(portal, page_path, total, clients)
    return Measured(
        direct=direct,
        portal=through_portal,
        static=static,
        page=page,
        lost=accepted - len(ballots),
        counted_twice=tally - len(ballots),
    )


async def _counted(endpoints: Endpoints, contest_id: str, accepted: int) -> tuple[int, set[str]]:
    """The tally and the ballots once the tally reaches ``accepted`` (or after 10 minutes)."""
    deadline = time.monotonic() + 600
    tally, ballots = counted(endpoints.mongodb_uri, contest_id)
    while tally < accepted and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        tally, ballots = counted(endpoints.mongodb_uri, contest_id)
    return tally, ballots


def run(total: int, clients: int, workdir: Path) -> int:
    """Start what the benchmark needs, measure, print the figures; stop everything."""
    workdir.mkdir(parents=True, exist_ok=True)
    auth = AuthSettings(jwt_key=secrets.token_urlsafe(32))
    token_secret, session_secret = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with ExitStack() as stack:
        print("starting Kafka, MongoDB, intake, voting and the portal", flush=True)
        endpoints = stack.enter_context(running_infrastructure(workdir))
        environment = {
            "AUTH_JWT_KEY": auth.jwt_key.get_secret_value(),
            "VOTING_VOTER_KEY_SECRET": secrets.token_urlsafe(32),
            "VOTING_TOKEN_SECRET": token_secret,
            "VOTING_MONGODB_DATABASE": DATABASE,
            "INTAKE_MONGODB_DATABASE": "bench_intake",
            "VOTING_LOG_LEVEL": "WARNING",
            "INTAKE_LOG_LEVEL": "WARNING",
        }
        services = start_services(stack, endpoints, workdir, environment, ("intake", "voting"))
        intake, voting = services
        (portal,) = start_services(
            stack,
            endpoints,
            workdir,
            {**portal_environment(services, session_secret), "PORTAL_LOG_LEVEL": "WARNING"},
            (PORTAL,),
        )
        print("opening a vote on a gallery of five projects", flush=True)
        contest_id, finalists = open_gallery_vote(intake.url, voting.url, auth, PROJECTS)
        measured = asyncio.run(
            measure(
                endpoints,
                voting.url,
                portal.url,
                contest_id,
                finalists,
                total,
                clients,
                (token_secret, session_secret),
            )
        )
    print(measured.report(clients))
    return 0 if measured.lost == measured.counted_twice == 0 else 1
