"""Settings of the judging service, read from `JUDGING_*` environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from contest_runtime.settings import ServiceSettings


class JudgingSettings(ServiceSettings):
    """Everything the judging service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="JUDGING_", extra="ignore")

    http_port: int = Field(default=8002, ge=0, le=65535, description="HTTP port.")
    mongodb_database: str = Field(default="contest_judging", description="The service's database.")
    consumer_group: str = Field(default="contest-judging", description="Kafka consumer group.")
    outbox_interval_s: float = Field(
        default=1.0, gt=0, description="How often unpublished events are retried."
    )
    outbox_batch: int = Field(
        default=50,
        ge=1,
        description="New assignments announced together: their events are in flight at once.",
    )
