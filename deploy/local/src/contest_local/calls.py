"""Many concurrent JSON calls to the platform's APIs from one process, for the benchmark and
the demo edition.

A general client (httpx) spends more CPU per request than the services it calls, and here it
shares two cores with them; these keep-alive HTTP/1.1 connections do just enough.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

_FAILURES = (OSError, ValueError, IndexError, asyncio.IncompleteReadError)
_NONE: Mapping[str, str] = {}


class KeepAliveConnection:
    """One HTTP/1.1 keep-alive connection; answers must carry a Content-Length."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: Mapping[str, str] = _NONE,
        content_type: str = "application/json",
    ) -> tuple[int, bytes]:
        """Send one request with a body (JSON unless told); the status and the answer's
        body."""
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        try:
            writer.write(
                f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n{extra}"
                f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            return status, await reader.readexactly(length)
        except _FAILURES:
            writer.close()
            self.streams = None
            raise

    async def post(self, path: str, body: bytes, token: str) -> tuple[int, bytes]:
        """POST a JSON body with a bearer token."""
        return await self.request("POST", path, body, {"Authorization": f"Bearer {token}"})

    def close(self) -> None:
        """Close the connection, if open."""
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


@dataclass(frozen=True)
class Answer:
    """A service's answer: its status and decoded JSON body (None when empty)."""

    status: int
    body: Any

    def expect(self, *statuses: int) -> Any:
        """The body, when the status is one of ``statuses``; otherwise raise with the body."""
        if self.status not in statuses:
            raise CallFailed(self.status, self.body)
        return self.body


class CallFailed(RuntimeError):
    """A call answered with a status nobody expected."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status, self.body = status, body


def _decoded(body: bytes) -> Any:
    """A JSON body decoded; a body that is not JSON (a proxy's error page) as its text."""
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")


class Service:
    """A pool of keep-alive connections to one service; at most ``connections`` calls at once."""

    def __init__(self, base_url: str, connections: int = 16) -> None:
        address = urlsplit(base_url)
        self.base_url = base_url
        self._idle: asyncio.Queue[KeepAliveConnection] = asyncio.Queue()
        for _ in range(connections):
            self._idle.put_nowait(KeepAliveConnection(address.hostname or "", address.port or 80))

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        headers: Mapping[str, str] = _NONE,
        retries: int = 3,
    ) -> Answer:
        """One JSON call with an optional bearer token. A dropped connection is retried on a
        fresh one, so callers send an Idempotency-Key where a repeat would matter."""
        payload = b"" if body is None else json.dumps(body).encode()
        if token:
            headers = {**headers, "Authorization": f"Bearer {token}"}
        connection = await self._idle.get()
        try:
            for attempt in range(retries + 1):
                try:
                    status, answer = await connection.request(method, path, payload, headers)
                    break
                except _FAILURES:
                    if attempt == retries:
                        raise
                    await asyncio.sleep(0.2 * (attempt + 1))
        finally:
            self._idle.put_nowait(connection)
        return Answer(status, _decoded(answer))

    def close(self) -> None:
        """Close every idle connection."""
        while not self._idle.empty():
            self._idle.get_nowait().close()
