"""An application's file downloaded through the portal, streamed from intake with the
signed-in person's token: intake decides who may read it (its applicant, the region's
secretary, an operator, the juror judging says is assigned), and the person never holds
intake's address."""

from __future__ import annotations

from fastapi import HTTPException
from starlette.responses import StreamingResponse

from contest_portal.pages.site import Site
from contest_portal.services import attachments
from contest_portal.services.calls import Refused
from contest_portal.services.identity import SignedIn


async def file_download(
    portal: Site, person: SignedIn, application_id: str, attachment_id: str
) -> StreamingResponse:
    """The file as intake sends it (its name, type, size and SHA-256 headers); the 403 page
    when intake refuses the person, the 404 page when there is no such file, the 503 page
    when intake (or judging behind it) cannot answer."""
    try:
        sent = await attachments.open_file(
            portal.services.intake.client, person.access_token, application_id, attachment_id
        )
    except Refused as refusal:
        raise HTTPException(403) from refusal
    return StreamingResponse(
        sent.chunks(), headers={**sent.headers, "Cache-Control": "private, no-store"}
    )
