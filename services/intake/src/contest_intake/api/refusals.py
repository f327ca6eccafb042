"""Refusals of the rules become problem responses (one error format for the platform)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from contest_intake.domain.forms import Refused
from contest_runtime.problems import FieldError, ProblemError, problem_response

_STATUS = {
    "unknown_contest": 404,
    "application_not_found": 404,
    "attachment_not_found": 404,
    "application_exists": 409,
    "contest_exists": 409,
    "submission_closed": 409,
    "submission_not_open": 409,
    "not_editable": 409,
    "not_submittable": 409,
    "not_screenable": 409,
    "fixed_fields": 409,
    "vote_visibility_fixed": 409,
    "visibility_change_unconfirmed": 409,
    "attachment_too_large": 413,
    "application_too_large": 413,
    "definition_too_large": 413,
    "unsupported_media_type": 415,
    "content_mismatch": 415,
}
"""HTTP status per refusal code; every other refusal is invalid input (422)."""

_TITLES = {
    404: "Not found",
    409: "Conflict with the current state",
    413: "Too large",
    415: "Unsupported media type",
}


_OUTSIDE_BODY: dict[str, list[str | int]] = {
    "Idempotency-Key": ["header", "idempotency-key"],
    "Content-Type": ["header", "content-type"],
    "contest_id": ["path", "contest_id"],
    "filename": ["query", "filename"],
}
"""Refusals naming a part of the request other than its body, located there."""


def location_of(field: str | None) -> list[str | int]:
    """Where a refusal's field is, as FastAPI locates its own validation errors: the part of
    the request (``body``, ``header``, ``path``, ``query``), then the path inside it, list
    positions as numbers (``["body", "applicant", "identifier"]``). A refusal of no field
    names none (``[]``)."""
    if field is None:
        return []
    if field in _OUTSIDE_BODY:
        return _OUTSIDE_BODY[field]
    if field == "body":
        return ["body"]
    return ["body", *(int(p) if p.isdigit() else p for p in field.split("."))]


def as_problem(refused: Refused) -> ProblemError:
    """The problem answering a refusal: named after its first reason, listing all of them."""
    status = _STATUS.get(refused.code, 422)
    return ProblemError(
        status,
        refused.code,
        _TITLES.get(status, "Invalid input"),
        str(refused),
        errors=[
            FieldError(location=location_of(r.field), message=r.message, kind=r.code)
            for r in refused.refusals
        ],
    )


async def _on_refused(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, Refused)
    return problem_response(request, as_problem(error))


def install_refusal_handler(app: FastAPI) -> None:
    """Answer every ``Refused`` raised by a route with its problem document."""
    app.add_exception_handler(Refused, _on_refused)
