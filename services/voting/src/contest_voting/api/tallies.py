"""Live results over HTTP: each nomination's tally as the contest's visibility rule allows,
as a document and as a server-sent event stream."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from contest_contracts.events.voting import TallyUpdated
from contest_runtime.openapi import problems
from contest_voting.api.voters import Voting

router = APIRouter(tags=["tallies"])


@router.get(
    "/contests/{contest_id}/tallies",
    responses=problems(404),
    summary="The tally of every nomination, limited by the contest's visibility rule (at most "
    "a second old). Who may call: anyone.",
)
async def tallies(contest_id: str, context: Voting) -> list[TallyUpdated]:
    return await context.live.views(contest_id)


@router.get(
    "/contests/{contest_id}/tallies/stream",
    summary="Server-sent events: a `tally` event with a nomination's view whenever it changes "
    "(at most about once a second), comments as heartbeats; the stream ends after the "
    "certified tally. Who may call: anyone.",
    response_class=StreamingResponse,
    responses={**problems(404), 200: {"content": {"text/event-stream": {}}}},
)
async def tally_stream(contest_id: str, context: Voting) -> StreamingResponse:
    await context.contests.require(contest_id)  # 404 now, not inside a started stream

    async def events() -> AsyncIterator[str]:
        async for view in context.live.changes(contest_id):
            if view is None:
                yield ": still here\n\n"
            else:
                at = int(view.as_of.timestamp() * 1000)
                yield (
                    f"event: tally\nid: {view.nomination_code}/{at}\n"
                    f"data: {view.model_dump_json()}\n\n"
                )

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        # Proxies must pass events on as they come rather than buffer the stream.
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
