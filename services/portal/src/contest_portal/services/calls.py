"""One call to a service's API, its failures in the portal's words: a GET (:func:`get_json`),
or a change (:func:`send_json`, :func:`post_json`), on the portal's behalf or with the
signed-in person's token."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from contest_runtime.logs import correlation_id

log = logging.getLogger(__name__)


class ServiceUnavailable(RuntimeError):
    """A service did not answer, or answered with a server error: the page cannot be made."""

    def __init__(self, service: str, reason: str) -> None:
        super().__init__(f"{service}: {reason}")
        self.service = service


class NotFound(LookupError):
    """The service does not know what was asked for (a 404)."""


async def get_json(
    client: httpx.AsyncClient,
    service: str,
    path: str,
    params: dict[str, Any] | None = None,
    *,
    fresh: bool = False,
    token: str | None = None,
) -> Any:
    """The JSON body of ``GET path``; :class:`NotFound` on a 404, :class:`Refused` on a 401 or
    403 for a person's ``token`` (what they may not read), :class:`ServiceUnavailable` on
    anything else but a 200 (a 4xx other than these is the portal's own mistake, logged).
    ``fresh`` asks the service itself, never an answer shared a moment ago (one person's
    own lookup, which nobody else shares and which they repeat to see it change); an answer
    to a person's ``token`` is never shared either (:mod:`.recent`)."""
    headers = {"Cache-Control": "no-cache"} if fresh else {}
    current = correlation_id.get()
    if current is not None:
        headers["X-Correlation-Id"] = current
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    try:
        response = await client.get(path, params=params, headers=headers)
    except httpx.HTTPError as error:
        log.warning("service unreachable", extra={"service": service, "error": repr(error)})
        raise ServiceUnavailable(service, type(error).__name__) from error
    if response.status_code == 404:
        raise NotFound(path)
    if token is not None and response.status_code in (401, 403):
        raise Refused(response.status_code, _problem_code(response) or "forbidden")
    if response.status_code != 200:
        log.warning(
            "service refused",
            extra={"service": service, "path": path, "status": response.status_code},
        )
        raise ServiceUnavailable(service, f"HTTP {response.status_code}")
    return response.json()


class Refused(Exception):
    """A service refused what was asked, with its problem's stable ``code`` (RFC 9457), the
    fields it names (``errors``: each its `location` path, `kind` and `message`, as
    `contest_runtime.problems.FieldError` has them) and, for a 429 or 503, how long to wait
    (its `Retry-After`, seconds)."""

    def __init__(
        self,
        status: int,
        code: str,
        retry_after_s: int | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(f"HTTP {status} {code}")
        self.status, self.code, self.retry_after_s = status, code, retry_after_s
        self.errors = errors or []


async def post_json(
    client: httpx.AsyncClient,
    service: str,
    path: str,
    body: dict[str, Any],
    *,
    token: str | None = None,
    client_address: str | None = None,
) -> Any:
    """:func:`send_json` with ``POST``."""
    return await send_json(
        client, service, "POST", path, body, token=token, client_address=client_address
    )


async def send_json(
    client: httpx.AsyncClient,
    service: str,
    method: str,
    path: str,
    body: dict[str, Any] | list[Any] | None = None,
    *,
    token: str | None = None,
    client_address: str | None = None,
) -> Any:
    """The JSON body of a 2xx answer to ``method path`` (``None`` for one without a body);
    :class:`Refused` with the problem's code and fields on a 4xx (and on a 503 that names
    one: a refusal the person can be told about), :class:`ServiceUnavailable` when the
    service does not answer or fails.

    ``client_address`` is passed on as `X-Forwarded-For`: the service limits and records
    callers by address, and behind the portal every caller would otherwise be the portal.
    """
    headers = {}
    current = correlation_id.get()
    if current is not None:
        headers["X-Correlation-Id"] = current
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if client_address is not None:
        headers["X-Forwarded-For"] = client_address
    try:
        response = await client.request(method, path, json=body, headers=headers)
    except httpx.HTTPError as error:
        log.warning("service unreachable", extra={"service": service, "error": repr(error)})
        raise ServiceUnavailable(service, type(error).__name__) from error
    if response.is_success:
        return response.json() if response.content else None
    code = _problem_code(response)
    if response.status_code < 500 or (response.status_code == 503 and code):
        retry = response.headers.get("retry-after", "")
        raise Refused(
            response.status_code,
            code or "refused",
            int(retry) if retry.isdigit() else None,
            _problem_errors(response),
        )
    log.warning(
        "service failed", extra={"service": service, "path": path, "status": response.status_code}
    )
    raise ServiceUnavailable(service, f"HTTP {response.status_code}")


def _problem_code(response: httpx.Response) -> str | None:
    """The stable `code` of a problem answer, if it is one."""
    try:
        body = response.json()
    except ValueError:
        return None
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


def _problem_errors(response: httpx.Response) -> list[dict[str, Any]]:
    """The field errors of a problem answer (its `errors`), if it has them."""
    try:
        body = response.json()
    except ValueError:
        return []
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return []
    return [error for error in errors if isinstance(error, dict)][:100]


async def send_document(
    client: httpx.AsyncClient,
    service: str,
    method: str,
    path: str,
    content: bytes,
    media_type: str,
    *,
    token: str,
) -> Any:
    """:func:`send_json` for a body that is a document of its own (a contest definition in
    YAML or JSON, sent as the person uploaded it): the same answers and refusals."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": media_type}
    current = correlation_id.get()
    if current is not None:
        headers["X-Correlation-Id"] = current
    try:
        response = await client.request(method, path, content=content, headers=headers)
    except httpx.HTTPError as error:
        log.warning("service unreachable", extra={"service": service, "error": repr(error)})
        raise ServiceUnavailable(service, type(error).__name__) from error
    if response.is_success:
        return response.json() if response.content else None
    if response.status_code < 500:
        raise Refused(
            response.status_code,
            _problem_code(response) or "refused",
            errors=_problem_errors(response),
        )
    log.warning(
        "service failed", extra={"service": service, "path": path, "status": response.status_code}
    )
    raise ServiceUnavailable(service, f"HTTP {response.status_code}")
