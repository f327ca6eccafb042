"""A form that carries a file (`multipart/form-data`): read within bounds, its CSRF token
checked against the session, as :mod:`.forms` does for the portal's short forms.

The portal has no multipart library (FastAPI's needs `python-multipart`); the standard
library's MIME parser reads the few parts an upload form has once the body is read, and
the body is never read past the form's bound (:data:`MOST_UPLOAD_BYTES` for a definition,
an attachment's limit plus :data:`FORM_MARGIN_BYTES` for an applicant's file).
"""

from __future__ import annotations

from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from fastapi import HTTPException, Request

from contest_portal.pages.forms import CSRF_FIELD
from contest_portal.sessions import Sessions

MOST_UPLOAD_BYTES = 1024 * 1024 + 16 * 1024
"""Intake takes a definition of at most 1 MiB; the rest is the form's other fields."""

FORM_MARGIN_BYTES = 16 * 1024
"""What a form holds besides its file: the boundaries, the parts' headers, the CSRF token."""

MOST_PARTS = 8

DRAINED_BYTES = 64 * 1024 * 1024
"""How much of a body past its bound is still read (and dropped) so that the browser, which
sends the whole file before it reads an answer, gets the page saying it is too large. A
server that answers and closes mid-upload leaves the browser with a reset connection, no
page. Beyond this the connection is dropped after all."""


class UploadTooLarge(HTTPException):
    """The posted body went past the form's bound (a 413): nothing of it was kept."""

    def __init__(self) -> None:
        super().__init__(413)


@dataclass(frozen=True)
class Upload:
    """A posted form's file field: the file's name and media type as the browser gave
    them, and its bytes."""

    filename: str
    content: bytes
    media_type: str = "application/octet-stream"


@dataclass(frozen=True)
class UploadForm:
    """The fields and files of a posted upload form."""

    fields: dict[str, str]
    files: dict[str, Upload]


async def posted_upload(
    request: Request, sessions: Sessions, most_bytes: int = MOST_UPLOAD_BYTES
) -> UploadForm:
    """An upload form's fields and files; 415 for another body, :class:`UploadTooLarge`
    past ``most_bytes``, 400 for a body that is no form, 403 when the form does not carry
    the session's CSRF token."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "multipart/form-data":
        raise HTTPException(415)
    body = bytearray()  # appended in place: a file of megabytes is not copied per chunk
    stream = request.stream()
    async for chunk in stream:
        body += chunk
        if len(body) > most_bytes:
            dropped = len(body)
            del body
            async for rest in stream:
                dropped += len(rest)
                if dropped > DRAINED_BYTES:
                    break
            raise UploadTooLarge()
    form = _parts(content_type, bytes(body))
    session = sessions.read(request)
    if session.changed or not session.checks(form.fields.get(CSRF_FIELD)):
        raise HTTPException(403)
    return form


def _parts(content_type: str, body: bytes) -> UploadForm:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = message_from_bytes(head + body, policy=policy.HTTP)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise HTTPException(400)
    fields: dict[str, str] = {}
    files: dict[str, Upload] = {}
    for number, part in enumerate(message.iter_parts()):
        if number >= MOST_PARTS:
            raise HTTPException(400)
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is None:
            fields[name] = content.decode("utf-8", errors="replace")
        else:
            files[name] = Upload(filename, content, part.get_content_type())
    return UploadForm(fields, files)
