"""``python -m contest_runtime create-topics``: create the catalogue's topics on a cluster.

Reads ``KAFKA_BOOTSTRAP_SERVERS``; safe to run again (existing topics are left alone). Any
service image can run it, e.g. as a one-shot job before the services start.
"""

from __future__ import annotations

import argparse
import asyncio

from contest_contracts.topics import topics_to_create
from contest_runtime.kafka import ensure_topics
from contest_runtime.settings import InfraSettings


def main(argv: list[str] | None = None) -> int:
    """Create every catalogue and dead-letter topic that does not exist yet."""
    parser = argparse.ArgumentParser(prog="python -m contest_runtime")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-topics", help="create missing topics")
    create.add_argument("--replication-factor", type=int, default=1)
    arguments = parser.parse_args(argv)
    bootstrap = InfraSettings().kafka_bootstrap_servers
    created = asyncio.run(
        ensure_topics(
            bootstrap, topics_to_create(), replication_factor=arguments.replication_factor
        )
    )
    print(f"{len(created)} topics created on {bootstrap}: {', '.join(created) or '-'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
