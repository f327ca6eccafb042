"""Settings of the voting service, read from `VOTING_*` environment variables."""

from __future__ import annotations

from typing import Self

import phonenumbers
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from contest_runtime.settings import ServiceSettings


class VotingSettings(ServiceSettings):
    """Everything the voting service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="VOTING_", extra="ignore")

    http_port: int = Field(default=8003, ge=0, le=65535, description="HTTP port.")
    mongodb_database: str = Field(default="contest_voting", description="The service's database.")
    consumer_group: str = Field(default="contest-voting", description="Kafka consumer group.")
    voter_key_secret: SecretStr = Field(
        min_length=32,
        description="HMAC key that turns a phone number into a voter key (never stored).",
    )
    phone_countries: list[str] = Field(
        default=["KZ"],
        min_length=1,
        description="Countries (ISO 3166 alpha-2) whose mobile numbers may vote, as a JSON list; "
        "the first is the one a number written without its country code is read in.",
    )
    voter_key_version: int = Field(default=1, ge=1, description="Version of that key.")
    token_secret: SecretStr = Field(min_length=32, description="HS256 secret of the voter tokens.")
    token_ttl_s: int = Field(default=900, ge=60, description="Voter token lifetime.")
    code_ttl_s: int = Field(default=300, ge=30, description="One-time code lifetime.")
    code_attempts: int = Field(default=5, ge=1, description="Attempts per one-time code.")
    codes_per_phone_per_hour: int = Field(
        default=5, ge=1, description="Code requests per phone number per hour."
    )
    codes_per_address_per_hour: int = Field(
        default=50, ge=1, description="Code requests per client address per hour."
    )
    challenge_difficulty: int = Field(
        default=0,
        ge=0,
        le=32,
        description="Leading zero bits of the proof of work a code request must carry "
        "(about 2**bits hashes in the voter's browser); 0: no challenge.",
    )
    challenge_secret: SecretStr | None = Field(
        default=None,
        description="HMAC key that signs the challenges (32 or more bytes); needed when the "
        "difficulty is above 0. Every replica has the same.",
    )
    challenge_ttl_s: int = Field(
        default=300, ge=30, le=3600, description="How long a challenge can be solved and used."
    )
    publish_timeout_s: float = Field(
        default=5.0,
        gt=0,
        description="How long a vote waits for the broker's acknowledgement; a vote not "
        "acknowledged by then is answered 202 `uncertain`, kept and sent again.",
    )
    ballot_rules_cache_s: float = Field(
        default=1.0,
        ge=0,
        description="How long the vote path reuses a contest's schedule, choices and close; an "
        "operator's close takes effect this long after it is made.",
    )
    tally_refresh_s: float = Field(
        default=1.0,
        gt=0,
        description="How often live tallies are read again, streamed and published (at most).",
    )
    tally_batch: int = Field(default=1000, ge=1, description="Votes counted per batch, at most.")
    closing_interval_s: float = Field(
        default=1.0, gt=0, description="How often scheduled closes and certification are checked."
    )
    closing_grace_s: float = Field(
        default=6.0,
        gt=0,
        description="Wait after a close before taking the votes topic's end offsets; longer "
        "than the publish timeout, so every vote answered 202 `accepted` lies before them "
        "(votes answered `uncertain` are waited for until the broker took them).",
    )
    outbox_interval_s: float = Field(
        default=1.0, gt=0, description="How often unpublished events are retried."
    )

    @field_validator("phone_countries")
    @classmethod
    def _countries_have_numbers(cls, countries: list[str]) -> list[str]:
        known = phonenumbers.SUPPORTED_REGIONS
        unknown = [country for country in countries if country not in known]
        if unknown:
            raise ValueError(f"not ISO 3166 countries with phone numbers: {unknown}")
        return countries

    @model_validator(mode="after")
    def _challenges_are_signed(self) -> Self:
        secret = self.challenge_secret
        if self.challenge_difficulty > 0 and (
            secret is None or len(secret.get_secret_value()) < 32
        ):
            raise ValueError(
                "VOTING_CHALLENGE_SECRET (32 or more bytes) is needed when "
                "VOTING_CHALLENGE_DIFFICULTY is above 0"
            )
        return self
