"""The delivery log, and replaying failed deliveries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from contest_notifications.context import Notifications
from contest_notifications.dispatch import deliver
from contest_notifications.store.deliveries import Delivery, DeliveryStatus
from contest_runtime.auth import Operator
from contest_runtime.openapi import problems
from contest_runtime.problems import ProblemError

router = APIRouter(tags=["deliveries"])


@router.get(
    "/deliveries",
    summary="The delivery log, newest first, with every attempt; by recipient, notification, "
    "the event that caused it, or status. Who may call: operators.",
)
async def deliveries(
    context: Notifications,
    operator: Operator,
    recipient_id: str | None = None,
    notification_id: str | None = None,
    event_id: str | None = None,
    status: DeliveryStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[Delivery]:
    return await context.deliveries.find(
        recipient_id=recipient_id,
        notification_id=notification_id,
        event_id=event_id,
        status=status,
        limit=limit,
    )


@router.post(
    "/deliveries/{key:path}/replay",
    responses=problems(404, 409),
    summary="Send a failed delivery again, now; 409 unless it failed. Who may call: operators.",
)
async def replay(key: str, context: Notifications, operator: Operator) -> Delivery:
    if await context.deliveries.get(key) is None:
        raise ProblemError(404, "unknown_delivery", "Not found", f"no delivery {key!r}")
    if not await context.deliveries.retry(key):
        raise ProblemError(
            409, "not_failed", "Conflict with the current state", "only failed deliveries replay"
        )
    await deliver(context, key)
    delivery = await context.deliveries.get(key)
    assert delivery is not None
    return delivery
