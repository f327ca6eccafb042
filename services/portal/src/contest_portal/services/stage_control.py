"""What the operator's console reads from and asks of judging: a stage's progress, closing
it (refused while sheets are missing, unless forced), special prizes with their reasons,
and publishing the results."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict

from contest_portal.services.calls import NotFound, Refused, get_json, send_json


class _Read(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class CommissionProgress(_Read):
    """How far one commission is with its sheets (no scores)."""

    commission_id: str
    assignments: int
    sheets: int
    missing: int


class MissingSheet(_Read):
    """A sheet a juror has not sent: what judging names when it refuses to close."""

    application_id: str
    juror_id: str


class RankedEntry(_Read):
    """A line of a closed stage's ranking (the part the console shows)."""

    rank: int
    application_id: str
    title: str
    score: float


class Ranking(_Read):
    """A closed stage's ranking of one nomination."""

    nomination_code: str
    entries: list[RankedEntry]


class SpecialPrize(_Read):
    """A special prize the commission gave, and why."""

    application_id: str
    reason: str
    decided_at: datetime | None = None


def _contest(contest_id: str) -> str:
    return f"/contests/{quote(contest_id, safe='')}"


async def progress(
    client: httpx.AsyncClient, token: str, contest_id: str, stage: str
) -> list[CommissionProgress]:
    """Assignments and sheets per commission at ``stage`` (`regional`, `republican`)."""
    answer = await get_json(
        client, "judging", f"{_contest(contest_id)}/stages/{stage}/progress", token=token
    )
    return [CommissionProgress.model_validate(item) for item in answer]


async def close(
    client: httpx.AsyncClient, token: str, contest_id: str, stage: str, *, force: bool
) -> dict[str, Any]:
    """Close ``stage``: :class:`Refused` `sheets_missing` (see :func:`missing_sheets`) while
    sheets are missing and not ``force``, `stage_closed` when it is closed already."""
    answer: dict[str, Any] = await send_json(
        client,
        "judging",
        "POST",
        f"{_contest(contest_id)}/stages/{stage}/close",
        {"force": force},
        token=token,
    )
    return answer


def missing_sheets(refused: Refused) -> list[MissingSheet]:
    """The sheets a `sheets_missing` refusal names (its fields are `sheets/<application>/
    <juror>`)."""
    missing = []
    for error in refused.errors:
        location = error.get("location")
        if isinstance(location, list) and len(location) == 3 and location[0] == "sheets":
            missing.append(MissingSheet(application_id=str(location[1]), juror_id=str(location[2])))
    return missing


async def ranking(
    client: httpx.AsyncClient, token: str, contest_id: str, stage: str, nomination: str
) -> Ranking | None:
    """The closed ``stage``'s ranking of ``nomination``; ``None`` before it closes or when
    the nomination has nobody ranked."""
    try:
        answer = await get_json(
            client,
            "judging",
            f"{_contest(contest_id)}/stages/{stage}/rankings",
            {"nomination": nomination},
            token=token,
        )
    except NotFound:
        return None
    except Refused as refused:
        if refused.code == "scores_sealed":
            return None
        raise
    return Ranking.model_validate(answer)


async def special_prizes(
    client: httpx.AsyncClient, token: str, contest_id: str
) -> list[SpecialPrize]:
    """The special prizes given in the contest."""
    answer = await get_json(
        client, "judging", f"{_contest(contest_id)}/special-prizes", token=token
    )
    return [SpecialPrize.model_validate(item) for item in answer]


async def give_special_prize(
    client: httpx.AsyncClient, token: str, contest_id: str, application_id: str, reason: str
) -> None:
    """Record the commission's special prize to a finalist, with its reason."""
    await send_json(
        client,
        "judging",
        "POST",
        f"{_contest(contest_id)}/special-prizes",
        {"application_id": application_id, "reason": reason},
        token=token,
    )


async def published(client: httpx.AsyncClient, token: str, contest_id: str) -> bool:
    """Whether the contest's results are published."""
    try:
        await get_json(client, "judging", f"{_contest(contest_id)}/results", token=token)
    except NotFound:
        return False
    return True


async def publish(client: httpx.AsyncClient, token: str, contest_id: str) -> None:
    """Publish the result table (once)."""
    await send_json(client, "judging", "POST", f"{_contest(contest_id)}/results", None, token=token)
