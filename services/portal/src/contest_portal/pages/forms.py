"""What every form of the portal shares: its body read within bounds, and its CSRF token
checked against the session (403 otherwise)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import HTTPException, Request

from contest_portal.sessions import Sessions, VoterSession

MOST_FORM_BYTES = 4096
"""The portal's forms hold a few short fields."""

CSRF_FIELD = "csrf"


async def form_fields(
    request: Request, most_bytes: int = MOST_FORM_BYTES, most_fields: int = 16
) -> dict[str, str]:
    """The fields of a posted form (`application/x-www-form-urlencoded`); 413 past
    ``most_bytes`` (:data:`MOST_FORM_BYTES` unless a form says), 415 for another body."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/x-www-form-urlencoded":
        raise HTTPException(415)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > most_bytes:
            raise HTTPException(413)
    return dict(parse_qsl(body.decode("utf-8", errors="replace"), max_num_fields=most_fields))


async def posted(
    request: Request, sessions: Sessions, most_bytes: int = MOST_FORM_BYTES, most_fields: int = 16
) -> tuple[dict[str, str], VoterSession]:
    """A form's fields and the session it was posted in; 403 when the form does not carry
    the session's CSRF token (no session, a forged form, or an expired session)."""
    fields = await form_fields(request, most_bytes, most_fields)
    session = sessions.read(request)
    if session.changed or not session.checks(fields.get(CSRF_FIELD)):
        raise HTTPException(403)
    return fields, session


def client_address(request: Request) -> str:
    """The voter's address, as the portal's server sees it (through a trusted proxy's
    `X-Forwarded-For` where one is configured)."""
    return request.client.host if request.client else "unknown"
