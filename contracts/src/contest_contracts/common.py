"""Value types shared by every event: languages, localized text, money, times, codes."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer


class Language(StrEnum):
    """Languages the platform speaks: Kazakh, Russian, English."""

    KK = "kk"
    RU = "ru"
    EN = "en"


class StageKind(StrEnum):
    """The stages of one contest edition, in the order they run."""

    SUBMISSION = "submission"
    REGIONAL = "regional"
    REPUBLICAN = "republican"
    PUBLIC_VOTE = "public_vote"
    AWARDS = "awards"


class NominationKind(StrEnum):
    """Whether a nomination is won by a person (worker) or by a project."""

    WORKER = "worker"
    PROJECT = "project"


class ApplicantKind(StrEnum):
    """Individuals are identified by IIN, organisations (NGOs) by BIN."""

    INDIVIDUAL = "individual"
    ORGANISATION = "organisation"


def _as_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDateTime = Annotated[
    AwareDatetime,
    AfterValidator(_as_utc),
    PlainSerializer(
        lambda v: v.astimezone(UTC).isoformat().replace("+00:00", "Z"), return_type=str
    ),
]
"""A timezone-aware instant; any offset is accepted and it is always written in UTC (``Z``)."""

Tenge = Annotated[int, Field(ge=0, description="An amount of money in whole tenge (KZT).")]
"""Money is whole tenge as an integer: no floats, no minor units."""

Code = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="A stable machine code: letters, digits, '_', '.', '-'.",
    ),
]
"""Stable identifiers chosen by operators: nomination codes, region codes, criterion codes."""

EntityId = Annotated[
    str,
    Field(min_length=1, max_length=128, description="An opaque identifier of an entity."),
]
"""Identifiers of contests, applications, jurors, sheets, ballots..."""


class ContractModel(BaseModel):
    """Base of every model on the wire: immutable, unknown fields ignored when reading.

    Ignoring unknown fields is what lets producers add optional fields without breaking
    consumers that still run the previous version.
    """

    model_config = ConfigDict(frozen=True, extra="ignore", use_enum_values=False)


class LocalizedText(ContractModel):
    """A text in the platform's three languages; Russian is always present."""

    ru: str = Field(min_length=1, description="Russian text (always present).")
    kk: str | None = Field(default=None, description="Kazakh text, when translated.")
    en: str | None = Field(default=None, description="English text, when translated.")
