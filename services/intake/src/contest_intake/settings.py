"""Settings of the intake service, read from `INTAKE_*` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from contest_runtime.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    """Everything the intake service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")

    http_port: int = Field(default=8001, ge=0, le=65535, description="HTTP port.")
    mongodb_database: str = Field(default="contest_intake", description="The service's database.")
    consumer_group: str = Field(default="contest-intake", description="Kafka consumer group.")
    definition_files: list[Path] = Field(
        default_factory=list,
        description="Contest definitions (YAML or JSON) loaded at start, as a JSON list: "
        '`["/etc/contest/edition.yaml"]`. A changed file becomes a new revision.',
    )
    schedule_interval_s: float = Field(
        default=5.0, gt=0, description="How often submission deadlines are checked."
    )
    judging_url: str = Field(
        default="http://127.0.0.1:8002",
        description="Judging's API, asked whether a juror is assigned to an application "
        "before the juror reads its files.",
    )
    judging_timeout_s: float = Field(
        default=3.0, gt=0, description="How long intake waits for judging's answer."
    )
    outbox_interval_s: float = Field(
        default=1.0, gt=0, description="How often unpublished events are retried."
    )
