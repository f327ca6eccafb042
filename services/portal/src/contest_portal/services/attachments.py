"""An application's files, read from intake with the signed-in person's token: the list,
and one file streamed through the portal (the person never holds intake's address)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from contest_portal.services.calls import NotFound, Refused, ServiceUnavailable, get_json
from contest_portal.services.connections import STREAMED
from contest_runtime.logs import correlation_id

log = logging.getLogger(__name__)

PASSED_ON = ("content-type", "content-length", "content-disposition", "x-content-sha256")
"""Intake's headers of a file that reach the person."""


def _files(application_id: str) -> str:
    return f"/applications/{quote(application_id, safe='')}/attachments"


async def files(client: httpx.AsyncClient, token: str, application_id: str) -> list[dict[str, Any]]:
    """The application's files (name, media type, size); :class:`Refused` when the person
    may not read them (a juror no longer assigned), :class:`ServiceUnavailable` when intake,
    or judging behind it, does not answer."""
    answer: list[dict[str, Any]] = await get_json(
        client, "intake", _files(application_id), token=token
    )
    return answer


@dataclass
class OpenFile:
    """A file intake is sending: its headers for the person, and its bytes as they come."""

    headers: dict[str, str]
    response: httpx.Response

    async def chunks(self) -> AsyncIterator[bytes]:
        """The file's bytes; the connection goes back to the pool once they are sent."""
        try:
            async for chunk in self.response.aiter_raw():
                yield chunk
        finally:
            await self.response.aclose()


async def open_file(
    client: httpx.AsyncClient, token: str, application_id: str, attachment_id: str
) -> OpenFile:
    """Start reading one file; :class:`NotFound`, :class:`Refused` (401/403) or
    :class:`ServiceUnavailable` (intake or judging behind it down) otherwise."""
    headers = {"Authorization": f"Bearer {token}"}
    current = correlation_id.get()
    if current is not None:
        headers["X-Correlation-Id"] = current
    path = f"{_files(application_id)}/{quote(attachment_id, safe='')}"
    try:
        response = await client.send(
            client.build_request("GET", path, headers=headers, extensions={STREAMED: True}),
            stream=True,
        )
    except httpx.HTTPError as error:
        log.warning("service unreachable", extra={"service": "intake", "error": repr(error)})
        raise ServiceUnavailable("intake", type(error).__name__) from error
    if response.status_code == 200:
        passed = {k: v for k, v in response.headers.items() if k.lower() in PASSED_ON}
        return OpenFile(passed, response)
    await response.aread()
    await response.aclose()
    if response.status_code == 404:
        raise NotFound(path)
    if response.status_code in (401, 403):
        code = response.json().get("code", "forbidden") if response.content else "forbidden"
        raise Refused(response.status_code, str(code))
    raise ServiceUnavailable("intake", f"HTTP {response.status_code}")
