"""A stand-in identity provider for tests: a real HTTP server on a free loopback port that
publishes an OpenID Connect discovery document and a key set (JWKS), with signing keys made
by ``cryptography`` here. It counts the key-set requests and can be slowed down or stopped.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Annotated, Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from fastapi import Depends, FastAPI
from httpx import ASGITransport, AsyncClient
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

from contest_runtime.auth import (
    AuthSettings,
    Principal,
    Role,
    principal_of,
    require_roles,
    verifying_tokens,
)
from contest_runtime.problems import install_problem_handlers
from contest_runtime.provider_keys import ProviderKeys

REALM_PATH = "/realms/contest"
CERTS_PATH = REALM_PATH + "/protocol/openid-connect/certs"
AUDIENCE = "contest-api"


@dataclass
class SigningKey:
    """A provider's key pair: it signs tokens, its public half is published."""

    kid: str
    algorithm: str
    private: Any

    @classmethod
    def new(cls, kid: str, algorithm: str = "RS256") -> SigningKey:
        """A fresh key for ``algorithm`` (RS256, ES256 or EdDSA)."""
        private: Any
        if algorithm == "RS256":
            private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif algorithm == "ES256":
            private = ec.generate_private_key(ec.SECP256R1())
        elif algorithm == "EdDSA":
            private = ed25519.Ed25519PrivateKey.generate()
        else:
            raise ValueError(algorithm)
        return cls(kid, algorithm, private)

    @property
    def jwk(self) -> dict[str, Any]:
        """The public key as the provider publishes it."""
        public = self.private.public_key()
        encoder = {"RS256": RSAAlgorithm, "ES256": ECAlgorithm, "EdDSA": OKPAlgorithm}
        published: dict[str, Any] = encoder[self.algorithm].to_jwk(public, as_dict=True)
        return {**published, "kid": self.kid, "use": "sig", "alg": self.algorithm}

    @property
    def public_pem(self) -> bytes:
        return bytes(
            self.private.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )

    def sign(self, claims: dict[str, Any], **header: Any) -> str:
        """A token with ``claims``, signed by this key, its ``kid`` in the header."""
        return jwt.encode(
            claims, self.private, algorithm=self.algorithm, headers={"kid": self.kid, **header}
        )


def claims_for(
    issuer: str, subject: str = "user-1", ttl: timedelta = timedelta(minutes=5), **more: Any
) -> dict[str, Any]:
    """Valid claims of an access token of ``issuer`` for the platform's audience."""
    now = datetime.now(UTC)
    return {
        "iss": issuer,
        "aud": AUDIENCE,
        "sub": subject,
        "iat": now,
        "exp": now + ttl,
        **more,
    }


def _segment(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forged(header: dict[str, Any], claims: dict[str, Any], hmac_secret: bytes | None) -> str:
    """A token built by hand, as an attacker would: any header, an HMAC-SHA256 signature
    with ``hmac_secret`` (an algorithm-confusion attempt) or none at all."""
    payload = {
        key: int(value.timestamp()) if isinstance(value, datetime) else value
        for key, value in claims.items()
    }
    signing_input = (
        f"{_segment(json.dumps(header).encode())}.{_segment(json.dumps(payload).encode())}"
    )
    if hmac_secret is None:
        return signing_input + "."
    signature = hmac.new(hmac_secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_segment(signature)}"


def tampered(token: str, **claims: Any) -> str:
    """``token`` with its payload changed (``claims`` over the signed ones), signature kept."""
    header, payload, signature = token.split(".")
    original = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    changed = _segment(json.dumps({**original, **claims}).encode())
    return f"{header}.{changed}.{signature}"


@dataclass
class IdentityProvider:
    """What the server publishes and what it has been asked."""

    port: int
    keys: list[SigningKey] = field(default_factory=list)
    delay_s: float = 0.0
    """How long each answer takes (so concurrent requests overlap)."""
    discovery_issuer: str | None = None
    """The issuer the discovery document names (the real one unless set)."""
    key_set_requests: int = 0
    discovery_requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        """The issuer, Keycloak-shaped (one realm)."""
        return self.base_url + REALM_PATH

    @property
    def jwks_url(self) -> str:
        return self.base_url + CERTS_PATH

    def publish(self, *keys: SigningKey) -> None:
        """Publish exactly ``keys`` from now on."""
        self.keys = list(keys)

    def answer(self, path: str) -> tuple[int, dict[str, Any]]:
        time.sleep(self.delay_s)
        if path == CERTS_PATH:
            with self._lock:
                self.key_set_requests += 1
            return 200, {"keys": [key.jwk for key in self.keys]}
        if path == REALM_PATH + "/.well-known/openid-configuration":
            with self._lock:
                self.discovery_requests += 1
            return 200, {
                "issuer": self.discovery_issuer or self.issuer,
                "jwks_uri": self.jwks_url,
                "id_token_signing_alg_values_supported": ["RS256", "ES256", "EdDSA"],
            }
        return 404, {"error": "not found"}


@contextmanager
def identity_provider(port: int = 0) -> Iterator[tuple[IdentityProvider, ThreadingHTTPServer]]:
    """Serve a provider on a free loopback port (or ``port``: the provider coming back) for
    the duration of the block; the server is given too, so a test can stop it."""
    state: list[IdentityProvider] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = state[0].answer(self.path)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # http.server writes every request to stderr; the test output stays readable

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    state.append(IdentityProvider(port=server.server_address[1]))
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="identity-provider", daemon=True
    )
    thread.start()
    try:
        yield state[0], server
    finally:
        stop(server)
        thread.join(timeout=5)


def stop(server: ThreadingHTTPServer) -> None:
    """Stop answering and close the port (connections are refused from now on)."""
    if server.socket.fileno() != -1:
        server.shutdown()
        server.server_close()


def secured_app(settings: AuthSettings) -> FastAPI:
    """An app with a secretary's route and a route any verified caller may use."""
    app = FastAPI()
    app.state.auth_settings = settings
    install_problem_handlers(app)

    def described(principal: Principal) -> dict[str, Any]:
        return {
            "subject": principal.subject,
            "roles": sorted(principal.roles),
            "region": principal.region_code,
            "iin_bin": principal.iin_bin,
        }

    @app.get("/secretary/applications")
    async def applications(
        principal: Annotated[Principal, Depends(require_roles(Role.SECRETARY, Role.OPERATOR))],
    ) -> dict[str, Any]:
        return described(principal)

    @app.get("/me")
    async def me(principal: Annotated[Principal, Depends(principal_of)]) -> dict[str, Any]:
        return described(principal)

    return app


@asynccontextmanager
async def calling(settings: AuthSettings) -> AsyncIterator[tuple[AsyncClient, ProviderKeys]]:
    """A client of :func:`secured_app` whose provider keys are open, as a lifespan opens them."""
    app = secured_app(settings)
    async with verifying_tokens(app) as keys:
        assert keys is not None
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as http:
            yield http, keys


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
