"""Special prizes and the published results."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from contest_contracts.common import StageKind
from contest_contracts.events.judging import ResultsPublished
from contest_judging.api.access import Judging, Overseer
from contest_judging.proceedings.awarding import (
    give_special_prize,
    publish_results,
    withdraw_special_prize,
)
from contest_judging.store.decisions import SpecialPrizeDecision
from contest_runtime.auth import Operator
from contest_runtime.openapi import problems
from contest_runtime.problems import ProblemError

router = APIRouter(tags=["awards"])


class SpecialPrizeForm(BaseModel):
    """A commission's decision to give a finalist a special prize."""

    model_config = ConfigDict(extra="forbid")

    application_id: str = Field(min_length=1, max_length=128, description="The finalist.")
    reason: str = Field(min_length=1, max_length=1000, description="The commission's reason.")


@router.post(
    "/contests/{contest_id}/special-prizes",
    responses=problems(404, 409, 422),
    status_code=201,
    summary="Record a special prize decided by the commission. Who may call: operators.",
)
async def post_special_prize(
    contest_id: str, form: SpecialPrizeForm, context: Judging, operator: Operator
) -> SpecialPrizeDecision:
    return await give_special_prize(
        context, contest_id, form.application_id, form.reason, operator.subject
    )


@router.delete(
    "/contests/{contest_id}/special-prizes/{application_id}",
    responses=problems(404, 409),
    status_code=204,
    summary="Take back a special prize before the results are published. Who may call: operators.",
)
async def delete_special_prize(
    contest_id: str, application_id: str, context: Judging, operator: Operator
) -> Response:
    await withdraw_special_prize(context, contest_id, application_id, operator.subject)
    return Response(status_code=204)


@router.get(
    "/contests/{contest_id}/special-prizes",
    responses=problems(404),
    summary="A contest's special prizes. Who may call: operators, commission secretaries.",
)
async def list_special_prizes(
    contest_id: str, context: Judging, _: Overseer
) -> list[SpecialPrizeDecision]:
    await context.contests.require(contest_id)
    return await context.decisions.special_prizes_of(contest_id)


@router.post(
    "/contests/{contest_id}/results",
    responses=problems(404, 409),
    status_code=201,
    summary="Publish the result table (once). Who may call: operators.",
)
async def post_results(contest_id: str, context: Judging, operator: Operator) -> ResultsPublished:
    return await publish_results(context, contest_id, operator.subject)


@router.get(
    "/contests/{contest_id}/results",
    responses=problems(404),
    summary="The published result table (no personal data). Who may call: anyone.",
)
async def get_results(contest_id: str, context: Judging) -> ResultsPublished:
    await context.contests.require(contest_id)
    awards = await context.stages.get(contest_id, StageKind.AWARDS)
    if awards is None or awards.summary is None:
        raise ProblemError(
            404, "results_not_published", "Not found", "the results are not published yet"
        )
    return ResultsPublished.model_validate(awards.summary)
