"""What the portal reads from and writes to intake for an applicant, with their token:
their applications, one application, its standings at the closed judging stages, its draft
saved, submitted or withdrawn, and its files attached and removed."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from contest_portal.services.calls import get_json, send_document, send_json

SERVICE = "intake"


def _segment(value: str) -> str:
    return quote(value, safe="")


async def my_applications(client: httpx.AsyncClient, token: str) -> list[dict[str, Any]]:
    """The person's applications with their timelines (intake's `GET /applications/mine`):
    those they made, and those the ministry filed for their IIN/BIN."""
    found: list[dict[str, Any]] = await get_json(client, SERVICE, "/applications/mine", token=token)
    for item in found:
        for step in item.get("timeline", []):
            # a moment, for the page to write in the reader's time and language
            step["at"] = datetime.fromisoformat(step["at"])
    return found


async def application(client: httpx.AsyncClient, token: str, application_id: str) -> Any:
    """One of the person's applications (:class:`~.calls.NotFound`, or ``Refused`` when it
    is not theirs)."""
    return await get_json(client, SERVICE, f"/applications/{_segment(application_id)}", token=token)


async def standings(client: httpx.AsyncClient, token: str, application_id: str) -> Any:
    """Where the application stood at each closed judging stage (rank, score, each
    criterion's mean); ``Refused`` `scores_withheld` where the contest does not show them."""
    path = f"/applications/{_segment(application_id)}/standings"
    return await get_json(client, SERVICE, path, token=token)


async def create(
    client: httpx.AsyncClient, token: str, contest_id: str, form: dict[str, Any], *, submit: bool
) -> Any:
    """A new application: a draft of what ``form`` holds, or submitted at once."""
    return await send_json(
        client,
        SERVICE,
        "POST",
        f"/contests/{_segment(contest_id)}/applications",
        {**form, "submit": submit},
        token=token,
    )


async def save(
    client: httpx.AsyncClient, token: str, application_id: str, form: dict[str, Any]
) -> Any:
    """Replace an application's form (a draft's in part, a submitted one's whole)."""
    return await send_json(
        client, SERVICE, "PUT", f"/applications/{_segment(application_id)}", form, token=token
    )


async def submit(client: httpx.AsyncClient, token: str, application_id: str) -> Any:
    """Submit a draft (refused with each missing field while it is incomplete)."""
    return await send_json(
        client, SERVICE, "POST", f"/applications/{_segment(application_id)}/submit", token=token
    )


async def withdraw(
    client: httpx.AsyncClient, token: str, application_id: str, reason: str | None
) -> Any:
    """Withdraw an application before the deadline."""
    return await send_json(
        client,
        SERVICE,
        "POST",
        f"/applications/{_segment(application_id)}/withdraw",
        {"reason": reason},
        token=token,
    )


async def attach(
    client: httpx.AsyncClient,
    token: str,
    application_id: str,
    filename: str,
    media_type: str,
    content: bytes,
) -> Any:
    """Attach a file (intake checks its size, media type and first bytes against the
    definition and refuses with `attachment_too_large`, `unsupported_media_type`,
    `content_mismatch`, `empty_attachment`, `too_many_attachments`...); the application."""
    return await send_document(
        client,
        SERVICE,
        "POST",
        f"/applications/{_segment(application_id)}/attachments?filename={_segment(filename)}",
        content,
        media_type,
        token=token,
    )


async def detach(
    client: httpx.AsyncClient, token: str, application_id: str, attachment_id: str
) -> Any:
    """Remove a file from an application before the deadline; the application."""
    return await send_json(
        client,
        SERVICE,
        "DELETE",
        f"/applications/{_segment(application_id)}/attachments/{_segment(attachment_id)}",
        token=token,
    )
