"""Authlib's authorization server on Starlette: a request as Authlib reads it, responses
as Starlette sends them, and the provider's grants, tokens and logout registered on it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from authlib.oauth2 import AuthorizationServer as AuthlibServer
from authlib.oauth2.rfc6749 import JsonPayload, JsonRequest, OAuth2Request
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oidc.rpinitiated import EndSessionEndpoint, EndSessionRequest
from joserfc.jwk import KeySet
from starlette.responses import JSONResponse, Response

from contest_local.identity.accounts import Registry
from contest_local.identity.grants import (
    SCOPES,
    AccessTokens,
    AuthorizationCodeGrant,
    Client,
    ClientCredentialsGrant,
    IdToken,
    RefreshTokenGrant,
    S256Required,
)
from contest_local.identity.store import Grants


@dataclass
class Provider:
    """The running provider's state: who it knows, what it issued, its signing key."""

    issuer: str
    registry: Registry
    keys: KeySet
    grants: Grants = field(default_factory=Grants)


@dataclass(frozen=True)
class Received:
    """An HTTP request, its body already read (Starlette reads bodies asynchronously,
    Authlib synchronously)."""

    method: str
    url: str
    headers: Mapping[str, str]
    parameters: dict[str, str]
    """The OAuth parameters: the query's at /authorize, the body's at /token."""
    form: dict[str, str] = field(default_factory=dict)
    """The body's fields where Authlib reads them (the token endpoint's); never the
    sign-in form, so the password never reaches Authlib."""


class ReceivedRequest(OAuth2Request):  # type: ignore[misc]
    """A :class:`Received` as Authlib reads it."""

    def __init__(self, received: Received) -> None:
        super().__init__(method=received.method, uri=received.url, headers=received.headers)
        self.received = received
        self.payload = BasicOAuth2Payload(received.parameters)

    @property
    def args(self) -> dict[str, str]:
        return self.received.parameters

    @property
    def form(self) -> dict[str, str]:
        return self.received.form


class ReceivedJson(JsonRequest):  # type: ignore[misc]
    """Authlib's JSON request (unused by the provider's endpoints, required by Authlib)."""

    def __init__(self, received: Received) -> None:
        super().__init__(received.method, received.url, received.headers)
        self.payload = JsonPayload()


class LocalLogout(EndSessionEndpoint):  # type: ignore[misc]
    """RP-initiated logout: the ID token names the person and client, whose refresh
    tokens end; the post-logout address only when registered (Authlib checks)."""

    def __init__(self, provider: Provider) -> None:
        super().__init__()
        self.provider = provider

    def create_endpoint_request(self, request: Any) -> Any:
        return self.server.create_oauth2_request(request)

    def get_server_jwks(self) -> KeySet:
        return self.provider.keys

    def get_algorithms(self) -> list[str]:
        return ["ES256"]

    def end_session(self, end_session_request: EndSessionRequest) -> None:
        claims = end_session_request.id_token_claims
        if claims and claims.get("iss") == self.provider.issuer:
            audience = claims.get("aud")
            if isinstance(audience, str) and isinstance(claims.get("sub"), str):
                self.provider.grants.end_sessions(claims["sub"], audience)


class StarletteServer(AuthlibServer):  # type: ignore[misc]
    """The provider's authorization server."""

    def __init__(self, provider: Provider) -> None:
        super().__init__(scopes_supported=list(SCOPES))
        self.provider = provider
        self.register_token_generator("default", AccessTokens(provider))
        self.register_grant(AuthorizationCodeGrant, [S256Required(), IdToken(provider)])
        self.register_grant(RefreshTokenGrant)
        self.register_grant(ClientCredentialsGrant)
        self.register_endpoint(LocalLogout(provider))

    def query_client(self, client_id: str) -> Client | None:
        known = self.provider.registry.clients.get(client_id)
        return Client(known) if known is not None else None

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        refresh = token.get("refresh_token")
        if refresh is None or request.user is None:
            return
        grants = self.provider.grants
        if request.authorization_code is not None:
            family = grants.new_family(request.authorization_code.code)
        else:
            family = request.refresh_token.family
        grants.keep_refresh(
            refresh, request.client.client_id, request.user.username, token["scope"], family
        )

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        if isinstance(request, OAuth2Request):
            return request
        assert isinstance(request, Received)
        return ReceivedRequest(request)

    def create_json_request(self, request: Any) -> JsonRequest:
        return ReceivedJson(request)

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> Response:
        if isinstance(body, dict):
            return JSONResponse(body, status_code=status, headers=dict(headers))
        return Response(body or b"", status_code=status, headers=dict(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass  # nobody listens
