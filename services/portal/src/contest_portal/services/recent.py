"""What a service answered a moment ago, shared by every page that asks the same.

A burst of voters opening the same vote page would otherwise make the same four calls to
intake and voting per page. Pages are public and cached for `PORTAL_PAGE_MAX_AGE_S`
anyway; keeping an answer for about a second more costs nothing a reader could notice, and
turns a thousand identical calls into one. Concurrent askers of an answer not yet kept wait
for the one call already made rather than each making their own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

import httpx

T = TypeVar("T")

MOST_KEPT = 1024
"""Answers kept at most: addresses made up per request (a page number, a search) must not
grow memory; with answers of tens of kilobytes this bounds it to some tens of megabytes."""


class Recent(Generic[T]):
    """Answers kept for ``ttl_s`` seconds by key (0: nothing is kept); a call that fails is
    not kept, so the next asker tries again.

    The call runs as a task of its own: an asker that goes away (a reader closing the page)
    cancels its own wait, never the call the others wait for."""

    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s, self.clock = ttl_s, clock
        self.kept: dict[Hashable, tuple[float, asyncio.Task[T]]] = {}

    async def get(self, key: Hashable, call: Callable[[], Awaitable[T]]) -> T:
        """The answer kept under ``key``, else ``call``'s (shared with whoever asks the same
        while it runs)."""
        if self.ttl_s <= 0:
            return await call()
        now = self.clock()
        found = self.kept.get(key)
        if found is None or found[0] <= now:
            self._forget_expired(now)
            task: asyncio.Task[T] = asyncio.ensure_future(call())
            self.kept[key] = (now + self.ttl_s, task)
            task.add_done_callback(lambda done: self._forget_failed(key, done))
        else:
            task = found[1]
        return await asyncio.shield(task)

    def _forget_failed(self, key: Hashable, task: asyncio.Task[T]) -> None:
        failed = task.cancelled() or task.exception() is not None  # retrieved: never unheard
        if failed and key in self.kept and self.kept[key][1] is task:
            del self.kept[key]

    def _forget_expired(self, now: float) -> None:
        if len(self.kept) < MOST_KEPT // 4:
            return  # few enough: not worth a pass over them on every new key
        for key, (expires, _) in list(self.kept.items()):
            if expires <= now:
                del self.kept[key]
        while len(self.kept) >= MOST_KEPT:
            del self.kept[next(iter(self.kept))]


Kept = tuple[int, list[tuple[bytes, bytes]], bytes]
"""An answer kept: its status, headers and body as the service sent them."""


class RecentAnswers(httpx.AsyncBaseTransport):
    """A client's transport that keeps a service's answers to GETs of JSON for a moment:
    200s and 404s (an unknown contest asked for again and again is answered once too),
    by address. Everything else goes to the service every time: other methods, a stream,
    a request that says `Cache-Control: no-cache`, and one made for a signed-in person (an
    `Authorization` header): what it is answered is theirs alone."""

    def __init__(self, transport: httpx.AsyncBaseTransport, ttl_s: float) -> None:
        self.transport = transport
        self.recent: Recent[Kept | None] = Recent(ttl_s)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if (
            request.method != "GET"
            or request.headers.get("accept") != "application/json"
            or request.headers.get("cache-control") == "no-cache"
            or "authorization" in request.headers
        ):
            return await self.transport.handle_async_request(request)
        passed_on: list[httpx.Response] = []

        async def call() -> Kept | None:
            response = await self.transport.handle_async_request(request)
            stream = response.stream
            assert isinstance(stream, httpx.AsyncByteStream)
            try:
                # The body exactly as its headers describe it (compressed or not).
                body = b"".join([chunk async for chunk in stream])
            finally:
                await stream.aclose()
            if response.status_code not in (200, 404):
                passed_on.append(
                    httpx.Response(response.status_code, headers=response.headers, content=body)
                )
                return None  # not kept: whoever asks next goes to the service
            return response.status_code, response.headers.raw, body

        kept = await self.recent.get(str(request.url), call)
        if kept is None:
            if passed_on:
                return passed_on[0]
            return await self.transport.handle_async_request(request)
        status, headers, body = kept
        return httpx.Response(status, headers=headers, content=body)

    async def aclose(self) -> None:
        await self.transport.aclose()
