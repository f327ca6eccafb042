"""Settings of the notifications service, read from `NOTIFICATIONS_*` environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from contest_runtime.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    """Everything the notifications service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore")

    http_port: int = Field(default=8004, ge=0, le=65535, description="HTTP port.")
    mongodb_database: str = Field(
        default="contest_notifications", description="The service's database."
    )
    consumer_group: str = Field(
        default="contest-notifications", description="Kafka consumer group."
    )
