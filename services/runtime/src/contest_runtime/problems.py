"""One error format for every HTTP error: RFC 9457 problem details with a stable ``code``.

Clients branch on ``code`` (machine-readable, stable across releases), people read
``title`` and ``detail``; ``errors`` lists field-level problems of invalid input.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from contest_runtime.logs import correlation_id

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://contest.example.kz/problems/"

log = logging.getLogger(__name__)


class FieldError(BaseModel):
    """One invalid input field."""

    location: list[str | int] = Field(description="Where: e.g. ['body', 'contact', 'email'].")
    message: str = Field(description="What is wrong.")
    kind: str = Field(description="Machine-readable kind of error, e.g. `missing`.")


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(description="URI naming the kind of problem.")
    title: str = Field(description="Short, human-readable summary of the kind.")
    status: int = Field(description="HTTP status code.")
    code: str = Field(description="Stable machine-readable code, e.g. `application_exists`.")
    detail: str | None = Field(default=None, description="What happened in this case.")
    instance: str | None = Field(default=None, description="The request path.")
    correlation_id: str | None = Field(default=None, description="For support requests.")
    errors: list[FieldError] = Field(default_factory=list, description="Invalid fields.")


class ProblemError(Exception):
    """Raise from a route to answer with a problem document."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        errors: list[FieldError] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.headers = headers
        self.errors = errors or []


_STATUS_CODES = {
    400: ("bad_request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Not allowed"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    406: ("not_acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    413: ("payload_too_large", "Payload too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    422: ("validation_failed", "Invalid input"),
    429: ("rate_limited", "Too many requests"),
    503: ("unavailable", "Service unavailable"),
}
STATUS_TITLES = {status: title for status, (_, title) in _STATUS_CODES.items()}
"""The title of the problem of each status the services answer with."""


def problem_response(request: Request, error: ProblemError) -> JSONResponse:
    """Render a problem as ``application/problem+json``."""
    # Unexpected errors are rendered outside the correlation middleware, after it reset the
    # context variable: the id it put in the scope is still there.
    current = correlation_id.get() or request.scope.get("correlation_id")
    headers = dict(error.headers or {})
    if current:
        headers["X-Correlation-Id"] = current
    problem = Problem(
        type=PROBLEM_TYPE_BASE + error.code,
        title=error.title,
        status=error.status,
        code=error.code,
        detail=error.detail,
        instance=request.url.path,
        correlation_id=current,
        errors=error.errors,
    )
    return JSONResponse(
        problem.model_dump(mode="json", exclude_none=True),
        status_code=error.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


async def _on_problem(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ProblemError)
    return problem_response(request, error)


async def _on_http_exception(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    code, title = _STATUS_CODES.get(error.status_code, ("http_error", "HTTP error"))
    detail = error.detail if isinstance(error.detail, str) and error.detail != title else None
    headers = dict(error.headers) if error.headers else None
    if error.status_code == 405:
        headers = {**(headers or {}), "Allow": ", ".join(sorted(_methods_of(request)))}
    return problem_response(
        request, ProblemError(error.status_code, code, title, detail, headers=headers)
    )


def _methods_of(request: Request) -> set[str]:
    """Every method some route of the request's path answers. Starlette's own ``Allow``
    names only the methods of the first route whose path matched, and a path's methods are
    often in routes of their own (``GET /contests`` and ``POST /contests``)."""
    path = request.scope.get("path", request.url.path)
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        pattern = getattr(route, "path_regex", None)
        if pattern is not None and pattern.match(path):
            methods |= set(route.methods or ())
    return methods


async def _on_validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [_field_error(item) for item in error.errors()]
    code = (
        "malformed_json" if any(e.kind == "json_invalid" for e in errors) else "validation_failed"
    )
    title = "Malformed JSON" if code == "malformed_json" else "Invalid input"
    return problem_response(request, ProblemError(422, code, title, errors=errors))


def _field_error(item: dict[str, Any]) -> FieldError:
    return FieldError(
        location=[part for part in item.get("loc", ()) if isinstance(part, (str, int))],
        message=str(item.get("msg", "invalid")),
        kind=str(item.get("type", "invalid")),
    )


async def _on_unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error", extra={"path": request.url.path})
    return problem_response(
        request, ProblemError(500, "internal_error", "Internal error", "The error was logged.")
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error of ``app`` a problem document, including unexpected ones."""
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(Exception, _on_unexpected)
