"""One GET to a service's API, its failures in the portal's words."""

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
    client: httpx.AsyncClient, service: str, path: str, params: dict[str, Any] | None = None
) -> Any:
    """The JSON body of ``GET path``; :class:`NotFound` on a 404, :class:`ServiceUnavailable`
    on anything but a 200 (a 4xx other than 404 is the portal's own mistake, logged)."""
    headers = {}
    current = correlation_id.get()
    if current is not None:
        headers["X-Correlation-Id"] = current
    try:
        response = await client.get(path, params=params, headers=headers)
    except httpx.HTTPError as error:
        log.warning("service unreachable", extra={"service": service, "error": repr(error)})
        raise ServiceUnavailable(service, type(error).__name__) from error
    if response.status_code == 404:
        raise NotFound(path)
    if response.status_code != 200:
        log.warning(
            "service refused",
            extra={"service": service, "path": path, "status": response.status_code},
        )
        raise ServiceUnavailable(service, f"HTTP {response.status_code}")
    return response.json()
