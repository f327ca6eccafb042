"""The identity provider the portal is a client of: OpenID Connect's authorization code flow
with PKCE, for the people who work on a contest (applicants, secretaries, jurors,
commissions, operators). Voters never sign in.

The portal is a confidential client (`PORTAL_OIDC_CLIENT_ID` and its secret, sent as HTTP
Basic); the provider is found by discovery at `PORTAL_OIDC_ISSUER`. Authlib makes the
authorization request and its PKCE challenge; the token requests are two form posts on the
portal's own httpx client (Authlib's httpx integration is deprecated). The tokens that come
back are verified the way every service verifies them (:mod:`contest_runtime.auth`, under the
`AUTH_*` settings, with the provider's published keys): the ID token is the portal's proof of
who signed in (its audience is the portal, its nonce the one this sign-in sent), the access
token what the person's requests to the services carry.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge

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

    def __init__(
        self,
        settings: PortalSettings,
        auth: AuthSettings,
        keys: ProviderKeys,
        http: httpx.AsyncClient,
    ) -> None:
        assert settings.oidc_issuer, "sign-in needs PORTAL_OIDC_ISSUER"
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.discovery = settings.oidc_discovery_url or discovery_url(self.issuer)
        self.client_id = settings.oidc_client_id
        self.credentials = (self.client_id, settings.oidc_client_secret.get_secret_value())
        self.scopes = settings.oidc_scopes
        self.auth, self.keys, self.http = auth, keys, http
        self._endpoints: _Endpoints | None = None
        self._discovering = asyncio.Lock()

    async def endpoints(self) -> _Endpoints:
        """The provider's endpoints, discovered once (again after a failed discovery)."""
        async with self._discovering:
            if self._endpoints is None:
                document = await self._json("GET", self.discovery)
                self._endpoints = _Endpoints(
                    authorization=document["authorization_endpoint"],
                    token=document["token_endpoint"],
                    end_session=document.get("end_session_endpoint"),
                )
            return self._endpoints

    async def sign_in_address(self, pending: PendingSignIn, return_to: str) -> str:
        """Where the browser goes to sign in: the provider's page, in the person's language."""
        endpoints = await self.endpoints()
        return str(
            prepare_grant_uri(
                endpoints.authorization,
                client_id=self.client_id,
                response_type="code",
                redirect_uri=return_to,
                scope=self.scopes,
                state=pending.state,
                code_challenge=create_s256_code_challenge(pending.verifier),
                code_challenge_method="S256",
                nonce=pending.nonce,
                ui_locales=pending.language,
            )
        )

    async def signed_in(self, code: str, pending: PendingSignIn, return_to: str) -> SignedIn:
        """The person the provider's ``code`` stands for, its tokens verified."""
        tokens = await self._tokens(
            {
                "grant_type": "authorization_code",
                "code": code,
                "code_verifier": pending.verifier,
                "redirect_uri": return_to,
            }
        )
        return await self._verified(tokens, pending.nonce)

    async def refreshed(self, signed: SignedIn) -> SignedIn:
        """New tokens for a person whose access token is running out."""
        if not signed.refresh_token:
            raise SignInRefused("no refresh token")
        fresh = await self._tokens(
            {"grant_type": "refresh_token", "refresh_token": signed.refresh_token}
        )
        fresh.setdefault("id_token", signed.id_token)
        fresh.setdefault("refresh_token", signed.refresh_token)
        return await self._verified(fresh, nonce=None)

    async def _tokens(self, form: dict[str, str]) -> dict[str, Any]:
        """The token endpoint's answer to ``form``; :class:`SignInRefused` for an OAuth
        error (a refused code, a spent refresh token)."""
        endpoints = await self.endpoints()
        return await self._json("POST", endpoints.token, data=form, auth=self.credentials)

    async def _json(self, method: str, url: str, **request: Any) -> dict[str, Any]:
        try:
            answer = await self.http.request(method, url, **request)
        except httpx.HTTPError as error:
            raise ServiceUnavailable(SERVICE, type(error).__name__) from error
        if answer.status_code >= 500:
            raise ServiceUnavailable(SERVICE, f"HTTP {answer.status_code}")
        try:
            body = answer.json()
        except ValueError as error:
            raise ServiceUnavailable(SERVICE, "an answer that is not JSON") from error
        if answer.status_code != 200 or not isinstance(body, dict):
            code = body.get("error") if isinstance(body, dict) else None
            raise SignInRefused(f"the provider refused ({str(code)[:64]})")
        return body

    async def sign_out_origin(self) -> str | None:
        """The origin of the provider's sign-out page, if it has one."""
        end_session = (await self.endpoints()).end_session
        if end_session is None:
            return None
        url = httpx.URL(end_session)
        return f"{url.scheme}://{url.netloc.decode()}"

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
