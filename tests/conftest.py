"""Fixtures of the cross-service tests: the whole platform, every service a process of its
own on the session's broker and store."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from contest_local.calls import Service
from contest_local.edition.play import Platform
from contest_local.inbox import inbox_process
from contest_local.infra import Endpoints
from contest_local.platform import RunningService, start_services
from contest_runtime.auth import AuthSettings


@pytest.fixture
def platform(infrastructure: Endpoints, tmp_path: Path, unique: Any) -> Iterator[Platform]:
    """Every service as its own process, with databases and groups of this test, and the
    inbox that receives their SMS and email."""
    auth = AuthSettings(jwt_key=secrets.token_urlsafe(32))
    with ExitStack() as stack:
        inbox = inbox_process(tmp_path)
        inbox.process.start()
        stack.callback(inbox.process.stop)
        run = unique("lifecycle")
        environment = {
            "AUTH_JWT_KEY": auth.jwt_key.get_secret_value(),
            "VOTING_VOTER_KEY_SECRET": secrets.token_urlsafe(32),
            "VOTING_TOKEN_SECRET": secrets.token_urlsafe(32),
            "VOTING_CODES_PER_ADDRESS_PER_HOUR": "100000",
            **inbox.notifications_environment(),
        }
        for service in ("intake", "judging", "voting", "notifications"):
            prefix = service.upper()
            environment[f"{prefix}_MONGODB_DATABASE"] = f"{run}_{service}".replace("-", "_")
            environment[f"{prefix}_CONSUMER_GROUP"] = f"{run}-{service}"
        running = start_services(stack, infrastructure, tmp_path, environment)
        by_name: dict[str, RunningService] = {s.name: s for s in running}
        services = {name: Service(s.url) for name, s in by_name.items()}
        services["inbox"] = Service(inbox.url)
        for caller in services.values():
            stack.callback(caller.close)
        yield Platform(
            services["intake"],
            services["judging"],
            services["voting"],
            services["inbox"],
            auth,
            services["notifications"],
        )
