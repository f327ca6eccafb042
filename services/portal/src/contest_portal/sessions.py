"""The voter's session: one signed cookie, nothing kept on the server.

It holds what the vote flow needs between its pages and no more: the CSRF token of its
forms, the phone number being verified (until the code is taken), the voter token voting
gave for it (until it expires), and the receipts of the votes cast in it. The cookie is
signed (itsdangerous, under `PORTAL_SESSION_SECRET`), so it cannot be forged or changed,
but not encrypted: it holds nothing its holder does not know already (their own number,
their own receipts, a token that proves only that number). It is `HttpOnly` (no script
reads it), `SameSite=Lax` (no other site's form sends it) and `Secure` except on loopback.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from contest_portal.headers import secure_cookies

COOKIE = "session"
SESSION_S = 2 * 3600
"""How long a session lasts without being used: it is signed again on every change."""

MOST_RECEIPTS = 20
"""Receipts kept in the cookie (a cookie holds about 4 KB): the latest ones."""


@dataclass
class Receipt:
    """A vote cast in this session: its receipt and what voting answered (`accepted`,
    `uncertain`), or `already_voted` (no receipt) when voting refused a repeat."""

    contest_id: str
    nomination_code: str
    application_id: str
    status: str
    receipt_id: str | None = None


@dataclass
class VoterSession:
    """What the cookie carries."""

    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    phone: str | None = None
    token: str | None = None
    token_expires_at: float = 0.0
    receipts: list[Receipt] = field(default_factory=list)
    changed: bool = False
    """Whether the cookie must be written again (a new session, or a change)."""

    def voter_token(self) -> str | None:
        """The voter token, while it has at least a minute left (a vote is not begun with
        a token about to expire)."""
        if self.token and self.token_expires_at - time.time() > 60:
            return self.token
        return None

    def verified(self, token: str, expires_in_s: int) -> None:
        """Keep the voter token; the phone number is no longer needed."""
        self.token, self.token_expires_at = token, time.time() + expires_in_s
        self.phone = None
        self.changed = True

    def receipt(self, contest_id: str, nomination_code: str) -> Receipt | None:
        """This session's vote in a nomination, if it cast one."""
        return next(
            (
                r
                for r in self.receipts
                if r.contest_id == contest_id and r.nomination_code == nomination_code
            ),
            None,
        )

    def keep(self, receipt: Receipt) -> None:
        """Remember a vote (the latest :data:`MOST_RECEIPTS`)."""
        self.receipts = [
            r
            for r in self.receipts
            if (r.contest_id, r.nomination_code) != (receipt.contest_id, receipt.nomination_code)
        ]
        self.receipts = [*self.receipts, receipt][-MOST_RECEIPTS:]
        self.changed = True

    def checks(self, submitted: str | None) -> bool:
        """Whether a form's CSRF token is this session's (compared in constant time)."""
        return bool(submitted) and hmac.compare_digest(str(submitted).encode(), self.csrf.encode())


class Sessions:
    """Reads and writes the signed session cookie."""

    def __init__(self, secret: str) -> None:
        self.serializer = URLSafeTimedSerializer(secret, salt="contest-portal.session")

    def read(self, request: Request) -> VoterSession:
        """The request's session; a new one (to be written) when it has none, or one whose
        signature fails or that is older than :data:`SESSION_S`."""
        raw = request.cookies.get(COOKIE)
        if raw:
            try:
                data: Any = self.serializer.loads(raw, max_age=SESSION_S)
                return _session(data)
            except (BadSignature, ValueError, TypeError, KeyError):
                pass
        return VoterSession(changed=True)

    def signed(self, session: VoterSession) -> str:
        """The cookie's value: the session, signed now."""
        data = {
            "c": session.csrf,
            "p": session.phone,
            "t": session.token,
            "x": session.token_expires_at,
            "r": [
                [r.contest_id, r.nomination_code, r.application_id, r.status, r.receipt_id]
                for r in session.receipts
            ],
        }
        return self.serializer.dumps(data)

    def write(self, request: Request, response: Response, session: VoterSession) -> None:
        """Set the cookie on ``response`` when the session is new or changed."""
        if not session.changed:
            return
        response.set_cookie(
            COOKIE,
            self.signed(session),
            max_age=SESSION_S,
            path="/",
            httponly=True,
            samesite="lax",
            secure=secure_cookies(request),
        )


def _session(data: Any) -> VoterSession:
    if not isinstance(data, dict) or not isinstance(data["c"], str):
        raise ValueError("not a session")
    return VoterSession(
        csrf=data["c"],
        phone=data.get("p"),
        token=data.get("t"),
        token_expires_at=float(data.get("x") or 0.0),
        receipts=[Receipt(*item) for item in data.get("r", [])],
    )
