"""What the operator's console writes to intake: a contest's definition, uploaded as a file
(define or replace), its schedule changed, and its applications closed now."""

from __future__ import annotations

from urllib.parse import quote

import httpx

from contest_contracts.events.contest import StageSchedule
from contest_portal.services.calls import get_json, send_document, send_json
from contest_portal.services.intake import Contest

JSON = "application/json"
YAML = "application/yaml"


def media_type_of(filename: str, content: bytes) -> str:
    """How intake should read an uploaded definition: JSON for a `.json` file or one that
    starts as a JSON object does, YAML otherwise (YAML is also the definition's own format)."""
    if filename.lower().endswith(".json") or content.lstrip()[:1] == b"{":
        return JSON
    return YAML


async def define(client: httpx.AsyncClient, token: str, filename: str, content: bytes) -> Contest:
    """A new contest from an uploaded definition; :class:`Refused` (`invalid_definition`
    with its problems by path, `contest_exists`, ...) otherwise."""
    answer = await send_document(
        client,
        "intake",
        "POST",
        "/contests",
        content,
        media_type_of(filename, content),
        token=token,
    )
    return Contest.model_validate(answer)


async def redefine(
    client: httpx.AsyncClient, token: str, contest_id: str, filename: str, content: bytes
) -> Contest:
    """The contest's definition replaced by an uploaded one (the next revision)."""
    answer = await send_document(
        client,
        "intake",
        "PUT",
        f"/contests/{quote(contest_id, safe='')}",
        content,
        media_type_of(filename, content),
        token=token,
    )
    return Contest.model_validate(answer)


async def reschedule(
    client: httpx.AsyncClient, token: str, contest: Contest, stages: list[StageSchedule]
) -> Contest:
    """The contest's definition with ``stages`` in place of its schedule."""
    definition = contest.definition.model_copy(update={"stages": stages})
    content = definition.model_dump_json().encode()
    answer = await send_document(
        client,
        "intake",
        "PUT",
        f"/contests/{quote(contest.definition.contest_id, safe='')}",
        content,
        JSON,
        token=token,
    )
    return Contest.model_validate(answer)


async def close_submission(client: httpx.AsyncClient, token: str, contest_id: str) -> Contest:
    """Applications closed now (intake announces the stage's close once); :class:`Refused`
    `submission_closed` when they were closed already."""
    path = f"/contests/{quote(contest_id, safe='')}/submission/close"
    answer = await send_json(client, "intake", "POST", path, {}, token=token)
    return Contest.model_validate(answer)


async def current(client: httpx.AsyncClient, token: str, contest_id: str) -> Contest:
    """The contest as intake holds it now (asked with the operator's token: never an answer
    shared a moment ago, which would not show their own change)."""
    answer = await get_json(
        client, "intake", f"/contests/{quote(contest_id, safe='')}", token=token
    )
    return Contest.model_validate(answer)


async def every_contest(client: httpx.AsyncClient, token: str) -> list[Contest]:
    """Every contest, as intake holds them now."""
    answer = await get_json(client, "intake", "/contests", token=token)
    return [Contest.model_validate(item) for item in answer]
