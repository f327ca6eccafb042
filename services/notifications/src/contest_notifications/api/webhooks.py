"""Webhook subscriptions of regional systems, managed by operators."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, SecretStr, field_validator

from contest_notifications.context import Notifications
from contest_notifications.events.webhooks import WEBHOOK_EVENT_TYPES
from contest_notifications.store.subscriptions import Subscription
from contest_runtime.auth import Operator
from contest_runtime.openapi import problems
from contest_runtime.problems import ProblemError

router = APIRouter(tags=["webhooks"])


class SubscriptionForm(BaseModel):
    """A regional system's subscription."""

    model_config = ConfigDict(extra="forbid")

    url: AnyHttpUrl = Field(description="Where events are POSTed.")
    secret: SecretStr = Field(
        min_length=32, description="Shared secret the bodies are signed with."
    )
    event_types: list[str] = Field(min_length=1, description="Event types wanted.")
    regions: list[str] | None = Field(
        default=None, description="Only events naming these regions (and national ones)."
    )

    @field_validator("event_types")
    @classmethod
    def _known(cls, types: list[str]) -> list[str]:
        unknown = sorted(set(types) - WEBHOOK_EVENT_TYPES)
        if unknown:
            raise ValueError(f"not offered as webhooks: {unknown}")
        return types


class SubscriptionView(BaseModel):
    """A subscription as shown (never its secret)."""

    subscription_id: str
    url: str
    event_types: list[str]
    regions: list[str] | None
    created_by: str
    created_at: datetime

    @classmethod
    def of(cls, subscription: Subscription) -> SubscriptionView:
        """The view of a stored subscription."""
        return cls(**subscription.model_dump(exclude={"secret"}))


@router.post(
    "/webhooks",
    status_code=201,
    summary="Subscribe a URL to event types (optionally of some regions). Who may call: operators.",
)
async def subscribe(
    form: SubscriptionForm, context: Notifications, operator: Operator
) -> SubscriptionView:
    subscription = Subscription(
        subscription_id=f"webhook-{uuid.uuid4().hex[:12]}",
        url=str(form.url),
        secret=form.secret,
        event_types=form.event_types,
        regions=form.regions,
        created_by=operator.subject,
        created_at=context.clock(),
    )
    await context.subscriptions.add(subscription)
    return SubscriptionView.of(subscription)


@router.get("/webhooks", summary="Every subscription. Who may call: operators.")
async def subscriptions(context: Notifications, operator: Operator) -> list[SubscriptionView]:
    return [SubscriptionView.of(s) for s in await context.subscriptions.all()]


@router.delete(
    "/webhooks/{subscription_id}",
    responses=problems(404),
    status_code=204,
    summary="Remove a subscription. Who may call: operators.",
)
async def unsubscribe(subscription_id: str, context: Notifications, operator: Operator) -> Response:
    if not await context.subscriptions.remove(subscription_id):
        raise ProblemError(404, "unknown_subscription", "Not found", subscription_id)
    return Response(status_code=204)
