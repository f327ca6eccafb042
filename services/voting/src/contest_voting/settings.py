"""Settings of the voting service, read from `VOTING_*` environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from contest_runtime.settings import ServiceSettings


class VotingSettings(ServiceSettings):
    """Everything the voting service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="VOTING_", extra="ignore")

    http_port: int = Field(default=8003, ge=0, le=65535, description="HTTP port.")
    mongodb_database: str = Field(default="contest_voting", description="The service's database.")
    consumer_group: str = Field(default="contest-voting", description="Kafka consumer group.")
