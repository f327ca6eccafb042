"""Answers of the services shared for a moment by every page asking the same (pure: a
stand-in service behind the transport; the real services are behind every other test)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from contest_portal.services.recent import Recent, RecentAnswers

pytestmark = pytest.mark.asyncio


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_concurrent_askers_share_one_call_and_it_is_kept_until_it_expires() -> None:
    clock, calls = Clock(), []
    recent: Recent[int] = Recent(1.0, clock)

    async def call() -> int:
        calls.append(1)
        await asyncio.sleep(0.01)
        return len(calls)

    assert await asyncio.gather(*(recent.get("a", call) for _ in range(50))) == [1] * 50
    clock.now = 0.9
    assert await recent.get("a", call) == 1
    assert await recent.get("b", call) == 2  # another key, another call
    clock.now = 1.5
    assert await recent.get("a", call) == 3


async def test_a_failed_call_is_not_kept() -> None:
    recent: Recent[int] = Recent(60.0, Clock())
    outcomes = iter([RuntimeError("down"), 7])

    async def call() -> int:
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    with pytest.raises(RuntimeError):
        await recent.get("a", call)
    assert await recent.get("a", call) == 7


async def test_an_asker_that_goes_away_does_not_cancel_the_call_the_others_wait_for() -> None:
    recent: Recent[str] = Recent(60.0, Clock())
    released = asyncio.Event()

    async def call() -> str:
        await released.wait()
        return "answer"

    leaving = asyncio.ensure_future(recent.get("a", call))
    staying = asyncio.ensure_future(recent.get("a", call))
    await asyncio.sleep(0)
    leaving.cancel()
    await asyncio.sleep(0)
    released.set()
    assert await staying == "answer"
    assert leaving.cancelled()


async def test_nothing_is_kept_when_the_time_is_zero() -> None:
    recent: Recent[int] = Recent(0.0, Clock())
    counter = iter(range(10))

    async def call() -> int:
        return next(counter)

    assert [await recent.get("a", call) for _ in range(3)] == [0, 1, 2]


def service() -> tuple[httpx.MockTransport, list[str]]:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(f"{request.method} {request.url.path}")
        status = {"/missing": 404, "/broken": 503}.get(request.url.path, 200)
        return httpx.Response(status, json={"n": len(asked)})

    return httpx.MockTransport(answer), asked


async def test_gets_of_json_are_shared_and_the_rest_goes_to_the_service_every_time() -> None:
    inner, asked = service()
    async with httpx.AsyncClient(
        base_url="http://intake",
        transport=RecentAnswers(inner, 60.0),
        headers={"Accept": "application/json"},
    ) as client:
        first = await client.get("/contests/a")
        again = await client.get("/contests/a")
        assert first.json() == again.json() == {"n": 1}
        assert (await client.get("/contests/a", params={"x": "1"})).json() == {"n": 2}
        assert (await client.get("/missing")).status_code == 404
        assert (await client.get("/missing")).status_code == 404
        assert (await client.get("/broken")).status_code == 503
        assert (await client.get("/broken")).status_code == 503
        await client.post("/votes", json={})
        await client.post("/votes", json={})
        await client.get("/stream", headers={"Accept": "text/event-stream"})
        await client.get("/stream", headers={"Accept": "text/event-stream"})
        await client.get("/contests/a", headers={"Cache-Control": "no-cache"})
        # a signed-in person's answer is theirs: never kept for, or taken from, another
        mine = await client.get("/applications", headers={"Authorization": "Bearer a"})
        theirs = await client.get("/applications", headers={"Authorization": "Bearer b"})
        assert mine.json() != theirs.json()
    assert asked == [
        "GET /contests/a",
        "GET /contests/a",
        "GET /missing",
        "GET /broken",
        "GET /broken",
        "POST /votes",
        "POST /votes",
        "GET /stream",
        "GET /stream",
        "GET /contests/a",
        "GET /applications",
        "GET /applications",
    ]
