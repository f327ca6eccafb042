"""The provider as a local process of ``./dev run``, like the inbox: its accounts and
clients reach it through a 0600 file of hashes, never its command line (which every user
of the machine can read)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from contest_local.embedded import LOOPBACK, LocalProcess, free_port
from contest_local.identity.accounts import (
    REGISTRY_FILE,
    Account,
    ProviderClient,
    write_registry,
)


@dataclass
class LocalIdentity:
    """A running (or startable) provider and how to reach it."""

    process: LocalProcess

    @property
    def url(self) -> str:
        """The issuer (``http://127.0.0.1:<port>``, no trailing slash)."""
        return f"http://{LOOPBACK}:{self.process.port}"

    def services_environment(self) -> dict[str, str]:
        """The settings that make a service trust this provider's tokens (its `aud` is
        the services' default, `contest-platform`; its claims are the default names)."""
        return {"AUTH_ISSUER": self.url}


def identity_process(
    workdir: Path,
    clients: Sequence[ProviderClient],
    accounts: Sequence[Account],
    port: int | None = None,
) -> LocalIdentity:
    """The provider as a local process on a free loopback port (not started); writes
    ``workdir/identity.json`` (hashes only, 0600) for it to read."""
    port = port or free_port()
    registry = workdir / REGISTRY_FILE
    write_registry(registry, clients, accounts)
    command = [
        sys.executable,
        "-m",
        "contest_local",
        "identity",
        "--port",
        str(port),
        "--registry",
        str(registry),
    ]
    return LocalIdentity(LocalProcess("identity", command, port, workdir / "identity.log"))
