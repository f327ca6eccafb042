"""What the provider remembers while it runs (in memory: a restart signs everyone out):
authorization codes until they are exchanged, and refresh tokens by family.

A family is every refresh token that descends from one authorization code. A refresh
token is rotated on each use; a used one presented again, or the code presented again,
means one of them leaked, so the whole family stops refreshing (RFC 9700, 4.14.2).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field

from authlib.oidc.core import AuthorizationCodeMixin

CODE_LIFETIME_S = 60
"""A code is exchanged at once by the client's server; a minute is plenty."""

REFRESH_LIFETIME_S = 8 * 3600
"""A working day: after that, sign in again."""


@dataclass
class IssuedCode(AuthorizationCodeMixin):  # type: ignore[misc]
    """An authorization code, what it was asked with and whom it names."""

    code: str
    client_id: str
    redirect_uri: str
    scope: str
    username: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int
    expires_at: float

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str | None:
        return None

    def get_amr(self) -> list[str]:
        return ["pwd"]


@dataclass
class IssuedRefresh:
    """A refresh token and the family it belongs to."""

    token: str
    client_id: str
    username: str
    scope: str
    family: str
    expires_at: float
    used: bool = False

    def check_client(self, client: object) -> bool:
        return getattr(client, "client_id", None) == self.client_id

    def get_scope(self) -> str:
        return self.scope


@dataclass
class Grants:
    """Codes and refresh tokens of the running provider."""

    codes: dict[str, IssuedCode] = field(default_factory=dict)
    exchanged: dict[str, str | None] = field(default_factory=dict)
    """Codes already presented, and the family of tokens each gave (None until it gave)."""
    refresh: dict[str, IssuedRefresh] = field(default_factory=dict)
    revoked_families: set[str] = field(default_factory=set)

    def keep_code(self, code: IssuedCode) -> None:
        """Remember a new code (and forget the expired ones)."""
        now = time.time()
        for stale in [c for c, issued in self.codes.items() if issued.expires_at < now]:
            del self.codes[stale]
        self.codes[code.code] = code

    def take_code(self, code: str, client_id: str) -> IssuedCode | None:
        """The code, once: presenting it again revokes what it gave. None when unknown,
        expired, another client's, or already presented."""
        if code in self.exchanged:
            family = self.exchanged[code]
            if family is not None:
                self.revoked_families.add(family)
            return None
        issued = self.codes.pop(code, None)
        if issued is None:
            return None
        self.exchanged[code] = None
        if issued.client_id != client_id or issued.expires_at < time.time():
            return None
        return issued

    def new_family(self, code: str) -> str:
        """A family for the tokens ``code`` gives."""
        family = secrets.token_urlsafe(12)
        self.exchanged[code] = family
        return family

    def keep_refresh(
        self, token: str, client_id: str, username: str, scope: str, family: str
    ) -> None:
        """Remember a new refresh token of ``family``."""
        self.refresh[token] = IssuedRefresh(
            token, client_id, username, scope, family, time.time() + REFRESH_LIFETIME_S
        )

    def usable_refresh(self, token: str) -> IssuedRefresh | None:
        """The refresh token if it may be used now; a used one presented again revokes its
        family."""
        issued = self.refresh.get(token)
        if issued is None or issued.family in self.revoked_families:
            return None
        if issued.used:
            self.revoked_families.add(issued.family)
            return None
        if issued.expires_at < time.time():
            return None
        return issued

    def end_sessions(self, username: str, client_id: str) -> None:
        """Revoke every refresh token of ``username`` at ``client_id`` (a sign-out)."""
        for issued in self.refresh.values():
            if issued.username == username and issued.client_id == client_id:
                self.revoked_families.add(issued.family)
