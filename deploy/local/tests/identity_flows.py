"""Helpers of the identity provider's tests: its clients and accounts, a provider process of
a test's own, and a client that walks its sign-in as the portal does (httpx, no redirect
followed). The module-wide provider is `conftest.py`'s fixture."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from contest_local.identity import Account, LocalIdentity, ProviderClient, identity_process

PORTAL_CALLBACK = "http://127.0.0.1:9/auth/callback"
"""Nobody listens there: the tests read the redirect, never follow it."""
PORTAL_SIGNED_OUT = "http://127.0.0.1:9/"

PORTAL = ProviderClient(
    client_id="portal",
    secret="portal-secret-" + secrets.token_urlsafe(16),
    redirect_uris=(PORTAL_CALLBACK,),
    post_logout_redirect_uris=(PORTAL_SIGNED_OUT,),
    grant_types=("authorization_code", "refresh_token"),
)
MINISTRY = ProviderClient(
    client_id="ministry",
    secret="ministry-secret-" + secrets.token_urlsafe(16),
    roles=("operator",),
    grant_types=("client_credentials",),
)
ACCOUNTS = (
    Account(
        "secretary-KZ-71",
        "pw-" + secrets.token_urlsafe(12),
        "Секретарь",
        ("secretary", "commission_secretary"),
        region="KZ-71",
    ),
    Account(
        "applicant-1",
        "pw-" + secrets.token_urlsafe(12),
        "Айгүл Серікқызы",
        ("applicant",),
        region="KZ-75",
        iin_bin="900101400123",
        language="kk",
    ),
    Account("limited-1", "pw-" + secrets.token_urlsafe(12), "Limited", ("juror",)),
    Account("browser-1", "pw-" + secrets.token_urlsafe(12), "Browser", ("juror",), region="KZ-79"),
)
PASSWORDS = {account.username: account.password for account in ACCOUNTS}


def start_identity(workdir: Path) -> LocalIdentity:
    """Another provider process, for a test that needs its own (its limits, its log)."""
    started = identity_process(workdir, (PORTAL, MINISTRY), ACCOUNTS)
    started.process.start()
    return started


@dataclass
class SignIn:
    """One authorization request of the portal: its parameters and PKCE verifier."""

    verifier: str
    parameters: dict[str, str]

    @classmethod
    def new(cls, **changes: str | None) -> SignIn:
        verifier = secrets.token_urlsafe(48)
        parameters: dict[str, str | None] = {
            "response_type": "code",
            "client_id": PORTAL.client_id,
            "redirect_uri": PORTAL_CALLBACK,
            "scope": "openid profile",
            "state": secrets.token_urlsafe(16),
            "nonce": secrets.token_urlsafe(16),
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
            **changes,
        }
        return cls(verifier, {k: v for k, v in parameters.items() if v is not None})

    @property
    def query(self) -> str:
        return urlencode(self.parameters)


def csrf_of(page: str) -> str:
    """The CSRF token of the sign-in form on ``page``."""
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def post_password(
    http: httpx.Client, identity: LocalIdentity, sign_in: SignIn, username: str, password: str
) -> httpx.Response:
    """Open the sign-in page and send the password, as a browser does."""
    page = http.get(f"{identity.url}/authorize?{sign_in.query}")
    assert page.status_code == 200, page.text
    return http.post(
        f"{identity.url}/authorize?{sign_in.query}",
        data={"csrf": csrf_of(page.text), "username": username, "password": password},
    )


def code_of(answer: httpx.Response, sign_in: SignIn) -> str:
    """The code in the redirect back to the portal (checking its address and state)."""
    assert answer.status_code == 302, answer.text
    location = urlsplit(answer.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == PORTAL_CALLBACK
    query = parse_qs(location.query)
    assert query["state"] == [sign_in.parameters["state"]]
    return query["code"][0]


def exchange(
    http: httpx.Client,
    identity: LocalIdentity,
    code: str,
    verifier: str,
    secret: str = PORTAL.secret,
) -> httpx.Response:
    """The portal's server exchanging a code at the token endpoint."""
    return http.post(
        f"{identity.url}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": PORTAL_CALLBACK,
            "code_verifier": verifier,
        },
        auth=(PORTAL.client_id, secret),
    )


def refresh(http: httpx.Client, identity: LocalIdentity, token: str) -> httpx.Response:
    """The portal's server using a refresh token."""
    return http.post(
        f"{identity.url}/token",
        data={"grant_type": "refresh_token", "refresh_token": token},
        auth=(PORTAL.client_id, PORTAL.secret),
    )


def signed_in(identity: LocalIdentity, username: str) -> dict[str, Any]:
    """A whole sign-in of ``username``: the token response."""
    sign_in = SignIn.new()
    with httpx.Client() as http:
        answer = post_password(http, identity, sign_in, username, PASSWORDS[username])
        tokens = exchange(http, identity, code_of(answer, sign_in), sign_in.verifier)
    assert tokens.status_code == 200, tokens.text
    found: dict[str, Any] = tokens.json()
    return found
