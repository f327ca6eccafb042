"""A signed-in person's session: two signed cookies, nothing kept on the server.

`signin_pending` lives for the few minutes between leaving for the provider's sign-in page
and coming back: it holds the `state`, the `nonce` and the PKCE verifier of that one sign-in,
so that a return this browser did not start is refused (login CSRF). `signin` holds the
person and their tokens for as long as the provider lets them refresh. Both are signed
(itsdangerous, under `PORTAL_SESSION_SECRET`, each with its own salt, so one cannot pass for
the other or for the voter's session), `HttpOnly`, `SameSite=Lax` (the provider's redirect
back is a top-level GET, which Lax lets through), and `Secure` except on loopback. They are
not encrypted: what they hold is the person's own (their tokens prove only them).
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from contest_portal.headers import secure_cookies
from contest_portal.services.identity import PendingSignIn, SignedIn

SIGNED_IN = "signin"
PENDING = "signin_pending"
PENDING_S = 10 * 60
"""How long a person may take on the provider's sign-in page."""
MOST_COOKIE_BYTES = 3900
"""A cookie's value a browser keeps (4096 bytes with its name and attributes)."""
SIGNED_IN_S = 12 * 3600
"""The longest a sign-in is kept: past it, the person signs in again (the provider may end
it sooner, by refusing to refresh)."""


class SignIns:
    """Reads and writes the sign-in cookies."""

    def __init__(self, secret: str) -> None:
        self.pending = URLSafeTimedSerializer(secret, salt="contest-portal.signin-pending")
        self.signed = URLSafeTimedSerializer(secret, salt="contest-portal.signin")

    def read_pending(self, request: Request) -> PendingSignIn | None:
        """The sign-in this browser began here, if it is recent."""
        data = _loads(self.pending, request.cookies.get(PENDING), PENDING_S)
        try:
            return PendingSignIn(**data) if data is not None else None
        except TypeError:
            return None

    def write_pending(self, request: Request, response: Response, pending: PendingSignIn) -> None:
        """Remember a sign-in begun now."""
        _set(request, response, PENDING, self.pending.dumps(asdict(pending)), PENDING_S)

    def read(self, request: Request) -> SignedIn | None:
        """The person signed in in this browser, if any."""
        data = _loads(self.signed, request.cookies.get(SIGNED_IN), SIGNED_IN_S)
        if data is None:
            return None
        try:
            return SignedIn(**{**data, "roles": tuple(data["roles"])})
        except (TypeError, KeyError):
            return None

    def write(self, request: Request, response: Response, signed: SignedIn) -> None:
        """Keep the person signed in; the pending sign-in is done with."""
        value = self.signed.dumps(asdict(signed))
        if len(value) > MOST_COOKIE_BYTES:
            # A browser drops a larger cookie without a word, and the person would never be
            # signed in. The ID token is needed only as a hint when signing out.
            value = self.signed.dumps(asdict(replace(signed, id_token="")))
        _set(request, response, SIGNED_IN, value, SIGNED_IN_S)
        response.delete_cookie(PENDING, path="/")

    def forget(self, response: Response) -> None:
        """Sign the person out of the portal."""
        response.delete_cookie(SIGNED_IN, path="/")
        response.delete_cookie(PENDING, path="/")


def _loads(serializer: URLSafeTimedSerializer, raw: str | None, max_age_s: int) -> Any:
    if not raw:
        return None
    try:
        data = serializer.loads(raw, max_age=max_age_s)
    except (BadSignature, ValueError, TypeError):
        return None
    return data if isinstance(data, dict) else None


def _set(request: Request, response: Response, name: str, value: str, max_age_s: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age_s,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
    )
