"""Opt-outs from messages that are not essential (one-time codes and legally required
notices are sent regardless), recorded by operators at a recipient's request."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from contest_notifications.context import Notifications
from contest_notifications.store.opt_outs import OptOut
from contest_runtime.auth import Operator
from contest_runtime.openapi import problems
from contest_runtime.problems import ProblemError

router = APIRouter(tags=["opt-outs"])


class OptOutForm(BaseModel):
    """Why, when the recipient said."""

    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=500)


@router.put(
    "/opt-outs/{recipient_id}",
    summary="Record that a recipient wants no messages that are not essential. Who may call: "
    "operators.",
)
async def opt_out(
    recipient_id: str, form: OptOutForm, context: Notifications, operator: Operator
) -> OptOut:
    record = OptOut(
        recipient_id=recipient_id,
        recorded_by=operator.subject,
        recorded_at=context.clock(),
        reason=form.reason,
    )
    await context.opt_outs.record(record)
    return record


@router.get(
    "/opt-outs/{recipient_id}",
    responses=problems(404),
    summary="A recipient's opt-out. Who may call: operators.",
)
async def get_opt_out(recipient_id: str, context: Notifications, operator: Operator) -> OptOut:
    record = await context.opt_outs.get(recipient_id)
    if record is None:
        raise ProblemError(404, "not_opted_out", "Not found", recipient_id)
    return record


@router.delete(
    "/opt-outs/{recipient_id}",
    responses=problems(404),
    status_code=204,
    summary="Withdraw a recipient's opt-out. Who may call: operators.",
)
async def withdraw(recipient_id: str, context: Notifications, operator: Operator) -> Response:
    if not await context.opt_outs.withdraw(recipient_id):
        raise ProblemError(404, "not_opted_out", "Not found", recipient_id)
    return Response(status_code=204)
