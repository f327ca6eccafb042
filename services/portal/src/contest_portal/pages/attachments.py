"""The applicant's files (`/{lang}/applicant/applications/{id}/attachments...`, role
`applicant`): a file attached to a draft or a submitted application before the deadline,
one downloaded, and one removed. Intake decides what it takes (the definition's size, media
types and number of files); its refusal is a sentence next to the file field on the
application's page.

The file comes as `multipart/form-data` (:mod:`.uploads`), read no further than the
definition's largest file and the form around it, and goes to intake as it came.
"""

from __future__ import annotations

import mimetypes
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from contest_portal.pages.applicant import Applicant, application_page, own_application
from contest_portal.pages.files import file_download
from contest_portal.pages.forms import posted
from contest_portal.pages.site import CurrentSite, PageLanguage
from contest_portal.pages.uploads import FORM_MARGIN_BYTES, UploadTooLarge, posted_upload
from contest_portal.services import applications
from contest_portal.services.calls import Refused

router = APIRouter()

FILE_FIELD = "file"
UNTYPED = "application/octet-stream"


@router.post(
    "/{lang}/applicant/applications/{application_id}/attachments",
    response_class=Response,
    summary="Attach a file to one of the person's applications (multipart/form-data, its "
    "CSRF token in the form). Who may call: signed-in applicants (their own applications).",
)
async def attach_file(
    request: Request,
    lang: PageLanguage,
    portal: CurrentSite,
    person: Applicant,
    application_id: str,
) -> Response:
    application = await own_application(portal, person, application_id)
    contest = await portal.services.intake.contest(application["contest_id"])
    rules = contest.definition.attachments
    try:
        form = await posted_upload(request, portal.sessions, rules.max_bytes + FORM_MARGIN_BYTES)
    except UploadTooLarge:
        # Nothing was sent: the person is told the limit, as intake would tell them.
        refused = Refused(413, "attachment_too_large")
        return await application_page(
            request, portal, lang, person, application, file_refused=refused
        )
    upload = form.files.get(FILE_FIELD)
    if upload is None or not upload.filename:
        return await application_page(
            request, portal, lang, person, application, file_refused=Refused(422, "no_file")
        )
    try:
        await applications.attach(
            portal.services.intake.client,
            person.access_token,
            application_id,
            upload.filename,
            _media_type(upload.media_type, upload.filename),
            upload.content,
        )
    except Refused as refused:
        return await application_page(
            request, portal, lang, person, application, file_refused=refused
        )
    return _to_application(lang.value, application_id, "attached")


@router.get(
    "/{lang}/applicant/applications/{application_id}/attachments/{attachment_id}",
    response_class=StreamingResponse,
    summary="Download a file of one of the person's applications. Who may call: signed-in "
    "applicants (their own applications; intake decides).",
)
async def download_file(
    lang: PageLanguage,
    portal: CurrentSite,
    person: Applicant,
    application_id: str,
    attachment_id: str,
) -> StreamingResponse:
    return await file_download(portal, person, application_id, attachment_id)


@router.post(
    "/{lang}/applicant/applications/{application_id}/attachments/{attachment_id}/remove",
    response_class=Response,
    summary="Remove a file from one of the person's applications before the deadline. Who "
    "may call: signed-in applicants (their own applications).",
)
async def remove_file(
    request: Request,
    lang: PageLanguage,
    portal: CurrentSite,
    person: Applicant,
    application_id: str,
    attachment_id: str,
) -> Response:
    await posted(request, portal.sessions)
    application = await own_application(portal, person, application_id)
    try:
        await applications.detach(
            portal.services.intake.client, person.access_token, application_id, attachment_id
        )
    except Refused as refused:
        return await application_page(
            request, portal, lang, person, application, file_refused=refused
        )
    return _to_application(lang.value, application_id, "removed")


def _media_type(declared: str, filename: str) -> str:
    """The file's media type as the browser declared it; from its name's extension when the
    browser knew none (it sends `application/octet-stream` for what its system cannot name).
    Intake checks the file's first bytes against it either way."""
    if declared and declared != UNTYPED:
        return declared
    guessed, _ = mimetypes.guess_type(filename, strict=False)
    return guessed or UNTYPED


def _to_application(lang: str, application_id: str, done: str) -> Response:
    page = f"/{lang}/applicant/applications/{quote(application_id, safe='')}"
    return RedirectResponse(
        f"{page}?files={done}", status_code=303, headers={"Cache-Control": "no-store"}
    )
