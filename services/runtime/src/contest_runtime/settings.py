"""Settings from the environment (pydantic-settings), one pattern for every service.

Where Kafka and MongoDB are is shared by all services and read without a prefix
(``KAFKA_BOOTSTRAP_SERVERS``, ``MONGODB_URI``...). Everything a service owns is read
with the service's prefix (``INTAKE_HTTP_PORT``, ``VOTING_MONGODB_DATABASE``...).
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from contest_runtime.auth import AuthSettings

MAX_RECORD_BYTES = 1_000_000
"""Default largest record a service writes: a little under aiokafka's default
``max_request_size`` (1 MiB) and Apache Kafka's default ``message.max.bytes``."""


class InfraSettings(BaseSettings):
    """Where the broker and the store are, and how to talk to them."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", description="Comma-separated host:port list."
    )
    kafka_enable_idempotence: bool = Field(
        default=True,
        description="Idempotent producer; Apache Kafka supports it, Tansu's memory engine not.",
    )
    kafka_linger_ms: int = Field(default=5, ge=0, description="Producer batching delay.")
    kafka_session_timeout_ms: int = Field(
        default=10_000,
        ge=1000,
        description="Consumer session timeout. Tansu waits about half of it before a group "
        "forms, so the embedded default uses 3000; Apache Kafka's minimum is 6000.",
    )
    kafka_heartbeat_interval_ms: int = Field(
        default=3000, ge=100, description="Consumer heartbeat interval (a third of the above)."
    )
    kafka_max_record_bytes: int = Field(
        default=MAX_RECORD_BYTES,
        ge=4096,
        description="Largest record (key, value and headers) the broker takes. A change "
        "whose events would be larger is refused before it is stored; keep it at or under "
        "the broker's `message.max.bytes` (and the topics' `max.message.bytes`).",
    )
    mongodb_uri: str = Field(default="mongodb://127.0.0.1:27017", description="MongoDB URI.")
    startup_timeout_s: float = Field(
        default=120.0, gt=0, description="How long to wait for Kafka and MongoDB at start."
    )
    kafka_join_timeout_s: float = Field(
        default=30.0,
        gt=0,
        description="How long one attempt to start the consumers (join their groups) may take "
        "before it is abandoned and made again; also bounds stopping them.",
    )


class ServiceSettings(BaseSettings):
    """Base of each service's settings; a subclass sets ``env_prefix`` and the defaults."""

    model_config = SettingsConfigDict(extra="ignore")

    http_host: str = Field(default="127.0.0.1", description="Address the HTTP API listens on.")
    http_port: int = Field(default=8000, ge=0, le=65535, description="HTTP port.")
    log_level: str = Field(default="INFO", description="Python log level.")
    instance_id: str = Field(
        default="",
        max_length=128,
        description="Who started this process (empty: nobody says). ``/readyz`` answers it, so "
        "the runner that started a service recognises its own process, and not another run's "
        "service of the same name that holds the port.",
    )
    mongodb_database: str = Field(description="The service's own MongoDB database.")
    consumer_group: str = Field(description="Kafka consumer group of the service.")
    handler_attempts: int = Field(
        default=5, ge=1, description="Tries of an event handler before the event is dead-lettered."
    )
    handler_backoff_s: float = Field(
        default=0.2, ge=0, description="First retry delay; doubles on each further try."
    )
    consumer_batch: int = Field(
        default=50,
        ge=1,
        description="Most events a consumer takes at once; it commits their offsets together, "
        "after the last one is handled. A batch must be handled within Kafka's poll interval "
        "(5 minutes), every retry of every event included.",
    )
    infra: InfraSettings = Field(default_factory=InfraSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
