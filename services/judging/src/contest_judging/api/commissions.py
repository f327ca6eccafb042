"""Commissions and the audit log, managed by operators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from contest_judging.api.access import Judging, Overseer
from contest_judging.domain.commissions import CommissionForm, form_problems
from contest_judging.store.audit import AuditEntry
from contest_judging.store.commissions import Commission
from contest_runtime.auth import Operator
from contest_runtime.openapi import problems
from contest_runtime.problems import FieldError, ProblemError

router = APIRouter(tags=["commissions"])


@router.put(
    "/contests/{contest_id}/commissions",
    summary="Create or replace the commission of a level and region. Who may call: operators.",
    responses={
        **problems(404, 422),
        201: {"description": "Created."},
        200: {"description": "Replaced."},
    },
)
async def put_commission(
    contest_id: str, form: CommissionForm, response: Response, context: Judging, operator: Operator
) -> Commission:
    """One regional commission per region and one republican commission per contest."""
    problems = form_problems(form, await context.contests.require(contest_id))
    if problems:
        raise ProblemError(
            422,
            "unknown_region",
            "Invalid input",
            "; ".join(problems),
            errors=[
                FieldError(location=["body", "region_code"], message=p, kind="unknown_region")
                for p in problems
            ],
        )
    now = context.clock()
    commission, created = await context.commissions.put(contest_id, form, operator.subject, now)
    await context.audit.record(
        contest_id,
        operator.subject,
        "commission.created" if created else "commission.replaced",
        commission.commission_id,
        now,
        members=[m.model_dump() for m in form.members],
    )
    response.status_code = 201 if created else 200
    return commission


@router.get(
    "/contests/{contest_id}/commissions",
    responses=problems(404),
    summary="A contest's commissions. Who may call: operators, commission secretaries.",
)
async def list_commissions(contest_id: str, context: Judging, _: Overseer) -> list[Commission]:
    await context.contests.require(contest_id)
    return await context.commissions.of_contest(contest_id)


@router.get(
    "/contests/{contest_id}/audit",
    responses=problems(404),
    summary="The audit log, oldest first. Who may call: operators.",
)
async def audit_log(
    contest_id: str,
    context: Judging,
    _: Operator,
    after: Annotated[str | None, Query(description="Last entry id of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size.")] = 100,
) -> list[AuditEntry]:
    return await context.audit.of_contest(contest_id, after=after, limit=limit)
