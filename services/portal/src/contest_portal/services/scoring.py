"""What jurors and commission secretaries read from and write to judging, each with their
own token: a juror's assignments, sheets and conflicts; a commission's progress and a
closed stage's ranking explained sheet by sheet."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from contest_portal.services.calls import get_json, send_json

STAGES = ("regional", "republican")
"""The judging stages, as judging's paths name them."""


def _contest(contest_id: str) -> str:
    return f"/contests/{quote(contest_id, safe='')}"


async def assignments(
    client: httpx.AsyncClient, token: str, contest_id: str, stage: str
) -> list[dict[str, Any]]:
    """The juror's assignments at a stage, with the applications' fields and their own sheets."""
    path = f"{_contest(contest_id)}/stages/{stage}/assignments/mine"
    answer: list[dict[str, Any]] = await get_json(client, "judging", path, token=token)
    return [_with_moments(assignment) for assignment in answer]


def _with_moments(assignment: dict[str, Any]) -> dict[str, Any]:
    """An assignment whose moments are datetimes, as the pages write them out."""
    for key in ("assigned_at", "due_at"):
        if isinstance(assignment.get(key), str):
            assignment[key] = datetime.fromisoformat(assignment[key])
    sheet = assignment.get("sheet")
    if isinstance(sheet, dict) and isinstance(sheet.get("recorded_at"), str):
        sheet["recorded_at"] = datetime.fromisoformat(sheet["recorded_at"])
    return assignment


async def record_sheet(
    client: httpx.AsyncClient,
    token: str,
    contest_id: str,
    stage: str,
    application_id: str,
    scores: dict[str, int],
    comment: str,
) -> dict[str, Any]:
    """Record or revise the juror's sheet; :class:`Refused` (`invalid_sheet`, `stage_closed`,
    `assignment_not_found`) as judging refuses it."""
    path = f"{_contest(contest_id)}/stages/{stage}/sheets/{quote(application_id, safe='')}"
    body = {"scores": scores, "comment": comment}
    answer: dict[str, Any] = await send_json(client, "judging", "PUT", path, body, token=token)
    return answer


async def declare_conflict(
    client: httpx.AsyncClient, token: str, contest_id: str, application_id: str, reason: str
) -> dict[str, Any]:
    """Declare the juror's conflict with an application: their assignment to it ends."""
    body = {"application_id": application_id, "reason": reason}
    path = f"{_contest(contest_id)}/conflicts"
    answer: dict[str, Any] = await send_json(client, "judging", "POST", path, body, token=token)
    return answer


async def progress(
    client: httpx.AsyncClient, token: str, contest_id: str, stage: str
) -> list[dict[str, Any]]:
    """Assignments and sheets per commission and juror, the missing sheets named (no scores)."""
    path = f"{_contest(contest_id)}/stages/{stage}/progress"
    answer: list[dict[str, Any]] = await get_json(client, "judging", path, token=token)
    return answer


async def ranking(
    client: httpx.AsyncClient,
    token: str,
    contest_id: str,
    stage: str,
    nomination: str,
    region: str | None,
) -> dict[str, Any]:
    """A closed stage's ranking sheet by sheet; :class:`Refused` `scores_sealed` before the
    close, `forbidden` for someone not of the commission."""
    params = {"nomination": nomination} | ({"region": region} if region else {})
    path = f"{_contest(contest_id)}/stages/{stage}/rankings"
    answer: dict[str, Any] = await get_json(client, "judging", path, params, token=token)
    return answer
