"""Files attached to applications, kept in GridFS."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from contest_contracts.events.applications import AttachmentRef
from contest_intake.api.access import (
    ASSIGNED_JUROR,
    ITS_APPLICANT,
    office,
    require_file_reader,
    require_owner,
)
from contest_intake.domain.applications import Application
from contest_intake.domain.forms import Refused
from contest_intake.office import IntakeOffice
from contest_runtime.auth import Principal, Role, require_roles
from contest_runtime.openapi import problems

router = APIRouter(tags=["attachments"])

Office = Annotated[IntakeOffice, Depends(office)]
ApplicantCaller = Annotated[Principal, Depends(require_roles(Role.APPLICANT))]
FileReader = Annotated[
    Principal,
    Depends(require_roles(Role.APPLICANT, Role.SECRETARY, Role.OPERATOR, Role.JUROR)),
]
READERS = f"{ITS_APPLICANT}, the region's secretary, operators, {ASSIGNED_JUROR}"


@router.post(
    "/applications/{application_id}/attachments",
    status_code=201,
    summary="Attach a file (the request body; its media type in Content-Type). "
    f"Who may call: {ITS_APPLICANT}.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
    responses={
        **problems(404, 409),
        413: {"description": "Larger than the contest allows."},
        415: {"description": "Media type not accepted."},
    },
)
async def attach_file(
    application_id: str,
    request: Request,
    intake: Office,
    applicant: ApplicantCaller,
    filename: Annotated[str, Query(min_length=1, max_length=255, description="File name.")],
) -> Application:
    """Limits and accepted media types come from the contest definition; SHA-256 is recorded."""
    application = await intake.application(application_id)
    require_owner(applicant, application)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    declared = request.headers.get("content-length", "")
    return await intake.attach(
        application,
        filename,
        media_type,
        request.stream(),
        declared_size=int(declared) if declared.isdigit() else None,
    )


@router.get(
    "/applications/{application_id}/attachments",
    responses=problems(404, 503),
    summary=f"The application's files (name, type, size, SHA-256). Who may call: {READERS}.",
)
async def list_files(
    application_id: str, request: Request, intake: Office, reader: FileReader
) -> list[AttachmentRef]:
    application = await intake.application(application_id)
    await require_file_reader(request, reader, application)
    return application.attachments


@router.get(
    "/applications/{application_id}/attachments/{attachment_id}",
    responses=problems(404, 503),
    summary=f"Download a file. Who may call: {READERS}.",
    response_class=StreamingResponse,
)
async def download_file(
    application_id: str, attachment_id: str, request: Request, intake: Office, reader: FileReader
) -> StreamingResponse:
    application = await intake.application(application_id)
    await require_file_reader(request, reader, application)
    ref = next((a for a in application.attachments if a.attachment_id == attachment_id), None)
    chunks = await intake.files.open(attachment_id) if ref is not None else None
    if ref is None or chunks is None:
        raise Refused.of("attachment_not_found", f"no attachment {attachment_id!r}")
    return StreamingResponse(
        chunks,
        media_type=ref.media_type,
        headers={
            "Content-Length": str(ref.size_bytes),
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(ref.filename, safe='')}",
            "X-Content-SHA256": ref.sha256,
        },
    )


@router.delete(
    "/applications/{application_id}/attachments/{attachment_id}",
    responses=problems(404, 409),
    summary=f"Remove a file before the deadline. Who may call: {ITS_APPLICANT}.",
)
async def remove_file(
    application_id: str, attachment_id: str, intake: Office, applicant: ApplicantCaller
) -> Application:
    require_owner(applicant, await intake.application(application_id))
    return await intake.detach(application_id, attachment_id)
