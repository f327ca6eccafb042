"""``python -m contest_local run``: the whole platform on this machine until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import signal
import sys
import threading
from collections.abc import Coroutine
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from contest_contracts.schemas import ASYNCAPI_FILE, DEFAULT_DIRECTORY
from contest_contracts.topics import PLATFORM_SERVICES, topics_to_create
from contest_local.demo import demo_contest_file
from contest_local.edition.plan import Scale
from contest_local.edition.show import show_edition
from contest_local.gallery_vote import open_gallery_vote
from contest_local.identity import LocalIdentity, ProviderClient, demo_accounts, identity_process
from contest_local.identity.accounts import write_private
from contest_local.identity.demo import SIGN_IN_FILE
from contest_local.inbox import inbox_process
from contest_local.infra import running_infrastructure
from contest_local.platform import (
    PORTAL,
    RUN_SERVICES,
    ServiceFailed,
    port_for,
    portal_environment,
    start_services,
)
from contest_local.supervision import RESTARTS, Supervision
from contest_runtime.auth import AuthSettings, Role, mint


def run(
    workdir: Path,
    storage: str,
    once: bool,
    scale: Scale | None,
    names: tuple[str, ...] = RUN_SERVICES,
) -> int:
    """Start broker, store, topics and the services ``names`` (the portal last, on the
    others' APIs); print where everything is, the portal first; wait for Ctrl-C, or for a
    service that stays dead."""
    workdir.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    with ExitStack() as stack:
        print("starting Kafka and MongoDB...", flush=True)
        endpoints = stack.enter_context(running_infrastructure(workdir, mongo_storage=storage))
        print(f"  kafka    {endpoints.kafka_bootstrap_servers}  ({endpoints.kafka_origin})")
        print(f"  mongodb  {endpoints.mongodb_uri}  ({endpoints.mongodb_origin})")
        print(f"  topics   {len(topics_to_create())} (catalogue and dead-letter topics)")
        print("starting services...", flush=True)
        # A signing key of this run only: tokens minted for it are worthless afterwards.
        auth = AuthSettings(jwt_key=os.environ.get("AUTH_JWT_KEY") or secrets.token_urlsafe(32))
        secret = {"AUTH_JWT_KEY": auth.jwt_key.get_secret_value()}
        # Voting's keys are made per run too, unless given: voter keys of one run do not
        # match another's. A real deployment keeps VOTING_VOTER_KEY_SECRET for the edition.
        # The challenge's key is used only with VOTING_CHALLENGE_DIFFICULTY above 0 (off by
        # default here: set it to try the phone page's browser check).
        voting_secrets = {
            name: os.environ.get(name) or secrets.token_urlsafe(32)
            for name in (
                "VOTING_VOTER_KEY_SECRET",
                "VOTING_TOKEN_SECRET",
                "VOTING_CHALLENGE_SECRET",
            )
        }
        demo = demo_contest_file(workdir, datetime.now(UTC))
        inbox = inbox_process(workdir)
        inbox.process.start()
        stack.callback(inbox.process.stop)
        # The provider must know the portal's address (its return address) before either
        # starts, and the services its issuer.
        portal_port = port_for(PORTAL)
        identity, portal_client = _identity_provider(workdir, portal_port, scale)
        identity.process.start()
        stack.callback(identity.process.stop)
        environment = {
            **secret,
            **voting_secrets,
            **inbox.notifications_environment(),
            **identity.services_environment(),
            # mint-token's tokens (the demo edition's, the operator's below) verify too.
            "AUTH_STATIC_KEY_ALONGSIDE": "true",
            # Every voter of the demo edition comes from this machine's one address.
            "VOTING_CODES_PER_ADDRESS_PER_HOUR": os.environ.get(
                "VOTING_CODES_PER_ADDRESS_PER_HOUR", "1000000"
            ),
            "INTAKE_DEFINITION_FILES": json.dumps([str(demo)]),
        }
        try:
            services = start_services(
                stack, endpoints, workdir, environment, tuple(n for n in names if n != PORTAL)
            )
            if PORTAL in names:
                # Its session secret is this run's, like the signing key.
                session = os.environ.get("PORTAL_SESSION_SECRET") or secrets.token_urlsafe(32)
                portal = {
                    **environment,
                    **portal_environment(services, session),
                    "PORTAL_OIDC_ISSUER": identity.url,
                    "PORTAL_OIDC_CLIENT_ID": portal_client.client_id,
                    "PORTAL_OIDC_CLIENT_SECRET": portal_client.secret,
                }
                services += start_services(
                    stack, endpoints, workdir, portal, (PORTAL,), ports={PORTAL: portal_port}
                )
        except ServiceFailed as failure:
            print(f"{failure}\nstopping: a service did not start", flush=True)
            return 1
        # Stopped before the services are (the stack unwinds in reverse), so that their
        # stopping is not taken for deaths.
        supervision = Supervision(services, on_failure=stop.set)
        supervision.start()
        stack.callback(supervision.stop)
        for service in services:
            if service.name == PORTAL:
                print(f"  {'portal':<14} {service.url}/  (the public site: open it in a browser)")
        for service in services:
            if service.name != PORTAL:
                print(f"  {service.name:<14} {service.url}/docs")
        print(f"  asyncapi       {DEFAULT_DIRECTORY / ASYNCAPI_FILE}")
        print(f"  demo contest   {demo} (its schedule moved to today)")
        print(f"  inbox          {inbox.url}/messages (every email and SMS sent)")
        print(
            f"  sign in        {identity.url}  (local stand-in for the national identity "
            'provider: "Sign in" on the portal)\n'
            f"                 the demo's people and their passwords: {workdir / SIGN_IN_FILE}\n"
            f"                 the ministry's client-credentials client: "
            f"{workdir / MINISTRY_CLIENT_FILE}"
        )
        print(f"  logs           {workdir}")
        key_file = workdir / "auth.key"
        key_file.write_text(secret["AUTH_JWT_KEY"], encoding="utf-8")
        key_file.chmod(0o600)
        print(f"  signing key    {key_file} (AUTH_JWT_KEY for mint-token)")
        operator = mint(auth, subject="local-operator", roles=[Role.OPERATOR])
        print(f"operator token (Authorization: Bearer ...):\n  {operator}")
        played = True
        if scale is not None:
            urls = {service.name: service.url for service in services}
            if PORTAL in urls:
                # A vote open now, for a person to try the vote through the pages while the
                # demo edition plays (its own vote runs and closes within minutes).
                contest_id, _ = open_gallery_vote(urls["intake"], urls["voting"], auth, TRY_VOTE)
                print(
                    f"  vote now       {urls[PORTAL]}/ru/contests/{contest_id}  (open for a "
                    "day: the SMS code arrives in the inbox)",
                    flush=True,
                )
            edition = show_edition(urls, inbox, auth, endpoints.kafka_bootstrap_servers, scale)
            played = asyncio.run(_unless_stopped(edition, stop))
        if supervision.failure is None and (once or stop.is_set()):
            print("stopping" + (" (--once)" if once else ""), flush=True)
            return 0 if played else 1
        if supervision.failure is None:
            print(
                f"platform running; a service that dies is started again (up to {RESTARTS} "
                "times); Ctrl-C stops it",
                flush=True,
            )
            stop.wait()
        if supervision.failure is not None:
            print("stopping: a service stayed dead (above)", flush=True)
            return 1
        print("\nstopping...", flush=True)
    print("stopped")
    return 0


MINISTRY_CLIENT_FILE = "ministry-client.txt"


def _identity_provider(
    workdir: Path, portal_port: int, scale: Scale | None
) -> tuple[LocalIdentity, ProviderClient]:
    """The local provider with the demo's people as accounts, the portal as its client (by
    either loopback name), and a ministry system's client-credentials client, whose id and
    secret are written for the person running the platform."""
    portal_urls = [f"http://{host}:{portal_port}" for host in ("127.0.0.1", "localhost")]
    portal = ProviderClient(
        client_id="portal",
        secret=os.environ.get("PORTAL_OIDC_CLIENT_SECRET") or secrets.token_urlsafe(32),
        redirect_uris=tuple(f"{url}/auth/callback" for url in portal_urls),
        post_logout_redirect_uris=tuple(f"{url}/" for url in portal_urls),
    )
    ministry = ProviderClient(
        client_id="ministry",
        secret=secrets.token_urlsafe(32),
        roles=(Role.OPERATOR.value,),
        grant_types=("client_credentials",),
    )
    identity = identity_process(workdir, [portal, ministry], demo_accounts(workdir, scale))
    write_private(
        workdir / MINISTRY_CLIENT_FILE,
        "A ministry system's client of the local identity provider (client credentials;\n"
        "its tokens carry the operator role). This run only.\n\n"
        f"client id      {ministry.client_id}\n"
        f"client secret  {ministry.secret}\n"
        f"token endpoint {identity.url}/token\n\n"
        f"curl -s -u {ministry.client_id}:{ministry.secret} "
        f"-d grant_type=client_credentials {identity.url}/token\n",
    )
    return identity, portal


async def _unless_stopped(edition: Coroutine[Any, Any, Any], stop: threading.Event) -> bool:
    """Play the edition until it ends or Ctrl-C; whether it was played to its end. A failed
    edition is reported, and the platform stays up for a look at what happened."""
    playing = asyncio.ensure_future(edition)
    while not playing.done():
        if stop.is_set():
            playing.cancel()
            break
        await asyncio.sleep(0.2)
    try:
        await playing
    except asyncio.CancelledError:
        print("\nthe demo edition was interrupted", flush=True)
        return False
    except Exception as failure:
        print(f"\nthe demo edition failed: {failure!r} (logs in the run directory)", flush=True)
        return False
    return True


TRY_VOTE = {
    ("social-project", "KZ-71"): 2,
    ("social-project", "KZ-75"): 2,
    ("ngo-inclusion-project", "KZ-79"): 2,
}
"""The projects of the vote a person can try (how many per nomination and region)."""


def main(argv: list[str] | None = None) -> int:
    """Command line of the local platform."""
    parser = argparse.ArgumentParser(prog="python -m contest_local")
    commands = parser.add_subparsers(dest="command", required=True)
    run_command = commands.add_parser("run", help="run the platform until Ctrl-C")
    run_command.add_argument("--workdir", type=Path, default=Path(".local/run"))
    run_command.add_argument(
        "--storage", default="memory", help="embedded store: 'memory' or a directory"
    )
    run_command.add_argument(
        "--once", action="store_true", help="stop once everything is ready (and played)"
    )
    run_command.add_argument(
        "--no-demo", action="store_true", help="do not play the demo edition at start"
    )
    run_command.add_argument(
        "--applications", type=int, default=Scale.applications, help="demo edition's size"
    )
    run_command.add_argument("--voters", type=int, default=Scale.voters, help="demo voters")
    run_command.add_argument(
        "--services",
        default=",".join(RUN_SERVICES),
        help="comma-separated services to start (all and the portal by default; fewer only "
        "with --no-demo)",
    )
    bench_command = commands.add_parser(
        "bench", help="measure the vote path against a no-op endpoint and raw aiokafka"
    )
    bench_command.add_argument("--votes", type=int, default=20_000, help="votes to send (N)")
    bench_command.add_argument("--clients", type=int, default=64, help="concurrent clients")
    bench_command.add_argument("--workdir", type=Path, default=Path(".local/bench"))
    bench_command.add_argument(
        "--profile", action="store_true", help="profile the voting process (cProfile)"
    )
    bench_command.add_argument(
        "--portal",
        action="store_true",
        help="measure the portal instead: votes through it against votes straight to voting, "
        "vote pages against a static file",
    )
    inbox_command = commands.add_parser(
        "inbox", help="a local mail server and SMS provider that keep what they receive"
    )
    inbox_command.add_argument("--http-port", type=int, required=True)
    inbox_command.add_argument("--smtp-port", type=int, required=True)
    inbox_command.add_argument("--delay-s", type=float, default=0.0, help="slow every message")
    identity_command = commands.add_parser(
        "identity", help="a local OpenID Connect provider (a stand-in for the national one)"
    )
    identity_command.add_argument("--port", type=int, required=True)
    identity_command.add_argument(
        "--registry", type=Path, required=True, help="its accounts and clients (hashes, 0600)"
    )
    arguments = parser.parse_args(argv)
    if arguments.command == "identity":
        from contest_local.identity import app

        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(app.serve(arguments.port, arguments.registry))
        return 0
    if arguments.command == "inbox":
        from contest_local import inbox

        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(inbox.serve(arguments.http_port, arguments.smtp_port, arguments.delay_s))
        return 0
    if arguments.command == "bench":
        if arguments.portal:
            from contest_local import bench_portal

            return bench_portal.run(arguments.votes, arguments.clients, arguments.workdir)
        from contest_local import bench

        return bench.run(arguments.votes, arguments.clients, arguments.workdir, arguments.profile)
    names = tuple(name.strip() for name in arguments.services.split(",") if name.strip())
    unknown = sorted(set(names) - set(RUN_SERVICES))
    if unknown or not names:
        parser.error(f"--services: choose among {', '.join(RUN_SERVICES)}")
    scale = None
    if not arguments.no_demo:
        if not set(PLATFORM_SERVICES) <= set(names):
            parser.error("the demo edition needs every service: add --no-demo")
        scale = Scale(applications=arguments.applications, voters=arguments.voters)
    return run(arguments.workdir, arguments.storage, arguments.once, scale, names)


if __name__ == "__main__":
    sys.exit(main())
