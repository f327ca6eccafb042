"""Notifications: requested by any service, delivered or failed by the notifications service."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from contest_contracts.common import Code, ContractModel, EntityId, Language, UtcDateTime
from contest_contracts.envelope import EventData


class Channel(StrEnum):
    """How a message reaches its recipient."""

    EMAIL = "email"
    SMS = "sms"
    WEBHOOK = "webhook"


class Recipient(ContractModel):
    """Who gets a message and where."""

    recipient_id: EntityId = Field(description="Stable id of the recipient (for opt-out, log).")
    address: str = Field(description="Email address or +7 phone number.")
    language: Language = Field(default=Language.RU, description="Preferred language.")


class NotificationRequested(EventData):
    """A service asks for a message to be sent. Restricted: carries addresses."""

    event_type: ClassVar[str] = "kz.contest.notification.requested"

    notification_id: EntityId = Field(description="Id; with channel, the delivery dedup key.")
    channel: Channel = Field(description="Channel to use.")
    recipient: Recipient = Field(description="Recipient.")
    template: Code = Field(description="Template name, e.g. `application_received`.")
    parameters: dict[str, str] = Field(default_factory=dict, description="Template values.")
    essential: bool = Field(
        default=False, description="One-time codes and legal notices ignore opt-out."
    )
    contest_id: EntityId | None = Field(default=None, description="Contest it concerns.")


class NotificationDelivered(EventData):
    """A message was accepted by the channel (SMTP server, SMS provider, webhook receiver)."""

    event_type: ClassVar[str] = "kz.contest.notification.delivered"

    notification_id: EntityId = Field(description="Notification id.")
    channel: Channel = Field(description="Channel used.")
    recipient_id: EntityId = Field(description="Recipient id (no address).")
    attempts: int = Field(ge=1, description="Attempts it took.")
    delivered_at: UtcDateTime = Field(description="When the channel accepted it.")


class NotificationFailed(EventData):
    """A message could not be delivered after its last attempt."""

    event_type: ClassVar[str] = "kz.contest.notification.failed"

    notification_id: EntityId = Field(description="Notification id.")
    channel: Channel = Field(description="Channel used.")
    recipient_id: EntityId = Field(description="Recipient id (no address).")
    attempts: int = Field(ge=1, description="Attempts made.")
    error: str = Field(description="Last error.")
    failed_at: UtcDateTime = Field(description="When it was given up.")
