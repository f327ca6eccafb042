"""Live results on the real broker and store: the server-sent event stream, the tallies
topic, and counts that the contest hides leaking through no public endpoint, stream or event."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from httpx import Response

from contest_contracts.events.contest import TallyVisibility
from contest_contracts.events.voting import TallyUpdated
from contest_contracts.topics import TALLIES
from contest_runtime.auth import Role

NOMINATION = "best-social-project"


def a_phone() -> str:
    return f"+7747{random.randrange(10**7):07d}"


async def _tally_events(stream: Response) -> AsyncIterator[dict[str, Any]]:
    kind = None
    async for line in stream.aiter_lines():
        if line.startswith("event: "):
            kind = line.removeprefix("event: ")
        elif line.startswith("data: ") and kind == "tally":
            yield json.loads(line.removeprefix("data: "))


async def _next(views: AsyncIterator[dict[str, Any]]) -> dict[str, Any]:
    return await asyncio.wait_for(anext(views), timeout=20)


def _counts_shown(answer: Any) -> list[Any]:
    """Every rank or vote count anywhere in a public answer."""
    if isinstance(answer, list):
        return [shown for item in answer for shown in _counts_shown(item)]
    if not isinstance(answer, dict):
        return []
    shown = [(k, v) for k, v in answer.items() if k in {"rank", "votes"} and v is not None]
    return shown + [s for v in answer.values() for s in _counts_shown(v)]


async def test_hidden_counts_leak_through_no_endpoint_stream_or_public_event(
    voting: Any, served: Any, eventually: Any, recording: Any, bearer: Any
) -> None:
    published = await recording(TALLIES)
    definition, (first, second, _) = await voting.open_vote(
        eventually, visibility=TallyVisibility.HIDDEN
    )
    contest = definition.contest_id
    subject = f"{contest}:{NOMINATION}"
    public: list[Any] = []
    async with served.stream("GET", f"/contests/{contest}/tallies/stream") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        views = _tally_events(stream)
        public.append(await _next(views))
        for choice in (first, first, second):
            cast = await voting.http.post(
                f"/contests/{contest}/votes",
                json={"nomination_code": NOMINATION, "application_id": choice},
                headers=await voting.verified(a_phone(), eventually),
            )
            assert cast.status_code == 202, cast.text
            public.append(cast.json())
            receipt = f"/receipts/{cast.json()['receipt_id']}"
            await eventually(lambda r=receipt: _json(voting, r, "counted"))
            public.append((await voting.http.get(receipt)).json())
        counted_by = voting.context.clock()
        public.append(
            await voting.tally_once(
                contest, eventually, lambda v: datetime.fromisoformat(v["as_of"]) > counted_by
            )
        )
        public.append((await voting.http.get(f"/contests/{contest}/vote")).json())
        await eventually(lambda: published.of(TallyUpdated, subject))
        await asyncio.sleep(3 * voting.context.settings.tally_refresh_s)
        public += [e.data.model_dump(mode="json") for e in published.of(TallyUpdated, subject)]

        assert _counts_shown(public) == []
        # A hidden view does not follow the votes at all: neither does its participation.
        assert {v["participation"] for v in public if "participation" in v} == {0}

        closed = await voting.http.post(
            f"/contests/{contest}/vote/close", headers=bearer(Role.OPERATOR)
        )
        assert closed.status_code == 202, closed.text
        final = [view async for view in views][-1]  # the stream ends with the final tally
    assert final["certified"] is True
    assert [(e["application_id"], e["votes"]) for e in final["entries"]][:2] == [
        (first, 2),
        (second, 1),
    ]
    await eventually(lambda: published.of(TallyUpdated, subject)[-1].data.certified)


async def test_the_stream_of_a_live_vote_shows_each_change_and_the_topic_the_latest(
    voting: Any, served: Any, eventually: Any, recording: Any
) -> None:
    published = await recording(TALLIES)
    definition, (first, second, third) = await voting.open_vote(eventually)
    contest = definition.contest_id
    async with served.stream("GET", f"/contests/{contest}/tallies/stream") as stream:
        views = _tally_events(stream)
        assert (await _next(views))["participation"] == 0
        cast = await voting.http.post(
            f"/contests/{contest}/votes",
            json={"nomination_code": NOMINATION, "application_id": second},
            headers=await voting.verified(a_phone(), eventually),
        )
        assert cast.status_code == 202
        view = await _next(views)
    assert view["participation"] == 1
    assert [(e["application_id"], e["rank"], e["votes"]) for e in view["entries"]] == [
        (second, 1, 1),
        *sorted([(first, 2, 0), (third, 2, 0)]),
    ]
    subject = f"{contest}:{NOMINATION}"
    await eventually(
        lambda: any(e.data.participation == 1 for e in published.of(TallyUpdated, subject))
    )
    latest = published.of(TallyUpdated, subject)[-1]
    assert latest.data.entries[0].votes == 1


async def test_a_stream_of_an_unknown_contest_is_404(served: Any) -> None:
    answer = await served.get("/contests/no-such-contest/tallies/stream")
    assert (answer.status_code, answer.json()["code"]) == (404, "unknown_contest")


async def _json(voting: Any, url: str, key: str) -> Any:
    return (await voting.http.get(url)).json()[key]
