"""The identity provider the portal is a client of: OpenID Connect's authorization code flow
with PKCE, for the people who work on a contest (applicants, secretaries, jurors,
commissions, operators). Voters never sign in.

The portal is a confidential client (`PORTAL_OIDC_CLIENT_ID` and its secret); the provider is
found by discovery at `PORTAL_OIDC_ISSUER`. Authlib's OAuth 2.0 client makes the requests
(the PKCE challenge, the client's authentication, the token answers). The tokens that come
back are verified the way every service verifies them (:mod:`contest_runtime.auth`, under the
`AUTH_*` settings, with the provider's published keys): the ID token is the portal's proof of
who signed in (its audience is the portal, its nonce the one this sign-in sent), the access
token what the person's requests to the services carry.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError

from contest_portal.services.calls import ServiceUnavailable
from contest_portal.settings import PortalSettings
from contest_runtime.auth import Principal, verify_with_provider
from contest_runtime.auth_settings import AuthSettings
from contest_runtime.problems import ProblemError
from contest_runtime.provider_keys import ProviderKeys, discovery_url
from contest_runtime.tokens import Role

SERVICE = "identity provider"
"""How a provider that does not answer is named in the log (see :class:`ServiceUnavailable`)."""


class SignInRefused(Exception):
    """The provider, or the tokens it gave, do not prove who signed in: a refused code, a
    token that fails verification, a nonce that is not this sign-in's."""


@dataclass(frozen=True)
class PendingSignIn:
    """What a sign-in begun here must show on its way back: the `state` (only this browser's
    return is taken), the `nonce` (only an ID token made for this sign-in), the PKCE verifier
    (only this browser can exchange the code), and where to go after."""

    state: str
    nonce: str
    verifier: str
    language: str
    next: str


@dataclass(frozen=True)
class SignedIn:
    """A person signed in: who they are, and the tokens their requests carry."""

    subject: str
    name: str
    roles: tuple[str, ...]
    region: str | None
    access_token: str
    expires_at: float
    refresh_token: str | None
    id_token: str

    def principal(self) -> Principal:
        """The person as the services see them."""
        return Principal(
            subject=self.subject,
            roles=frozenset(Role(role) for role in self.roles),
            region_code=self.region,
        )


@dataclass(frozen=True)
class _Endpoints:
    authorization: str
    token: str
    end_session: str | None


