"""Contest definitions and the submission stage."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from contest_contracts.events.contest import ContestDefinition
from contest_intake.api.access import office
from contest_intake.domain.definitions import DefinitionProblem, parse_definition
from contest_intake.domain.visibility import VisibilityChange, VisibilityChanged
from contest_intake.office import IntakeOffice
from contest_intake.store.contests import Contest
from contest_runtime.auth import Operator
from contest_runtime.openapi import problems
from contest_runtime.problems import FieldError, ProblemError

router = APIRouter(tags=["contests"])

Office = Annotated[IntakeOffice, Depends(office)]

_DEFINITION_TYPES = ("application/json", "application/yaml", "application/x-yaml", "text/yaml")
_MAX_DEFINITION_BYTES = 1024 * 1024
_DEFINITION_BODY = {
    "requestBody": {
        "required": True,
        "description": "A contest definition as JSON or YAML (`Content-Type: application/yaml`).",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ContestDefinition"}},
            "application/yaml": {"schema": {"type": "string"}},
        },
    }
}


class ContestView(BaseModel):
    """A contest as intake holds it."""

    definition: ContestDefinition = Field(description="The current definition.")
    revision: int = Field(description="Revision of the definition; +1 on every change.")
    submission_closed_at: datetime | None = Field(description="When submission was closed.")
    submission_closed_by: str | None = Field(description="`schedule` or the operator's id.")

    @classmethod
    def of(cls, contest: Contest) -> ContestView:
        """The view of a stored contest."""
        return cls(
            definition=contest.definition,
            revision=contest.revision,
            submission_closed_at=contest.submission_closed_at,
            submission_closed_by=contest.submission_closed_by,
        )


async def _definition_in(request: Request) -> ContestDefinition:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in _DEFINITION_TYPES:
        raise ProblemError(
            415,
            "unsupported_media_type",
            "Unsupported media type",
            f"send the definition as one of {', '.join(_DEFINITION_TYPES)}",
        )
    body = await request.body()
    if len(body) > _MAX_DEFINITION_BYTES:
        raise ProblemError(413, "payload_too_large", "Payload too large", "at most 1 MiB")
    try:
        return parse_definition(body, media_type=media_type)
    except DefinitionProblem as problem:
        raise ProblemError(
            422,
            problem.code,
            _TITLES.get(problem.code, "Invalid contest definition"),
            str(problem)[:2000],
            errors=[
                FieldError(location=body_location(where), message=what, kind=problem.code)
                for where, what in problem.problems
            ],
        ) from problem


_TITLES = {"malformed_json": "Malformed JSON", "malformed_yaml": "Malformed YAML"}


def body_location(where: str) -> list[str | int]:
    """A definition problem's place (``$.nominations[0].rubric``, ``$.stages.0.opens``) as
    an error's ``location``, the way FastAPI writes it: ``["body", "nominations", 0, ...]``."""
    parts: list[str | int] = ["body"]
    for part in re.split(r"[.\[\]]+", where.removeprefix("$")):
        if part:
            # Only ASCII digits are an index: "¹" is a digit to str.isdigit, not to int().
            parts.append(int(part) if part.isascii() and part.isdigit() else part)
    return parts


@router.post(
    "/contests",
    responses=problems(409, 413, 415, 422),
    status_code=201,
    summary="Define a contest (JSON or YAML). Who may call: operators.",
    openapi_extra=_DEFINITION_BODY,
)
async def define_contest(request: Request, intake: Office, _: Operator) -> ContestView:
    """Publishes `kz.contest.contest.defined` on `contest.definitions.v1`."""
    return ContestView.of(await intake.define(await _definition_in(request)))


@router.put(
    "/contests/{contest_id}",
    responses=problems(404, 409, 413, 415, 422),
    summary="Replace a contest's definition. Who may call: operators.",
    openapi_extra=_DEFINITION_BODY,
)
async def redefine_contest(
    contest_id: str,
    request: Request,
    intake: Office,
    operator: Operator,
    visibility_change: Annotated[
        VisibilityChange,
        Query(
            description="`confirm` allows a less secret `public_vote.visibility` before the "
            "vote opens; `force` allows any change, also once it has opened. Every change is "
            "audited; a definition without a visibility keeps the contest's."
        ),
    ] = VisibilityChange.NONE,
) -> ContestView:
    """Publishes `kz.contest.contest.updated` with the next revision (nothing if unchanged)."""
    definition = await _definition_in(request)
    if definition.contest_id != contest_id:
        raise ProblemError(
            422, "contest_id_mismatch", "Invalid input", "contest_id differs from the URL"
        )
    return ContestView.of(await intake.redefine(definition, operator.subject, visibility_change))


@router.get("/contests", summary="Every contest. Who may call: anyone (definitions are public).")
async def list_contests(intake: Office) -> list[ContestView]:
    return [ContestView.of(contest) for contest in await intake.contests.all()]


@router.get(
    "/contests/{contest_id}",
    responses=problems(404),
    summary="One contest. Who may call: anyone.",
)
async def get_contest(contest_id: str, intake: Office) -> ContestView:
    return ContestView.of(await intake.contest(contest_id))


@router.get(
    "/contests/{contest_id}/audit",
    summary="The contest's audit log (changes of the vote's visibility). Who may call: operators.",
    responses=problems(404),
)
async def contest_audit(contest_id: str, intake: Office, _: Operator) -> list[VisibilityChanged]:
    return (await intake.contest(contest_id)).audit


@router.post(
    "/contests/{contest_id}/submission/close",
    responses=problems(404, 409),
    summary="Close the submission stage now. Who may call: operators.",
)
async def close_submission(contest_id: str, intake: Office, operator: Operator) -> ContestView:
    """Publishes `kz.contest.stage.closed` with counts per region and nomination (once)."""
    return ContestView.of(await intake.close_submission(contest_id, operator.subject))
