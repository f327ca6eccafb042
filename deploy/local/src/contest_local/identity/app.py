"""The provider's HTTP side: discovery, keys, the sign-in page, tokens, userinfo, logout.

    GET  /.well-known/openid-configuration   discovery (every endpoint below)
    GET  /jwks                               the public signing key of this run
    GET  /authorize                          the sign-in page (an authorization request)
    POST /authorize                          the password checked: back to the client
    POST /token                              codes, refresh tokens, client credentials
    GET  /userinfo                           who an access token names
    GET  /logout                             RP-initiated logout
    GET  /healthz                            liveness

Who may call: anyone on this machine (it listens on loopback only). The token endpoint
admits only registered clients with their secret; /userinfo only a bearer of its tokens.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from authlib.oauth2 import OAuth2Error
from fastapi import FastAPI, Request
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet
from starlette.responses import JSONResponse, Response

from contest_contracts.common import Language
from contest_local.identity.accounts import HASHER, KnownAccount, read_registry, verified
from contest_local.identity.attempts import WINDOW_S, Attempts
from contest_local.identity.grants import (
    ALGORITHM,
    AUDIENCE,
    CLIENT_AUTH_METHODS,
    SCOPES,
    person_claims,
)
from contest_local.identity.languages import LANGUAGES, chosen_language
from contest_local.identity.pages import (
    CSRF_FIELD,
    Pages,
    content_security_policy,
    csrf_holds,
    csrf_token,
    set_csrf_cookie,
)
from contest_local.identity.server import Provider, Received, StarletteServer
from contest_portal.pages.forms import form_fields

log = logging.getLogger("contest_local.identity")

STAND_IN = (
    "a local stand-in for the national identity provider (eGov IDP): for this machine only, "
    "with the demo's accounts"
)


def discovery(issuer: str) -> dict[str, Any]:
    """The OpenID Provider Metadata of ``issuer``."""
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/jwks",
        "end_session_endpoint": f"{issuer}/logout",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [ALGORITHM],
        "scopes_supported": list(SCOPES),
        "token_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": [
            "sub",
            "name",
            "preferred_username",
            "locale",
            "roles",
            "region",
            "iin_bin",
        ],
        "ui_locales_supported": [language.value for language in LANGUAGES],
    }


def signing_keys() -> KeySet:
    """A new ES256 key with a `kid`, made for this run only (never written anywhere)."""
    key = ECKey.generate_key(
        "P-256", parameters={"use": "sig", "alg": ALGORITHM}, private=True, auto_kid=True
    )
    return KeySet([key])


def identity_api(provider: Provider, attempts: Attempts | None = None) -> FastAPI:
    """The provider's app for ``provider``."""
    api = FastAPI(title="Local identity provider", docs_url=None, redoc_url=None)
    server = StarletteServer(provider)
    attempts = attempts or Attempts()
    registered = [uri for c in provider.registry.clients.values() for uri in c.redirect_uris]
    pages = Pages(content_security_policy(registered))
    # Spent on an unknown username, so that it takes as long as a wrong password.
    decoy = HASHER.hash("not a password of anyone")

    @api.middleware("http")
    async def logged(request: Request, call_next: Any) -> Response:
        # The path only: a query may hold a code, a state or an ID token.
        response: Response = await call_next(request)
        log.info("%s %s %s", request.method, request.url.path, response.status_code)
        return response

    def language_of(request: Request) -> Language:
        return chosen_language(
            request.query_params.get("ui_locales"), request.headers.get("accept-language")
        )

    def received(request: Request, parameters: dict[str, str], **form: Any) -> Received:
        return Received(request.method, str(request.url), request.headers, parameters, **form)

    def refused(error: OAuth2Error, language: Language) -> Response:
        if error.redirect_uri:
            # The client and its redirect_uri are known and registered: it hears why.
            response: Response = server.handle_error_response(None, error)
            return response
        # Anything else stays here: never a redirect to an address nobody registered.
        return pages.render(language, "refused.html", 400)

    def sign_in_page(
        request: Request,
        language: Language,
        status_code: int = 200,
        errors: list[dict[str, str]] | None = None,
        username: str = "",
    ) -> Response:
        token = csrf_token(request)
        response = pages.render(
            language,
            "sign_in.html",
            status_code,
            switch=dict(request.query_params),
            action="/authorize?" + request.url.query,
            csrf_field=CSRF_FIELD,
            csrf=token,
            errors=errors or [],
            username=username,
            window_minutes=int(WINDOW_S // 60),
        )
        set_csrf_cookie(response, token)
        return response

    @api.get("/authorize", summary="The sign-in page. Who may call: anyone (a browser).")
    async def authorize(request: Request) -> Response:
        language = language_of(request)
        try:
            server.get_consent_grant(received(request, dict(request.query_params)))
        except OAuth2Error as error:
            return refused(error, language)
        return sign_in_page(request, language)

    @api.post("/authorize", summary="Check a password. Who may call: anyone (a browser).")
    async def sign_in(request: Request) -> Response:
        language = language_of(request)
        fields = await form_fields(request)
        authorization = received(request, dict(request.query_params))
        try:
            grant = server.get_consent_grant(authorization)
        except OAuth2Error as error:
            return refused(error, language)
        username = fields.get("username", "").strip()[:128]
        password = fields.get("password", "")[:256]
        if not csrf_holds(request, fields):
            return sign_in_page(request, language, 403, [{"field": "", "code": "expired"}])
        errors = [
            {"field": name, "code": f"no-{name}"}
            for name, value in (("username", username), ("password", password))
            if not value
        ]
        if errors:
            return sign_in_page(request, language, 400, errors, username)
        address = request.client.host if request.client else "unknown"
        if attempts.limited(username, address):
            log.info("a sign-in refused unchecked: too many failed attempts")
            return sign_in_page(request, language, 429, [{"field": "", "code": "limited"}])
        account = provider.registry.accounts.get(username)
        if account is None:
            verified(decoy, password)
        if account is None or not account.checks(password):
            attempts.failed(username, address)
            # No username in the line: a password is sometimes typed into that field.
            log.info("a sign-in failed: wrong username or password")
            return sign_in_page(
                request, language, 400, [{"field": "username", "code": "wrong"}], username
            )
        log.info("signed in: %s", account.username)
        response: Response = server.create_authorization_response(
            authorization, grant_user=account, grant=grant
        )
        return response

    @api.post("/token", summary="Tokens. Who may call: a registered client, with its secret.")
    async def token(request: Request) -> Response:
        fields = await form_fields(request)
        response: Response = server.create_token_response(received(request, fields, form=fields))
        return response

    @api.api_route(
        "/userinfo",
        methods=["GET", "POST"],
        summary="Who a token names. Who may call: the bearer of an access token.",
    )
    async def userinfo(request: Request) -> Response:
        account = bearer_account(request, provider)
        if account is None:
            return JSONResponse(
                {"error": "invalid_token"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return JSONResponse(dict(person_claims(account)), headers={"Cache-Control": "no-store"})

    @api.api_route(
        "/logout", methods=["GET", "POST"], summary="Sign out. Who may call: anyone (a browser)."
    )
    async def logout(request: Request) -> Response:
        language = language_of(request)
        parameters = (
            dict(request.query_params) if request.method == "GET" else await form_fields(request)
        )
        if "ui_locales" in parameters:
            language = chosen_language(parameters["ui_locales"], None)
        try:
            ending = server.validate_endpoint_request("end_session", received(request, parameters))
        except OAuth2Error:
            return pages.render(language, "refused.html", 400)
        if parameters.get("post_logout_redirect_uri") and ending.redirect_uri is None:
            # Named but not registered to the client the ID token is for: no redirect.
            return pages.render(language, "refused.html", 400)
        done: Response | None = server.create_endpoint_response("end_session", ending)
        return done or pages.render(language, "signed_out.html")

    @api.get("/jwks", summary="The signing keys. Who may call: anyone.")
    async def jwks() -> JSONResponse:
        return JSONResponse(provider.keys.as_dict(private=False))

    @api.get("/.well-known/openid-configuration", summary="Discovery. Who may call: anyone.")
    async def configuration() -> JSONResponse:
        return JSONResponse(discovery(provider.issuer))

    @api.get("/static/identity.css", summary="The pages' style. Who may call: anyone.")
    async def css() -> Response:
        return Response(
            pages.css,
            media_type="text/css",
            headers={"Cache-Control": "public, max-age=31536000, immutable"},
        )

    @api.get("/healthz", summary="Liveness. Who may call: anyone.")
    async def alive() -> dict[str, str]:
        return {"status": "ok"}

    return api


def bearer_account(request: Request, provider: Provider) -> KnownAccount | None:
    """The account an access token of this provider names, if it verifies now."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        decoded = jwt.decode(token.strip(), provider.keys, algorithms=[ALGORITHM])
        jwt.JWTClaimsRegistry(
            now=int(time.time()),
            iss={"essential": True, "value": provider.issuer},
            aud={"essential": True, "value": AUDIENCE},
            exp={"essential": True},
            sub={"essential": True},
        ).validate(decoded.claims)
    except (JoseError, ValueError):
        return None
    return provider.registry.accounts.get(decoded.claims["sub"])


async def serve(port: int, registry_path: Path) -> None:
    """Run the provider on ``127.0.0.1:port`` until cancelled."""
    import uvicorn

    from contest_local.embedded import LOOPBACK

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # Authlib's debug lines print tokens: never below warnings.
    logging.getLogger("authlib").setLevel(logging.WARNING)
    issuer = f"http://{LOOPBACK}:{port}"
    registry = read_registry(registry_path)
    provider = Provider(issuer, registry, signing_keys())
    log.info(
        "identity provider at %s: %s; %d accounts, %d clients",
        issuer,
        STAND_IN,
        len(registry.accounts),
        len(registry.clients),
    )
    config = uvicorn.Config(
        identity_api(provider),
        host=LOOPBACK,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
    )
    await uvicorn.Server(config).serve()