class IdentityProvider:
    """Sign-in, refresh and sign-out at the provider."""

    def __init__(self, settings: PortalSettings, auth: AuthSettings, keys: ProviderKeys) -> None:
        assert settings.oidc_issuer, "sign-in needs PORTAL_OIDC_ISSUER"
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.discovery = settings.oidc_discovery_url or discovery_url(self.issuer)
        self.client_id = settings.oidc_client_id
        self.secret = settings.oidc_client_secret.get_secret_value()
        self.scopes = settings.oidc_scopes
        self.timeout_s = settings.service_timeout_s
        self.auth, self.keys = auth, keys
        self._endpoints: _Endpoints | None = None
        self._discovering = asyncio.Lock()

    @asynccontextmanager
    async def _client(self) -> AsyncIterator[AsyncOAuth2Client]:
        # One client per exchange: Authlib's client keeps the token it fetched, and a shared
        # one would hold the last person's.
        async with AsyncOAuth2Client(
            client_id=self.client_id,
            client_secret=self.secret,
            token_endpoint_auth_method="client_secret_basic",
            scope=self.scopes,
            code_challenge_method="S256",
            timeout=self.timeout_s,
        ) as client:
            try:
                yield client
            except httpx.HTTPError as error:
                raise ServiceUnavailable(SERVICE, type(error).__name__) from error

    async def endpoints(self) -> _Endpoints:
        """The provider's endpoints, discovered once (again after a failed discovery)."""
        async with self._discovering:
            if self._endpoints is None:
                async with self._client() as client:
                    answer = await client.get(self.discovery)
                if answer.status_code != 200:
                    raise ServiceUnavailable(SERVICE, f"discovery: HTTP {answer.status_code}")
                document: dict[str, Any] = answer.json()
                self._endpoints = _Endpoints(
                    authorization=document["authorization_endpoint"],
                    token=document["token_endpoint"],
                    end_session=document.get("end_session_endpoint"),
                )
            return self._endpoints

    async def sign_in_address(self, pending: PendingSignIn, return_to: str) -> str:
        """Where the browser goes to sign in: the provider's page, in the person's language."""
        endpoints = await self.endpoints()
        async with self._client() as client:
            address, _ = client.create_authorization_url(
                endpoints.authorization,
                state=pending.state,
                code_verifier=pending.verifier,
                redirect_uri=return_to,
                nonce=pending.nonce,
                ui_locales=pending.language,
            )
        return str(address)

    async def signed_in(self, code: str, pending: PendingSignIn, return_to: str) -> SignedIn:
        """The person the provider's ``code`` stands for, its tokens verified."""
        endpoints = await self.endpoints()
        async with self._client() as client:
            try:
                tokens = await client.fetch_token(
                    endpoints.token,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=pending.verifier,
                    redirect_uri=return_to,
                )
            except OAuthError as error:
                raise SignInRefused(f"the provider refused the code ({error.error})") from error
        return await self._verified(dict(tokens), pending.nonce)

    async def refreshed(self, signed: SignedIn) -> SignedIn:
        """New tokens for a person whose access token is running out."""
        if not signed.refresh_token:
            raise SignInRefused("no refresh token")
        endpoints = await self.endpoints()
        async with self._client() as client:
            try:
                tokens = await client.refresh_token(
                    endpoints.token, refresh_token=signed.refresh_token
                )
            except OAuthError as error:
                raise SignInRefused(f"the provider refused to refresh ({error.error})") from error
        fresh = dict(tokens)
        fresh.setdefault("id_token", signed.id_token)
        fresh.setdefault("refresh_token", signed.refresh_token)
        return await self._verified(fresh, nonce=None)

    async def sign_out_address(self, signed: SignedIn | None, return_to: str) -> str | None:
        """Where the browser goes to end the provider's session too (RP-initiated logout),
        coming back to ``return_to``; ``None`` when the provider offers no such page."""
        endpoints = await self.endpoints()
        if endpoints.end_session is None:
            return None
        parameters = {"client_id": self.client_id, "post_logout_redirect_uri": return_to}
        if signed is not None and signed.id_token:
            parameters["id_token_hint"] = signed.id_token
        return str(httpx.URL(endpoints.end_session, params=parameters))

    async def _verified(self, tokens: dict[str, Any], nonce: str | None) -> SignedIn:
        access, id_token = tokens.get("access_token"), tokens.get("id_token")
        if not isinstance(access, str) or not isinstance(id_token, str):
            raise SignInRefused("the provider's answer has no access or ID token")
        identity = await self._id_claims(id_token)
        if nonce is not None and identity.get("nonce") != nonce:
            raise SignInRefused("the ID token is not this sign-in's (nonce)")
        try:
            person = await verify_with_provider(access, self.auth, self.keys)
        except ProblemError as error:
            raise SignInRefused(f"the access token does not verify ({error.detail})") from error
        if person.subject != identity.get("sub"):
            raise SignInRefused("the access and ID tokens name different people")
        expires_in = tokens.get("expires_in")
        lifetime = float(expires_in) if isinstance(expires_in, int | float) else 300.0
        return SignedIn(
            subject=person.subject,
            name=str(identity.get("name") or identity.get("preferred_username") or person.subject),
            roles=tuple(sorted(role.value for role in person.roles)),
            region=person.region_code,
            access_token=access,
            expires_at=time.time() + lifetime,
            refresh_token=tokens.get("refresh_token"),
            id_token=id_token,
        )

    async def _id_claims(self, id_token: str) -> dict[str, Any]:
        """The ID token's claims, its signature (a published key), issuer, audience (this
        portal) and lifetime checked."""
        try:
            header = jwt.get_unverified_header(id_token)
            algorithm, kid = header.get("alg"), header.get("kid")
            if algorithm not in self.auth.algorithms or not isinstance(kid, str):
                raise SignInRefused("the ID token's algorithm or key id is not accepted")
            key = await self.keys.key_for(kid, algorithm)
            if key is None:
                raise SignInRefused("the ID token is signed with an unknown key")
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key,
                algorithms=list(self.auth.algorithms),
                audience=self.client_id,
                issuer=self.auth.expected_issuer,
                leeway=self.auth.leeway_s,
                options={"require": ["sub", "exp", "iat", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise SignInRefused(f"the ID token does not verify ({error})") from error
        return claims
