"""Who the local identity provider knows: the people who sign in (accounts) and the systems
that ask it for tokens (clients), and the file the process reads them from.

The file holds argon2 hashes only, never a password or a client secret, and is written
with mode 0600 all the same: it is this run's, for this user of the machine.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
"""argon2id with 1 MiB and one pass: about a millisecond a hash, so the demo's 1,169
accounts are hashed in about a second at start. Cheap on purpose and safe here: every
password of the demo is random (96 bits, see ``demo.py``), so no cost of the hash makes
guessing one from the file any easier or harder; the hash exists so the file never holds
a password. An installation choosing people's own passwords would use
``argon2.profiles.RFC_9106_LOW_MEMORY`` (about 0.1-0.3 s a hash)."""

REGISTRY_FILE = "identity.json"


@dataclass(frozen=True)
class ProviderClient:
    """A system that asks the provider for tokens. The portal is a confidential client with
    ``authorization_code`` and ``refresh_token`` (PKCE S256 required); a ministry system a
    ``client_credentials`` client whose tokens carry ``roles``."""

    client_id: str
    secret: str
    redirect_uris: tuple[str, ...] = ()
    post_logout_redirect_uris: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    grant_types: tuple[str, ...] = ("authorization_code", "refresh_token")


@dataclass(frozen=True)
class Account:
    """A person who signs in with a username and a password."""

    username: str
    password: str
    name: str
    roles: tuple[str, ...]
    region: str | None = None
    iin_bin: str | None = None
    language: str = "ru"


@dataclass(frozen=True)
class KnownAccount:
    """An account as the provider keeps it: the password's hash, never the password."""

    username: str
    password_hash: str
    name: str
    roles: tuple[str, ...]
    region: str | None
    iin_bin: str | None
    language: str

    def checks(self, password: str) -> bool:
        """Whether ``password`` is this account's."""
        return verified(self.password_hash, password)

    def get_user_id(self) -> str:
        """The subject of its tokens (Authlib asks for it by this name)."""
        return self.username


@dataclass(frozen=True)
class KnownClient:
    """A client as the provider keeps it: the secret's hash, never the secret."""

    client_id: str
    secret_hash: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    roles: tuple[str, ...]
    grant_types: tuple[str, ...]


@dataclass(frozen=True)
class Registry:
    """Every account and client of a run, by name."""

    accounts: dict[str, KnownAccount]
    clients: dict[str, KnownClient]


def verified(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (False for a malformed hash too)."""
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def write_registry(
    path: Path, clients: Sequence[ProviderClient], accounts: Sequence[Account]
) -> None:
    """Hash every password and secret and write them to ``path`` (mode 0600)."""
    document: dict[str, Any] = {
        "clients": [
            {
                "client_id": c.client_id,
                "secret_hash": HASHER.hash(c.secret),
                "redirect_uris": list(c.redirect_uris),
                "post_logout_redirect_uris": list(c.post_logout_redirect_uris),
                "roles": list(c.roles),
                "grant_types": list(c.grant_types),
            }
            for c in clients
        ],
        "accounts": [
            {
                "username": a.username,
                "password_hash": HASHER.hash(a.password),
                "name": a.name,
                "roles": list(a.roles),
                "region": a.region,
                "iin_bin": a.iin_bin,
                "language": a.language,
            }
            for a in accounts
        ],
    }
    write_private(path, json.dumps(document, ensure_ascii=False))


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, readable by this user only (0600 from its creation on,
    so it is never readable by others even for a moment)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # a file that existed keeps its mode otherwise
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)


def read_registry(path: Path) -> Registry:
    """The accounts and clients written by :func:`write_registry`."""
    document = json.loads(path.read_text(encoding="utf-8"))
    accounts = {
        a["username"]: KnownAccount(
            a["username"],
            a["password_hash"],
            a["name"],
            tuple(a["roles"]),
            a["region"],
            a["iin_bin"],
            a["language"],
        )
        for a in document["accounts"]
    }
    clients = {
        c["client_id"]: KnownClient(
            c["client_id"],
            c["secret_hash"],
            tuple(c["redirect_uris"]),
            tuple(c["post_logout_redirect_uris"]),
            tuple(c["roles"]),
            tuple(c["grant_types"]),
        )
        for c in document["clients"]
    }
    return Registry(accounts, clients)
