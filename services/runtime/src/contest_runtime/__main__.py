"""Operator commands every service image can run.

- ``python -m contest_runtime create-topics``: create the catalogue's topics (and their
  dead-letter topics) on the cluster at ``KAFKA_BOOTSTRAP_SERVERS``; safe to repeat.
- ``python -m contest_runtime mint-token --role operator``: a bearer token signed with
  ``AUTH_JWT_KEY`` (HS256), for local use and tests; production tokens come from the
  identity provider.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from pydantic import ValidationError

from contest_runtime.auth_settings import AuthSettings
from contest_runtime.tokens import Role, mint


def main(argv: list[str] | None = None) -> int:
    """Create every catalogue and dead-letter topic that does not exist yet."""
    parser = argparse.ArgumentParser(prog="python -m contest_runtime")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-topics", help="create missing topics")
    create.add_argument("--replication-factor", type=int, default=1)
    token = commands.add_parser("mint-token", help="print a bearer token for local use")
    token.add_argument("--role", action="append", required=True, choices=[r.value for r in Role])
    token.add_argument("--subject", default="local-user")
    token.add_argument("--region", default=None, help="region code of a regional role")
    token.add_argument(
        "--iin-bin",
        default=None,
        type=_iin_bin,
        help="the applicant's IIN or BIN (12 digits), as eGov's claim carries it",
    )
    arguments = parser.parse_args(argv)
    if arguments.command == "mint-token":
        try:
            settings = AuthSettings()
        except ValidationError:
            print("mint-token signs with the static key: set AUTH_JWT_KEY", file=sys.stderr)
            return 2
        if not settings.jwt_key.get_secret_value():
            print("mint-token signs with the static key: set AUTH_JWT_KEY", file=sys.stderr)
            return 2
        print(
            mint(
                settings,
                subject=arguments.subject,
                roles=[Role(role) for role in arguments.role],
                region_code=arguments.region,
                iin_bin=arguments.iin_bin,
            )
        )
        return 0
    # Imported here: a token for a script should not wait for Kafka's client to load.
    from contest_contracts.topics import topics_to_create
    from contest_runtime.kafka import ensure_topics
    from contest_runtime.settings import InfraSettings

    bootstrap = InfraSettings().kafka_bootstrap_servers
    created = asyncio.run(
        ensure_topics(
            bootstrap, topics_to_create(), replication_factor=arguments.replication_factor
        )
    )
    print(f"{len(created)} topics created on {bootstrap}: {', '.join(created) or '-'}")
    return 0


def _iin_bin(value: str) -> str:
    """An IIN/BIN as the services accept it in a token (12 digits), else a usage error: a
    token the services would refuse as malformed is no use to mint."""
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        raise argparse.ArgumentTypeError("an IIN or BIN is 12 digits")
    return value


if __name__ == "__main__":
    raise SystemExit(main())
