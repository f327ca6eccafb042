"""The connections the portal keeps to a service: a stack of keep-alive HTTP/1.1
connections, each request on one of its own.

httpx's own pool (httpcore's ``AsyncConnectionPool``) looks at every pooled connection,
polling its socket, each time it hands one out and each time one comes back: with the
tens of connections a burst of voters needs, that was most of the portal's time on the
vote path (see docs/benchmark.md, "The portal"). Here a request takes the connection used
last, checks that one alone (its keep-alive time, and whether the service closed it), and
puts it back after its answer; a stack keeps the connections that are used warm and lets
the rest expire. Streams (live results, and files a person downloads: marked with the
:data:`STREAMED` extension) go through httpx's own transport: they hold a connection for as
long as they last, and their bytes pass through without being held whole.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable

import httpcore
import httpx

KEEPALIVE_S = 2.0
"""How long an unused connection is kept: less than the services' servers keep one
(uvicorn: 5 s), so that the portal drops it before the service does."""

_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
)
"""httpcore's failures as httpx names them, so that callers catch `httpx.HTTPError`."""

STREAMED = "contest.streamed"
"""A request extension: its answer is read as it comes (a file), not whole."""


class StackedConnections(httpx.AsyncBaseTransport):
    """At most ``most`` connections to one service, the latest used first."""

    def __init__(self, most: int, keepalive_s: float = KEEPALIVE_S) -> None:
        self.keepalive_s = keepalive_s
        self.idle: list[httpcore.AsyncHTTPConnection] = []
        self.slots = asyncio.Semaphore(most)
        self.streams = httpx.AsyncHTTPTransport(
            limits=httpx.Limits(max_connections=most, keepalive_expiry=keepalive_s)
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("accept") == "text/event-stream" or request.extensions.get(STREAMED):
            return await self.streams.handle_async_request(request)
        timeouts = request.extensions.get("timeout", {})
        try:
            async with asyncio.timeout(timeouts.get("pool")):
                await self.slots.acquire()
        except TimeoutError as error:
            raise httpx.PoolTimeout("no connection to the service came free") from error
        try:
            return await self._send(request)
        finally:
            self.slots.release()

    async def _send(self, request: httpx.Request) -> httpx.Response:
        connection = await self._connection(request.url)
        answer = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port or (443 if request.url.scheme == "https" else 80),
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            response = await connection.handle_async_request(answer)
            stream = response.stream
            assert isinstance(stream, AsyncIterable)  # an async connection's answer
            body = b"".join([chunk async for chunk in stream])
            await response.aclose()
        except Exception as error:
            await connection.aclose()
            for core, named in _ERRORS:
                if isinstance(error, core):
                    raise named(str(error), request=request) from error
            if type(error).__module__.startswith("httpcore"):
                raise httpx.TransportError(str(error), request=request) from error
            raise
        if connection.is_available():
            self.idle.append(connection)
        else:
            await connection.aclose()
        return httpx.Response(
            response.status,
            headers=response.headers,
            content=body,
            extensions={"http_version": response.extensions.get("http_version", b"HTTP/1.1")},
        )

    async def _connection(self, url: httpx.URL) -> httpcore.AsyncHTTPConnection:
        """The connection used last that is still good, else a new one."""
        while self.idle:
            connection = self.idle.pop()
            if not connection.has_expired():
                return connection
            await connection.aclose()  # closed by the service, or unused too long
        port = url.port or (443 if url.scheme == "https" else 80)
        origin = httpcore.Origin(url.raw_scheme, url.raw_host, port)
        return httpcore.AsyncHTTPConnection(origin=origin, keepalive_expiry=self.keepalive_s)

    async def aclose(self) -> None:
        idle, self.idle = self.idle, []
        for connection in idle:
            await connection.aclose()
        await self.streams.aclose()
