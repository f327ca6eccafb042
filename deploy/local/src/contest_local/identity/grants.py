"""Authlib's grants with the provider's rules: the authorization code (PKCE S256 required,
OpenID Connect ID tokens), refresh tokens rotated on each use, client credentials; and
the access tokens, JWTs the platform's services accept."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, ClassVar

from authlib.common.security import generate_token
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from authlib.oidc.core import OpenIDCode, UserInfo
from joserfc.jwk import KeySet

from contest_local.identity.accounts import KnownAccount, KnownClient, verified
from contest_local.identity.store import CODE_LIFETIME_S, IssuedCode, IssuedRefresh

if TYPE_CHECKING:
    from contest_local.identity.server import Provider

AUDIENCE = "contest-platform"
"""The services' expected `aud` (`AUTH_JWT_AUDIENCE`'s default)."""

ACCESS_LIFETIME_S = 300
ALGORITHM = "ES256"
SCOPES = ("openid", "profile")
CLIENT_AUTH_METHODS: list[str] = ["client_secret_basic", "client_secret_post"]


class Client(ClientMixin):  # type: ignore[misc]
    """A registered client as Authlib asks about it."""

    def __init__(self, known: KnownClient) -> None:
        self.known = known
        self.client_id = known.client_id
        self.client_metadata = {"post_logout_redirect_uris": list(known.post_logout_redirect_uris)}
        self.id_token_signed_response_alg = ALGORITHM

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        return None  # a client names its redirect_uri, which must be registered

    def get_allowed_scope(self, scope: str | None) -> str:
        asked = (scope or "").split()
        return " ".join(s for s in asked if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.known.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return verified(self.known.secret_hash, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in CLIENT_AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and "authorization_code" in self.known.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.known.grant_types

    @property
    def requires_pkce(self) -> bool:
        """Every client of the code flow proves its code with PKCE."""
        return "authorization_code" in self.known.grant_types


def provider_of(grant: Any) -> Provider:
    """The provider a grant runs in."""
    provider: Provider = grant.server.provider
    return provider


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    """The code flow; codes are kept a minute and taken once."""

    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS

    def save_authorization_code(self, code: str, request: Any) -> None:
        data = request.payload.data
        provider_of(self).grants.keep_code(
            IssuedCode(
                code=code,
                client_id=request.client.client_id,
                redirect_uri=request.payload.redirect_uri,
                scope=request.scope,
                username=request.user.username,
                nonce=data.get("nonce"),
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
                auth_time=int(time.time()),
                expires_at=time.time() + CODE_LIFETIME_S,
            )
        )

    def query_authorization_code(self, code: str, client: Client) -> IssuedCode | None:
        return provider_of(self).grants.take_code(code, client.client_id)

    def delete_authorization_code(self, authorization_code: IssuedCode) -> None:
        pass  # taken when queried: a code is never presented twice

    def authenticate_user(self, authorization_code: IssuedCode) -> KnownAccount | None:
        return provider_of(self).registry.accounts.get(authorization_code.username)


class RefreshTokenGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
    """A refresh token gives new tokens and a new refresh token, once."""

    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> IssuedRefresh | None:
        return provider_of(self).grants.usable_refresh(refresh_token)

    def authenticate_user(self, refresh_token: IssuedRefresh) -> KnownAccount | None:
        return provider_of(self).registry.accounts.get(refresh_token.username)

    def revoke_old_credential(self, refresh_token: IssuedRefresh) -> None:
        refresh_token.used = True


class ClientCredentialsGrant(grants.ClientCredentialsGrant):  # type: ignore[misc]
    """A system's own token, with its roles."""

    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS


class S256Required(CodeChallenge):  # type: ignore[misc]
    """PKCE on every code request of a code-flow client, S256 only (a confidential client
    too: a stolen code is worthless without the verifier)."""

    SUPPORTED_CODE_CHALLENGE_METHOD: ClassVar[list[str]] = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge'", redirect_uri=redirect_uri)
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError(
                "'code_challenge_method' must be S256", redirect_uri=redirect_uri
            )
        super().validate_code_challenge(grant, redirect_uri)


class IdToken(OpenIDCode):  # type: ignore[misc]
    """ID tokens of the code flow: `aud` the client, `nonce`, the person's name, username
    and language."""

    def __init__(self, provider: Provider) -> None:
        super().__init__(require_nonce=True)
        self.provider = provider

    def resolve_client_private_key(self, client: Client) -> KeySet:
        return self.provider.keys

    def get_client_algorithm(self, client: Client) -> str:
        return ALGORITHM

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        return {
            "iss": self.provider.issuer,
            "aud": client.client_id,
            "exp": int(time.time()) + ACCESS_LIFETIME_S,
        }

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return False  # a code is taken once, so its nonce is never replayed through it

    def generate_user_info(self, user: KnownAccount, scope: str) -> UserInfo:
        return person_claims(user)


def person_claims(user: KnownAccount) -> UserInfo:
    """What the ID token and /userinfo say about a person."""
    return UserInfo(
        sub=user.username, name=user.name, preferred_username=user.username, locale=user.language
    )


class AccessTokens(JWTBearerTokenGenerator):  # type: ignore[misc]
    """Access tokens as the services verify them: `aud` the platform, `roles`, `region`,
    `iin_bin`, five minutes; refresh tokens opaque."""

    def __init__(self, provider: Provider) -> None:
        super().__init__(
            issuer=provider.issuer,
            alg=ALGORITHM,
            refresh_token_generator=lambda *args, **kwargs: generate_token(48),
            expires_generator=lambda client, grant_type: ACCESS_LIFETIME_S,
        )
        self.provider = provider

    def get_jwks(self) -> KeySet:
        return self.provider.keys

    def get_audiences(self, client: Client, user: KnownAccount | None, scope: str) -> str:
        return AUDIENCE

    def get_extra_claims(
        self, client: Client, grant_type: str, user: KnownAccount | None, scope: str
    ) -> dict[str, Any]:
        if user is None:
            return {"roles": list(client.known.roles)}
        claims: dict[str, Any] = {"roles": list(user.roles)}
        if user.region is not None:
            claims["region"] = user.region
        if user.iin_bin is not None:
            claims["iin_bin"] = user.iin_bin
        return claims
